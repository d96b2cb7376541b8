-- Export-ready observation rows. A stored observation is about 8.6 KB of JSON spread
-- over overflow pages, and an export decoded it row by row: about 37 µs of CPU per row,
-- some 50,000 rows/s on two cores. Each observation that is not voided now also keeps
-- its CSV cells (every column after the facility name, written once at save time by
-- the same code that formatted them at export time) in this narrow table, so an export
-- reads about 1.3 KB per row in observation-time order and copies it out.
CREATE TABLE observation_rows (
    id          TEXT PRIMARY KEY,
    observed_at TIMESTAMPTZ NOT NULL,
    month       TEXT NOT NULL,
    facility_id BIGINT NOT NULL REFERENCES orgunits(id),
    cells       TEXT NOT NULL
);
-- The export order; facility_id lets the area filter run before the row is read.
CREATE INDEX observation_rows_order ON observation_rows(observed_at, id, facility_id);

-- Data steps that follow a schema step and are done in Go, in batches, resumably:
-- the program runs each named step after migrating and deletes its row when done.
CREATE TABLE backfills (name TEXT PRIMARY KEY);
INSERT INTO backfills (name) VALUES ('observation_rows');
