-- Places, people, accounts, sessions and the audit trail.
CREATE TABLE orgunits (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL CHECK (type IN ('country','province','district','sector','facility')),
    parent_id    INTEGER REFERENCES orgunits(id),
    path         TEXT NOT NULL DEFAULT '',
    code         TEXT UNIQUE,
    dhis2_uid    TEXT UNIQUE,
    malaria_risk TEXT CHECK (malaria_risk IN ('high','low','none')),
    time_zone    TEXT NOT NULL DEFAULT 'Africa/Kigali',
    cadence_days INTEGER NOT NULL DEFAULT 42,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX orgunits_parent ON orgunits(parent_id);
CREATE INDEX orgunits_path ON orgunits(path);

CREATE TABLE health_workers (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    cadre           TEXT NOT NULL CHECK (cadre IN ('A0','A1','A2','other')),
    imci_trained_on TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- A worker's time at a facility. Moving a worker closes one posting and opens another,
-- so turnover history is never overwritten.
CREATE TABLE postings (
    id               INTEGER PRIMARY KEY,
    health_worker_id INTEGER NOT NULL REFERENCES health_workers(id),
    facility_id      INTEGER NOT NULL REFERENCES orgunits(id),
    start_on         TEXT NOT NULL,
    end_on           TEXT,
    CHECK (end_on IS NULL OR end_on >= start_on)
);
CREATE INDEX postings_worker ON postings(health_worker_id, start_on);
CREATE INDEX postings_facility ON postings(facility_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin','manager','supervisor','mentor','facility')),
    scope_id      INTEGER REFERENCES orgunits(id),
    password_hash TEXT NOT NULL,
    language      TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

-- A mentor's facilities over time; a mentor's scope is their assignments active today.
CREATE TABLE assignments (
    id          INTEGER PRIMARY KEY,
    mentor_id   INTEGER NOT NULL REFERENCES users(id),
    facility_id INTEGER NOT NULL REFERENCES orgunits(id),
    start_on    TEXT NOT NULL,
    end_on      TEXT,
    created_at  TIMESTAMP NOT NULL,
    CHECK (end_on IS NULL OR end_on >= start_on)
);
CREATE INDEX assignments_mentor ON assignments(mentor_id);
CREATE INDEX assignments_facility ON assignments(facility_id);

-- Web sessions and API tokens; only a hash of the token is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL CHECK (kind IN ('session','api')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY,
    at       TIMESTAMP NOT NULL,
    username TEXT NOT NULL,
    ip       TEXT NOT NULL,
    ok       INTEGER NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts(username, at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    actor_id  INTEGER,
    actor     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action    TEXT NOT NULL,
    changes   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_at ON audit_log(at);
