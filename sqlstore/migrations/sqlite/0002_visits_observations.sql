-- Mentoring visits, scored case observations and the facility-month indicator counts
-- that dashboards sum (kept fresh in the same transaction as each observation write).
CREATE TABLE visits (
    id                 TEXT PRIMARY KEY,
    facility_id        INTEGER NOT NULL REFERENCES orgunits(id),
    mentor_id          INTEGER NOT NULL REFERENCES users(id),
    date               TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('mentoring','supervision')),
    status             TEXT NOT NULL CHECK (status IN ('planned','done','cancelled')),
    activities         TEXT NOT NULL DEFAULT '[]',
    teaching_topic     TEXT NOT NULL DEFAULT '',
    teaching_attendees INTEGER NOT NULL DEFAULT 0,
    notes              TEXT NOT NULL DEFAULT '',
    content_hash       TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX visits_facility_date ON visits(facility_id, date);
CREATE INDEX visits_mentor_date ON visits(mentor_id, date);

CREATE TABLE observations (
    id                     TEXT PRIMARY KEY,
    visit_id               TEXT NOT NULL REFERENCES visits(id),
    health_worker_id       INTEGER NOT NULL REFERENCES health_workers(id),
    facility_id            INTEGER NOT NULL REFERENCES orgunits(id),
    observed_at            TIMESTAMP NOT NULL,
    month                  TEXT NOT NULL,
    age_group              TEXT NOT NULL,
    protocol               TEXT NOT NULL,
    body                   TEXT NOT NULL,
    expected               TEXT NOT NULL,
    score                  TEXT NOT NULL,
    engine_version         TEXT NOT NULL,
    scoring_version        TEXT NOT NULL,
    assessment_index       REAL NOT NULL,
    classification_correct INTEGER NOT NULL,
    treatment_correct      INTEGER NOT NULL,
    counselling_complete   INTEGER NOT NULL,
    correctly_managed      INTEGER NOT NULL,
    indicators             TEXT NOT NULL,
    content_hash           TEXT NOT NULL,
    voided                 INTEGER NOT NULL DEFAULT 0,
    version                INTEGER NOT NULL DEFAULT 1,
    created_by             INTEGER,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX observations_visit ON observations(visit_id);
CREATE INDEX observations_worker ON observations(health_worker_id, observed_at);
CREATE INDEX observations_facility_month ON observations(facility_id, month);

CREATE TABLE indicator_counts (
    facility_id INTEGER NOT NULL REFERENCES orgunits(id),
    month       TEXT NOT NULL,
    indicator   TEXT NOT NULL,
    num         REAL NOT NULL DEFAULT 0,
    den         REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (facility_id, month, indicator)
);
CREATE INDEX indicator_counts_indicator ON indicator_counts(indicator, month);

-- Learning goals agreed between a mentor and a health worker, reviewed at the next visit.
CREATE TABLE learning_goals (
    id               TEXT PRIMARY KEY,
    health_worker_id INTEGER NOT NULL REFERENCES health_workers(id),
    observation_id   TEXT REFERENCES observations(id),
    goal             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open','achieved','dropped')),
    created_by       INTEGER,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX learning_goals_worker ON learning_goals(health_worker_id);
