-- The indicator ↔ DHIS2 mapping: one settings row (data set and id scheme) and its
-- entries in file order. An import replaces both in one transaction.
CREATE TABLE dhis2_mapping (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    data_set   TEXT NOT NULL DEFAULT '',
    id_scheme  TEXT NOT NULL CHECK (id_scheme IN ('uid','code')),
    updated_by INTEGER,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE dhis2_mapping_entries (
    position              INTEGER PRIMARY KEY,
    indicator             TEXT NOT NULL,
    part                  TEXT NOT NULL CHECK (part IN ('numerator','denominator','value')),
    data_element          TEXT NOT NULL,
    category_option_combo TEXT NOT NULL DEFAULT '',
    UNIQUE (indicator, part),
    UNIQUE (data_element, category_option_combo)
);
