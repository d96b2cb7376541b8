package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"mesh"
	"mesh/dhis2"
	"mesh/secret"
)

// tokenPurpose binds the sealed token to its column: a sealed value copied into
// another use does not open.
const tokenPurpose = "dhis2_schedule.token"

// DHIS2Schedule returns the monthly push settings (the defaults until an admin saves
// some). The token is returned for the scheduler; pages and the API must not show it.
// A token sealed under another key is not an error here (the page must still open):
// TokenError says why it cannot be read, and a push logs it.
func (db *DB) DHIS2Schedule(ctx context.Context) (*dhis2.Schedule, error) {
	s := dhis2.DefaultSchedule()
	var updated time.Time
	var stored string
	err := db.readRow(ctx, `SELECT enabled, url, token, day_of_month, dry_run, updated_at FROM dhis2_schedule WHERE id = 1`).
		Scan(&s.Enabled, &s.URL, &stored, &s.DayOfMonth, &s.DryRun, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return nil, driverError(err)
	}
	s.UpdatedAt, s.TokenSet = updated, stored != ""
	if s.Token, err = db.openToken(stored); err != nil {
		s.TokenError = dhis2.TokenUnreadable + " (" + err.Error() + ")"
	}
	return s, nil
}

// openToken reads a stored token: sealed ("v1:…"), or clear text saved before tokens
// were sealed (sealed on the next save).
func (db *DB) openToken(stored string) (string, error) {
	if !secret.Sealed(stored) {
		return stored, nil
	}
	k, err := db.Secrets.Key(false)
	if err != nil {
		return "", err
	}
	return k.Open(stored, tokenPurpose)
}

// sealToken seals a token to store; without a key, the error names MESH_SECRET_KEY
// and the field, for the admin to pass on to whoever runs the server.
func (db *DB) sealToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	k, err := db.Secrets.Key(true)
	switch {
	case errors.Is(err, secret.ErrNoKey):
		return "", mesh.Invalid(mesh.FieldError{Code: "SECRET_KEY_MISSING", Field: "token",
			Message: "the token cannot be saved without a key to encrypt it: set " + secret.EnvVar + " on the server (" + err.Error() + ")"})
	case errors.Is(err, secret.ErrBadKey):
		return "", mesh.Invalid(mesh.FieldError{Code: "SECRET_KEY_INVALID", Field: "token",
			Message: "the token cannot be saved: the server's key is not valid (" + err.Error() + ")"})
	case err != nil:
		return "", err
	}
	return k.Seal(token, tokenPurpose)
}

// PutDHIS2Schedule validates and saves the settings, the token sealed with the
// server's key (secret package), audited without the token (only whether it
// changed). A token that could not be read (s.TokenError) and was not replaced is
// kept as stored: it may open again once the right key is back.
func (db *DB) PutDHIS2Schedule(ctx context.Context, s *dhis2.Schedule) error {
	if err := s.Validate(); err != nil {
		return err
	}
	keep := s.Token == "" && s.TokenError != ""
	sealed, err := db.sealToken(s.Token)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var oldStored string
		err := tx.queryRow(`SELECT token FROM dhis2_schedule WHERE id = 1`).Scan(&oldStored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return driverError(err)
		}
		if keep {
			sealed = oldStored
		}
		oldToken, oldErr := db.openToken(oldStored)
		changed := !keep && (oldErr != nil || oldToken != s.Token)
		actor := mesh.ActorFrom(tx.ctx)
		var by any
		if actor.UserID != 0 {
			by = actor.UserID
		}
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.exec(`INSERT INTO dhis2_schedule (id, enabled, url, token, day_of_month, dry_run, updated_by, updated_at)
				VALUES (1, ?, ?, ?, ?, ?, ?, ?)`, s.Enabled, s.URL, sealed, s.DayOfMonth, s.DryRun, by, tx.now)
		} else {
			_, err = tx.exec(`UPDATE dhis2_schedule SET enabled = ?, url = ?, token = ?, day_of_month = ?, dry_run = ?, updated_by = ?, updated_at = ?
				WHERE id = 1`, s.Enabled, s.URL, sealed, s.DayOfMonth, s.DryRun, by, tx.now)
		}
		if err != nil {
			return err
		}
		s.UpdatedAt, s.TokenSet = tx.now, sealed != ""
		if !keep {
			s.TokenError = ""
		}
		return tx.audit("dhis2_schedule", 1, "update", map[string]any{"enabled": s.Enabled, "url": s.URL,
			"day_of_month": s.DayOfMonth, "dry_run": s.DryRun, "token_changed": changed, "token_set": s.TokenSet})
	})
}

