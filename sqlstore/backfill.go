package sqlstore

import (
	"context"
	"fmt"

	"mesh/export"
)

// backfills are the data steps a schema step leaves to Go (a migration inserts the
// step's name into the backfills table). Each runs in batches of its own transactions,
// so an interrupted run resumes where it stopped, and deletes its row when done.
var backfills = map[string]func(*DB, context.Context) error{
	"observation_rows": (*DB).backfillObservationRows,
}

// runBackfills runs the pending data steps, in name order.
func (db *DB) runBackfills(ctx context.Context) error {
	rows, err := db.write.QueryContext(ctx, `SELECT name FROM backfills ORDER BY name`)
	if err != nil {
		return driverError(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return driverError(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return driverError(err)
	}
	for _, name := range names {
		step, ok := backfills[name]
		if !ok {
			return fmt.Errorf("backfill %q: unknown to this program", name)
		}
		if err := step(db, ctx); err != nil {
			return fmt.Errorf("backfill %s: %w", name, err)
		}
		if _, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM backfills WHERE name = ?`), name); err != nil {
			return driverError(err)
		}
	}
	return nil
}

// backfillBatch is how many observations one backfill transaction formats.
const backfillBatch = 500

// backfillObservationRows writes the export row of every observation that is not
// voided (migration 0014), in export order (index observations_observed), so the
// table's rows lie on disk in the order an export reads them, as they do when written
// at save time. Each batch reads its observations and writes their rows in
// one write transaction, so a save, edit or void running meanwhile is either before
// the batch (read as it is) or after it (it rewrites or deletes the row itself).
func (db *DB) backfillObservationRows(ctx context.Context) error {
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR SHARE"
	}
	total := 0
	if db.BackfillProgress != nil {
		if err := db.write.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM observations WHERE voided = ?`), false).Scan(&total); err != nil {
			return driverError(err)
		}
	}
	done := 0
	var last *export.StoredObservation
	for {
		n := 0
		err := db.inTx(ctx, func(tx *Tx) error {
			var w where
			w.add("voided = ?", false)
			if last != nil {
				w.add("(observed_at, id) > (?, ?)", last.ObservedAt.UTC(), last.ID)
			}
			page, err := tx.storedObservations(`SELECT id, observed_at, month, facility_id, visit_id, health_worker_id, protocol,
				version, updated_at, body, score FROM observations`+w.String()+` ORDER BY observed_at, id`+limit(backfillBatch)+lock,
				w.args...)
			if err != nil {
				return err
			}
			for _, o := range page {
				cells, err := export.ObservationCells(o)
				if err != nil {
					return fmt.Errorf("observation %s: %w", o.ID, err)
				}
				if _, err := tx.exec(`INSERT INTO observation_rows (id, observed_at, month, facility_id, cells) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (id) DO NOTHING`, o.ID, o.ObservedAt.UTC(), o.Month, o.FacilityID, string(cells)); err != nil {
					return err
				}
			}
			if n = len(page); n > 0 {
				last = &page[n-1]
			}
			return nil
		})
		if err != nil {
			return err
		}
		if done += n; db.BackfillProgress != nil {
			db.BackfillProgress("observation_rows", done, total)
		}
		if n < backfillBatch {
			return nil
		}
	}
}

// storedObservations reads the columns an observation's export cells are made from.
func (tx *Tx) storedObservations(q string, args ...any) ([]export.StoredObservation, error) {
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []export.StoredObservation
	for rows.Next() {
		var o export.StoredObservation
		if err := rows.Scan(&o.ID, &o.ObservedAt, &o.Month, &o.FacilityID, &o.VisitID, &o.HealthWorkerID, &o.Protocol,
			&o.Version, &o.UpdatedAt, &o.Body, &o.Score); err != nil {
			return nil, driverError(err)
		}
		out = append(out, o)
	}
	return out, driverError(rows.Err())
}
