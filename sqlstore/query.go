package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"

	"mesh"
)

// where builds a WHERE clause and its arguments together, so they cannot drift apart.
type where struct {
	clauses []string
	args    []any
}

func (w *where) add(clause string, args ...any) {
	w.clauses = append(w.clauses, clause)
	w.args = append(w.args, args...)
}

// under keeps rows whose path column lies under one of paths; nil means no filter and
// an empty slice matches nothing (a user with no area sees nothing).
func (w *where) under(col string, paths []string) {
	if paths == nil {
		return
	}
	if len(paths) == 0 {
		w.add("1 = 0")
		return
	}
	ors := make([]string, len(paths))
	for i, p := range paths {
		ors[i] = col + " LIKE ?"
		w.args = append(w.args, p+"%")
	}
	w.clauses = append(w.clauses, "("+strings.Join(ors, " OR ")+")")
}

func (w *where) String() string {
	if len(w.clauses) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.clauses, " AND ")
}

// limitOffset renders paging with a default and a ceiling on page size.
func limitOffset(limit, offset int) string {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if offset < 0 {
		offset = 0
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
}

// audit writes an entry for a change in the same transaction as the change.
func (tx *Tx) audit(entity string, id any, action string, changes any) error {
	actor := mesh.ActorFrom(tx.ctx)
	b, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	var actorID any
	if actor.UserID != 0 {
		actorID = actor.UserID
	}
	_, err = tx.exec(`INSERT INTO audit_log (at, actor_id, actor, entity, entity_id, action, changes) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tx.now, actorID, actor.Username, entity, fmt.Sprint(id), action, string(b))
	return err
}

// asMap turns a record into a flat map of its JSON fields, for audit diffs.
func asMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	delete(m, "updated_at")
	delete(m, "created_at")
	return m
}

// checkVersion fails with ECONFLICT when a caller's version is stale.
func checkVersion(what string, want *int, have int) error {
	if want != nil && *want != have {
		return mesh.Errorf(mesh.ECONFLICT, "%s was changed by someone else (version %d, yours %d): reload and try again", what, have, *want)
	}
	return nil
}

// nullString stores "" as NULL, so optional unique columns (code, dhis2_uid) allow many blanks.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
