-- Reference data in the change log (issue 7): places and health workers go to the
-- phones with GET /api/v1/sync/changes, so a mentor's offline forms know the
-- facilities and staff of their scope. Triggers record every write, whatever path it
-- takes (forms, API, CSV and DHIS2 imports, demo), and the rows already there are
-- logged once here. A worker's path is that of their latest posting's facility.
INSERT INTO changes (type, record_id, path, at)
    SELECT 'place', CAST(id AS TEXT), path, CURRENT_TIMESTAMP FROM orgunits WHERE path <> '' ORDER BY id;
INSERT INTO changes (type, record_id, path, at)
    SELECT 'health_worker', CAST(hw.id AS TEXT), o.path, CURRENT_TIMESTAMP
    FROM health_workers hw
    JOIN postings p ON p.id = (SELECT p2.id FROM postings p2 WHERE p2.health_worker_id = hw.id ORDER BY p2.start_on DESC, p2.id DESC LIMIT 1)
    JOIN orgunits o ON o.id = p.facility_id
    ORDER BY hw.id;

CREATE TRIGGER changes_place_insert AFTER INSERT ON orgunits WHEN NEW.path <> '' BEGIN
    DELETE FROM changes WHERE type = 'place' AND record_id = CAST(NEW.id AS TEXT);
    INSERT INTO changes (type, record_id, path, at) VALUES ('place', CAST(NEW.id AS TEXT), NEW.path, CURRENT_TIMESTAMP);
END;
CREATE TRIGGER changes_place_update AFTER UPDATE ON orgunits WHEN NEW.path <> '' BEGIN
    DELETE FROM changes WHERE type = 'place' AND record_id = CAST(NEW.id AS TEXT);
    INSERT INTO changes (type, record_id, path, at) VALUES ('place', CAST(NEW.id AS TEXT), NEW.path, CURRENT_TIMESTAMP);
END;
CREATE TRIGGER changes_worker_update AFTER UPDATE ON health_workers BEGIN
    DELETE FROM changes WHERE type = 'health_worker' AND record_id = CAST(NEW.id AS TEXT);
    INSERT INTO changes (type, record_id, path, at)
        SELECT 'health_worker', CAST(NEW.id AS TEXT), o.path, CURRENT_TIMESTAMP
        FROM postings p JOIN orgunits o ON o.id = p.facility_id
        WHERE p.health_worker_id = NEW.id ORDER BY p.start_on DESC, p.id DESC LIMIT 1;
END;
CREATE TRIGGER changes_posting_insert AFTER INSERT ON postings BEGIN
    DELETE FROM changes WHERE type = 'health_worker' AND record_id = CAST(NEW.health_worker_id AS TEXT);
    INSERT INTO changes (type, record_id, path, at)
        SELECT 'health_worker', CAST(NEW.health_worker_id AS TEXT), o.path, CURRENT_TIMESTAMP
        FROM postings p JOIN orgunits o ON o.id = p.facility_id
        WHERE p.health_worker_id = NEW.health_worker_id ORDER BY p.start_on DESC, p.id DESC LIMIT 1;
END;
CREATE TRIGGER changes_posting_update AFTER UPDATE ON postings BEGIN
    DELETE FROM changes WHERE type = 'health_worker' AND record_id = CAST(NEW.health_worker_id AS TEXT);
    INSERT INTO changes (type, record_id, path, at)
        SELECT 'health_worker', CAST(NEW.health_worker_id AS TEXT), o.path, CURRENT_TIMESTAMP
        FROM postings p JOIN orgunits o ON o.id = p.facility_id
        WHERE p.health_worker_id = NEW.health_worker_id ORDER BY p.start_on DESC, p.id DESC LIMIT 1;
END;
