-- Facility systems and QI: readiness checks, the stock-out log, system issues with
-- their comments, QI projects and PDSA cycles. Records made in the field carry the
-- client's UUID and a content hash, like visits, so uploads are idempotent.
CREATE TABLE readiness_checks (
    id                TEXT PRIMARY KEY,
    facility_id       BIGINT NOT NULL REFERENCES orgunits(id),
    visit_id          TEXT REFERENCES visits(id),
    date              DATE NOT NULL,
    month             TEXT NOT NULL,
    answers           JSONB NOT NULL,
    notes             TEXT NOT NULL DEFAULT '',
    checklist_version TEXT NOT NULL,
    indicators        JSONB NOT NULL,
    content_hash      TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    created_by        BIGINT,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX readiness_checks_facility_date ON readiness_checks(facility_id, date);
CREATE INDEX readiness_checks_visit ON readiness_checks(visit_id);

CREATE TABLE stock_events (
    id           TEXT PRIMARY KEY,
    facility_id  BIGINT NOT NULL REFERENCES orgunits(id),
    commodity    TEXT NOT NULL,
    started_on   DATE NOT NULL,
    ended_on     DATE,
    check_id     TEXT REFERENCES readiness_checks(id),
    notes        TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX stock_events_facility ON stock_events(facility_id, commodity, started_on);
CREATE INDEX stock_events_open ON stock_events(ended_on, started_on);

CREATE TABLE issues (
    id           TEXT PRIMARY KEY,
    facility_id  BIGINT NOT NULL REFERENCES orgunits(id),
    visit_id     TEXT REFERENCES visits(id),
    category     TEXT NOT NULL CHECK (category IN ('supply','equipment','infrastructure','staffing','data','other')),
    description  TEXT NOT NULL,
    owner        TEXT NOT NULL DEFAULT '',
    due_on       DATE,
    status       TEXT NOT NULL CHECK (status IN ('open','in_progress','escalated','resolved')),
    opened_on    DATE NOT NULL,
    resolved_on  DATE,
    history      JSONB NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX issues_facility ON issues(facility_id, opened_on);
CREATE INDEX issues_status ON issues(status, opened_on);

CREATE TABLE issue_comments (
    id        TEXT PRIMARY KEY,
    issue_id  TEXT NOT NULL REFERENCES issues(id),
    text      TEXT NOT NULL,
    author_id BIGINT,
    author    TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX issue_comments_issue ON issue_comments(issue_id, at);

CREATE TABLE qi_projects (
    id              TEXT PRIMARY KEY,
    facility_id     BIGINT NOT NULL REFERENCES orgunits(id),
    title           TEXT NOT NULL,
    team            JSONB NOT NULL DEFAULT '[]',
    problem         TEXT NOT NULL,
    aim             JSONB NOT NULL,
    indicator       TEXT NOT NULL,
    change_ideas    JSONB NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL CHECK (status IN ('planning','active','completed','abandoned')),
    started_on      DATE NOT NULL,
    ended_on        DATE,
    baseline_points INTEGER NOT NULL DEFAULT 0,
    content_hash    TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_by      BIGINT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX qi_projects_facility ON qi_projects(facility_id);

CREATE TABLE pdsa_cycles (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES qi_projects(id),
    change_idea_id TEXT NOT NULL DEFAULT '',
    plan           TEXT NOT NULL,
    do_text        TEXT NOT NULL DEFAULT '',
    study          TEXT NOT NULL DEFAULT '',
    act            TEXT NOT NULL DEFAULT '',
    started_on     DATE NOT NULL,
    ended_on       DATE,
    result         TEXT NOT NULL DEFAULT '' CHECK (result IN ('','adopt','adapt','abandon')),
    content_hash   TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_by     BIGINT,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX pdsa_cycles_project ON pdsa_cycles(project_id, started_on);
