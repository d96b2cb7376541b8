-- indicator_counts becomes a WITHOUT ROWID table: rows are stored in primary-key order
-- (facility_id, month, indicator) with num and den beside the key, so a heat map reads
-- each facility's months as one contiguous range with no second lookup, and a write
-- updates one b-tree instead of two (the rowid table and its key index). The queries
-- and the upsert on (facility_id, month, indicator) are unchanged (docs/benchmarks.md).
CREATE TABLE indicator_counts_clustered (
    facility_id INTEGER NOT NULL REFERENCES orgunits(id),
    month       TEXT NOT NULL,
    indicator   TEXT NOT NULL,
    num         REAL NOT NULL DEFAULT 0,
    den         REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (facility_id, month, indicator)
) WITHOUT ROWID;
INSERT INTO indicator_counts_clustered (facility_id, month, indicator, num, den)
    SELECT facility_id, month, indicator, num, den FROM indicator_counts ORDER BY facility_id, month, indicator;
DROP TABLE indicator_counts;
ALTER TABLE indicator_counts_clustered RENAME TO indicator_counts;
CREATE INDEX indicator_counts_indicator ON indicator_counts(indicator, month);
CREATE INDEX indicator_counts_series ON indicator_counts(facility_id, indicator, month);
