-- The mentee's voice: anonymous feedback on mentoring visits, and the qualitative
-- coding workspace. voice_responses deliberately has no person, visit or time column
-- (see docs/mentee-voice.md): mentor_id is the mentor being rated, never the one who
-- answered; month is all that is kept of when.
CREATE TABLE voice_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    min_group  INTEGER NOT NULL CHECK (min_group >= 3),
    items      TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL
);

-- One short code per visit, shown by the mentor so mentees can answer without an
-- account; responses counts answers for the per-visit cap, never who gave them.
CREATE TABLE voice_codes (
    code       TEXT PRIMARY KEY,
    visit_id   TEXT NOT NULL UNIQUE REFERENCES visits(id),
    responses  INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

-- WITHOUT ROWID: rows are kept in id_hash order, so storage order says nothing of
-- who answered first.
CREATE TABLE voice_responses (
    id_hash     TEXT PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES orgunits(id),
    district_id INTEGER REFERENCES orgunits(id),
    mentor_id   INTEGER NOT NULL REFERENCES users(id),
    month       TEXT NOT NULL,
    ratings     TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL CHECK (language IN ('en','fr','rw'))
) WITHOUT ROWID;
CREATE INDEX voice_responses_month ON voice_responses(month, facility_id);
CREATE INDEX voice_responses_mentor ON voice_responses(mentor_id, month);

CREATE TABLE voice_themes (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('theme','barrier')),
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
INSERT INTO voice_themes (code, name, kind, description, created_at) VALUES
    ('collaborative_capacity_building', 'Collaborative capacity-building', 'theme', 'Learning on the job, with the mentor.', CURRENT_TIMESTAMP),
    ('active_listening', 'Active listening and relationships', 'theme', 'Mentees felt heard; relationships with supervisors improved.', CURRENT_TIMESTAMP),
    ('supporting_not_policing', 'Supporting, not policing', 'theme', 'Supervision experienced as help, not inspection or punishment.', CURRENT_TIMESTAMP),
    ('systems_improvement', 'Systems improvement', 'theme', 'Mentors helped find and fix facility and system problems.', CURRENT_TIMESTAMP),
    ('real_time_feedback', 'Real-time feedback', 'theme', 'Feedback given during or right after care.', CURRENT_TIMESTAMP),
    ('stock_outs', 'Stock-outs', 'barrier', 'Medicines or supplies out of stock.', CURRENT_TIMESTAMP),
    ('staff_turnover', 'Staff turnover', 'barrier', 'Trained staff leaving or moving.', CURRENT_TIMESTAMP),
    ('infrastructure', 'Infrastructure', 'barrier', 'Water, electricity, rooms and equipment.', CURRENT_TIMESTAMP);

-- Notes typed or pasted by evaluators: focus groups, interviews, comments.
CREATE TABLE voice_sources (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('focus_group','interview','comment','other')),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    orgunit_id INTEGER NOT NULL REFERENCES orgunits(id),
    period     TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX voice_sources_orgunit ON voice_sources(orgunit_id, period);

-- A coded passage: byte offsets into the source body, the quote, the theme and the
-- coder (an evaluator, never a mentee).
CREATE TABLE voice_passages (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES voice_sources(id),
    theme_id   INTEGER NOT NULL REFERENCES voice_themes(id),
    start_at   INTEGER NOT NULL,
    end_at     INTEGER NOT NULL,
    quote      TEXT NOT NULL,
    coder_id   INTEGER NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    CHECK (start_at >= 0 AND end_at > start_at)
);
CREATE INDEX voice_passages_source ON voice_passages(source_id, coder_id);
CREATE INDEX voice_passages_theme ON voice_passages(theme_id);
