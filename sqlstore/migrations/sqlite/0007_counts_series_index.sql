-- A district's series of one indicator reads its facilities' rows for that indicator
-- only; without this index it read every indicator's rows (docs/benchmarks.md).
CREATE INDEX indicator_counts_series ON indicator_counts(facility_id, indicator, month);
