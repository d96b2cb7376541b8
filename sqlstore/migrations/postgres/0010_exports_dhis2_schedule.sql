-- Exports read observations in observation-time order with keyset paging; without
-- this index every page sorted the whole table (346 rows/s on 200,000 observations).
-- voided and facility_id let the row count before an export (the progress bar) read
-- the index alone: a stored observation spans several pages.
CREATE INDEX observations_observed ON observations(observed_at, id, voided, facility_id);
CREATE INDEX pdsa_cycles_started ON pdsa_cycles(started_on, id);
CREATE INDEX issues_opened ON issues(opened_on, id);
CREATE INDEX stock_events_started ON stock_events(started_on, id);
CREATE INDEX readiness_checks_date ON readiness_checks(date, id);

-- The scheduled monthly DHIS2 push: one settings row, edited by an admin. The token
-- is never sent back to a browser or the API (only whether one is set).
CREATE TABLE dhis2_schedule (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    enabled      BOOLEAN NOT NULL DEFAULT FALSE,
    url          TEXT NOT NULL DEFAULT '',
    token        TEXT NOT NULL DEFAULT '',
    day_of_month INTEGER NOT NULL DEFAULT 5 CHECK (day_of_month BETWEEN 1 AND 28),
    dry_run      BOOLEAN NOT NULL DEFAULT TRUE,
    updated_by   BIGINT,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- One row per scheduled push of a period: what a manager reads on the admin page.
CREATE TABLE dhis2_jobs (
    id         BIGSERIAL PRIMARY KEY,
    period     TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('running','succeeded','failed')),
    dry_run    BOOLEAN NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    imported   INTEGER NOT NULL DEFAULT 0,
    updated    INTEGER NOT NULL DEFAULT 0,
    ignored    INTEGER NOT NULL DEFAULT 0,
    deleted    INTEGER NOT NULL DEFAULT 0,
    conflicts  TEXT NOT NULL DEFAULT '[]',
    log        TEXT NOT NULL DEFAULT '[]',
    started_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ
);
CREATE INDEX dhis2_jobs_period ON dhis2_jobs(period, started_at);

-- Leases: at most one server runs a named job at a time. A holder renews its lease
-- while it works; a crashed holder's lease runs out and another server takes over.
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
