-- Reference data in the change log (issue 7): places and health workers go to the
-- phones with GET /api/v1/sync/changes, so a mentor's offline forms know the
-- facilities and staff of their scope. Triggers record every write, whatever path it
-- takes (forms, API, CSV and DHIS2 imports, demo), and the rows already there are
-- logged once here. A worker's path is that of their latest posting's facility. The
-- advisory lock is the one recordChange (sqlstore/changes.go) takes, so sequence
-- numbers follow commit order here too.
INSERT INTO changes (type, record_id, path, at)
    SELECT 'place', id::text, path, now() FROM orgunits WHERE path <> '' ORDER BY id;
INSERT INTO changes (type, record_id, path, at)
    SELECT 'health_worker', hw.id::text, o.path, now()
    FROM health_workers hw
    JOIN postings p ON p.id = (SELECT p2.id FROM postings p2 WHERE p2.health_worker_id = hw.id ORDER BY p2.start_on DESC, p2.id DESC LIMIT 1)
    JOIN orgunits o ON o.id = p.facility_id
    ORDER BY hw.id;

CREATE FUNCTION mesh_record_change(t text, rid text, p text) RETURNS void AS $$
BEGIN
    IF p IS NULL OR p = '' THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(727275);
    DELETE FROM changes WHERE type = t AND record_id = rid;
    INSERT INTO changes (type, record_id, path, at) VALUES (t, rid, p, now());
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION mesh_place_changed() RETURNS trigger AS $$
BEGIN
    PERFORM mesh_record_change('place', NEW.id::text, NEW.path);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION mesh_worker_changed() RETURNS trigger AS $$
DECLARE
    wid bigint;
BEGIN
    IF TG_TABLE_NAME = 'postings' THEN
        wid := NEW.health_worker_id;
    ELSE
        wid := NEW.id;
    END IF;
    PERFORM mesh_record_change('health_worker', wid::text,
        (SELECT o.path FROM postings p JOIN orgunits o ON o.id = p.facility_id
         WHERE p.health_worker_id = wid ORDER BY p.start_on DESC, p.id DESC LIMIT 1));
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER changes_place AFTER INSERT OR UPDATE ON orgunits
    FOR EACH ROW EXECUTE FUNCTION mesh_place_changed();
CREATE TRIGGER changes_worker AFTER UPDATE ON health_workers
    FOR EACH ROW EXECUTE FUNCTION mesh_worker_changed();
CREATE TRIGGER changes_posting AFTER INSERT OR UPDATE ON postings
    FOR EACH ROW EXECUTE FUNCTION mesh_worker_changed();
