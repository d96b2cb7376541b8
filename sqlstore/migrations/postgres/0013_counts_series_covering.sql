-- SQLite's indicator_counts_series becomes a covering index in this migration. PostgreSQL
-- keeps its index as it is: with num and den in an index (even as INCLUDE columns) the
-- upsert of a count could no longer be a HOT update (migration 0009's fillfactor), and
-- every save would write the index too. Nothing to do here; the file keeps the two
-- migration folders in step.
SELECT 1;
