package sqlstore

import (
	"context"
	"strconv"
)

// changeLogLock is the PostgreSQL advisory lock that orders change-log writers.
const changeLogLock = `SELECT pg_advisory_xact_lock(727275)`

// recordChange moves a record to the head of the change log. On PostgreSQL an
// advisory lock held to commit makes sequence numbers follow commit order, so a
// client's cursor can never step over a change that commits late.
func (tx *Tx) recordChange(typ, id, path string) error {
	return tx.logChange(typ, id, path, true)
}

// recordFirstChange logs the first change of a record created in this transaction:
// it has no entry to move yet, so the DELETE is skipped.
func (tx *Tx) recordFirstChange(typ, id, path string) error {
	return tx.logChange(typ, id, path, false)
}

func (tx *Tx) logChange(typ, id, path string, existing bool) error {
	if tx.db.Dialect == Postgres && !tx.changeLocked {
		if _, err := tx.exec(changeLogLock); err != nil {
			return err
		}
		tx.changeLocked = true
	}
	if existing {
		if _, err := tx.exec(`DELETE FROM changes WHERE type = ? AND record_id = ?`, typ, id); err != nil {
			return err
		}
	}
	_, err := tx.exec(`INSERT INTO changes (type, record_id, path, at) VALUES (?, ?, ?, ?)`, typ, id, path, tx.now)
	return err
}

// Change is one entry of the change log.
type Change struct {
	Seq  int64
	Type string
	ID   string
}

// FindChanges returns up to limit changes after cursor within the paths (nil: all),
// of the given types, oldest first, and whether more follow.
func (db *DB) FindChanges(ctx context.Context, after int64, under []string, types []string, limit int) ([]Change, bool, error) {
	var w where
	w.add("seq > ?", after)
	w.under("path", under)
	if len(types) > 0 {
		in := "type IN ("
		for i, t := range types {
			if i > 0 {
				in += ", "
			}
			in += "?"
			w.args = append(w.args, t)
		}
		w.clauses = append(w.clauses, in+")")
	}
	rows, err := db.readQuery(ctx, `SELECT seq, type, record_id FROM changes`+w.String()+` ORDER BY seq LIMIT `+strconv.Itoa(limit+1), w.args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Seq, &c.Type, &c.ID); err != nil {
			return nil, false, driverError(err)
		}
		out = append(out, c)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, driverError(rows.Err())
}
