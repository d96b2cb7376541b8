-- Bulk import (the /import page): a checked upload waits here for its owner's
-- confirmation, so that a restart, or a second server behind the load balancer,
-- still finds it. One per user (a new upload replaces it); rows older than 30
-- minutes are deleted on the next upload or confirmation. Only a hash of the token
-- is kept, as for sessions. Taking one deletes it: a confirmation is used once.
CREATE TABLE pending_imports (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL UNIQUE REFERENCES users(id),
    kind       TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    data       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pending_imports_created ON pending_imports(created_at);