// AcquireLease takes the named lease for holder until now+ttl, or renews holder's
// own; it reports false while another holder's lease runs (see dhis2.ScheduleStore).
// The read and the write are one transaction: SQLite's single writer and
// PostgreSQL's row lock (or the primary key, when two servers insert the first
// lease at once) let only one server through.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	got := false
	err := db.inTx(ctx, func(tx *Tx) error {
		lock := ""
		if db.Dialect == Postgres {
			lock = " FOR UPDATE"
		}
		var h string
		var exp time.Time
		err := tx.queryRow(`SELECT holder, expires_at FROM job_leases WHERE name = ?`+lock, name).Scan(&h, &exp)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.exec(`INSERT INTO job_leases (name, holder, expires_at) VALUES (?, ?, ?)`, name, holder, now.Add(ttl).UTC())
		case err != nil:
			return driverError(err)
		case h != holder && exp.After(now):
			return nil
		default:
			_, err = tx.exec(`UPDATE job_leases SET holder = ?, expires_at = ? WHERE name = ?`, holder, now.Add(ttl).UTC(), name)
		}
		got = err == nil
		return err
	})
	if mesh.ErrorCode(err) == mesh.ECONFLICT {
		return false, nil // another server inserted the lease first
	}
	return got && err == nil, err
}

// ReleaseLease gives up holder's lease (a no-op when another holder has it).
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(`DELETE FROM job_leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
}

// FindDHIS2Jobs lists push jobs, scheduled or started by hand, newest first; period
// "" means all.
func (db *DB) FindDHIS2Jobs(ctx context.Context, period string, limit int) ([]*dhis2.Job, error) {
	var w where
	if period != "" {
		w.add("j.period = ?", period)
	}
	rows, err := db.readQuery(ctx, `SELECT j.id, j.period, j.status, j.dry_run, j.origin, COALESCE(j.started_by, 0), COALESCE(u.username, ''),
		j.attempts, j.imported, j.updated, j.ignored, j.deleted, j.conflicts, j.log, j.started_at, j.ended_at
		FROM dhis2_jobs j LEFT JOIN users u ON u.id = j.started_by`+w.String()+` ORDER BY j.id DESC`+limitOffset(limit, 0), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*dhis2.Job{}
	for rows.Next() {
		var j dhis2.Job
		var conflicts, log string
		var ended sql.NullTime
		if err := rows.Scan(&j.ID, &j.Period, &j.Status, &j.DryRun, &j.Origin, &j.StartedByID, &j.StartedBy, &j.Attempts, &j.Count.Imported, &j.Count.Updated,
			&j.Count.Ignored, &j.Count.Deleted, &conflicts, &log, &j.StartedAt, &ended); err != nil {
			return nil, driverError(err)
		}
		if err := json.Unmarshal([]byte(conflicts), &j.Conflicts); err != nil {
			return nil, fmt.Errorf("stored DHIS2 job %d: %w", j.ID, err)
		}
		if err := json.Unmarshal([]byte(log), &j.Log); err != nil {
			return nil, fmt.Errorf("stored DHIS2 job %d: %w", j.ID, err)
		}
		if ended.Valid {
			t := ended.Time
			j.EndedAt = &t
		}
		out = append(out, &j)
	}
	return out, driverError(rows.Err())
}

// SaveDHIS2Job inserts a job (ID 0) or updates it with its progress and log. A push
// started by hand is audited when it starts, as its admin; the end of every push is
// audited too (as the system for a scheduled one).
func (db *DB) SaveDHIS2Job(ctx context.Context, j *dhis2.Job) error {
	conflicts, err := json.Marshal(j.Conflicts)
	if err != nil {
		return err
	}
	log, err := json.Marshal(j.Log)
	if err != nil {
		return err
	}
	var ended any
	if j.EndedAt != nil {
		ended = j.EndedAt.UTC()
	}
	origin, action := j.Origin, "scheduled_push"
	if origin == "" {
		origin = dhis2.OriginScheduled
	}
	var by any
	if origin == dhis2.OriginManual {
		action = "manual_push"
		if j.StartedByID != 0 {
			by = j.StartedByID
		}
	} else {
		ctx = mesh.WithActor(ctx, mesh.System)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		args := []any{j.Period, j.Status, j.DryRun, j.Attempts, j.Count.Imported, j.Count.Updated, j.Count.Ignored, j.Count.Deleted,
			string(conflicts), string(log), j.StartedAt.UTC(), ended}
		if j.ID == 0 {
			if err := tx.queryRow(`INSERT INTO dhis2_jobs (period, status, dry_run, attempts, imported, updated, ignored, deleted, conflicts, log,
				started_at, ended_at, origin, started_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, append(args, origin, by)...).Scan(&j.ID); err != nil {
				return driverError(err)
			}
			j.Origin = origin
			if origin != dhis2.OriginManual {
				return nil
			}
			return tx.audit("dhis2_push", j.Period, "manual_push_started", map[string]any{"job": j.ID, "dry_run": j.DryRun})
		}
		if _, err := tx.exec(`UPDATE dhis2_jobs SET period = ?, status = ?, dry_run = ?, attempts = ?, imported = ?, updated = ?, ignored = ?,
			deleted = ?, conflicts = ?, log = ?, started_at = ?, ended_at = ? WHERE id = ?`, append(args, j.ID)...); err != nil {
			return err
		}
		if j.Status == dhis2.JobRunning {
			return nil
		}
		return tx.audit("dhis2_push", j.Period, action, map[string]any{"job": j.ID, "status": j.Status, "dry_run": j.DryRun,
			"attempts": j.Attempts, "import_count": j.Count, "conflicts": len(j.Conflicts)})
	})
}
