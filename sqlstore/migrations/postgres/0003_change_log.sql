-- The change log behind GET /api/v1/sync/changes: one row per record at its latest
-- change, so a client's cursor (the seq it has seen) pages through what changed since.
CREATE TABLE changes (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type      TEXT NOT NULL,
    record_id TEXT NOT NULL,
    path      TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    UNIQUE (type, record_id)
);
CREATE INDEX changes_path ON changes(path text_pattern_ops, seq);
