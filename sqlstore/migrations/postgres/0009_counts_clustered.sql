-- indicator_counts is rebuilt as on SQLite (where it becomes WITHOUT ROWID), here in
-- primary-key order and with fillfactor 90: the upsert of a save changes only num and
-- den, which no index holds, so with free room on the page PostgreSQL updates the row
-- in place (a HOT update) without touching any index (docs/benchmarks.md).
CREATE TABLE indicator_counts_clustered (
    facility_id BIGINT NOT NULL REFERENCES orgunits(id),
    month       TEXT NOT NULL,
    indicator   TEXT NOT NULL,
    num         DOUBLE PRECISION NOT NULL DEFAULT 0,
    den         DOUBLE PRECISION NOT NULL DEFAULT 0
) WITH (fillfactor = 90);
INSERT INTO indicator_counts_clustered (facility_id, month, indicator, num, den)
    SELECT facility_id, month, indicator, num, den FROM indicator_counts ORDER BY facility_id, month, indicator;
DROP TABLE indicator_counts;
ALTER TABLE indicator_counts_clustered RENAME TO indicator_counts;
ALTER TABLE indicator_counts ADD PRIMARY KEY (facility_id, month, indicator);
CREATE INDEX indicator_counts_indicator ON indicator_counts(indicator, month);
CREATE INDEX indicator_counts_series ON indicator_counts(facility_id, indicator, month);
