package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"mesh"
	"mesh/account"
	"mesh/audit"
	"mesh/place"
)

const userSelect = `SELECT u.id, u.username, u.display_name, u.role, u.scope_id, COALESCE(o.path, ''), u.password_hash,
	u.language, u.active, u.version, u.created_at, u.updated_at
	FROM users u LEFT JOIN orgunits o ON o.id = u.scope_id`

func scanUser(r rowScanner) (*account.User, error) {
	var u account.User
	var scope sql.NullInt64
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &scope, &u.ScopePath, &u.PasswordHash,
		&u.Language, &u.Active, &u.Version, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return nil, driverError(err)
	}
	if scope.Valid {
		u.ScopeID = &scope.Int64
	}
	return &u, nil
}

// checkUserScope checks that the scope place exists and has the type the role needs.
func (tx *Tx) checkUserScope(u *account.User) error {
	if u.ScopeID == nil {
		return nil
	}
	o, err := tx.orgUnit(*u.ScopeID)
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "scope_id", Message: "scope_id names no place"})
	} else if err != nil {
		return err
	}
	if want := u.Role.ScopeType(); want != "" && string(o.Type) != want {
		return mesh.Invalid(mesh.FieldError{Code: "INVALID_SCOPE", Field: "scope_id", Message: "a " + string(u.Role) + "'s scope_id must name a " + want})
	}
	u.ScopePath = o.Path
	return nil
}

// CreateUser adds an account; PasswordHash must already be set.
func (db *DB) CreateUser(ctx context.Context, u *account.User) error {
	return db.inTx(ctx, func(tx *Tx) error {
		u.Normalize()
		if err := u.Validate(); err != nil {
			return err
		}
		if err := tx.checkUserScope(u); err != nil {
			return err
		}
		err := tx.insertUser(u)
		if mesh.ErrorCode(err) == mesh.ECONFLICT {
			return &mesh.Error{Code: mesh.ECONFLICT, Message: "username " + u.Username + " is taken",
				Fields: []mesh.FieldError{{Code: "DUPLICATE", Field: "username", Message: "username " + u.Username + " is taken"}}}
		} else if err != nil {
			return err
		}
		return tx.audit("user", u.ID, "create", asMap(u))
	})
}

// insertUser writes a validated new account, active, at version 1 (CreateUser, ImportUsers).
func (tx *Tx) insertUser(u *account.User) error {
	u.Active, u.Version, u.CreatedAt, u.UpdatedAt = true, 1, tx.now, tx.now
	id, err := tx.insertID(`INSERT INTO users (username, display_name, role, scope_id, password_hash, language, active, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.DisplayName, u.Role, u.ScopeID, u.PasswordHash, u.Language, u.Active, u.Version, u.CreatedAt, u.UpdatedAt)
	if err != nil {
		return err
	}
	u.ID = id
	return nil
}

// FindUserByID returns one user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*account.User, error) {
	u, err := scanUser(db.readRow(ctx, userSelect+` WHERE u.id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "user %d not found", id)
	}
	return u, err
}

// FindUserByUsername returns one user by login name.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*account.User, error) {
	u, err := scanUser(db.readRow(ctx, userSelect+` WHERE u.username = ?`, username))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "user %s not found", username)
	}
	return u, err
}

// FindUsers returns users matching f, ordered by username.
func (db *DB) FindUsers(ctx context.Context, f account.UserFilter) ([]*account.User, int, error) {
	var w where
	if f.ID != nil {
		w.add("u.id = ?", *f.ID)
	}
	if f.Username != nil {
		w.add("u.username = ?", *f.Username)
	}
	if f.Role != nil {
		w.add("u.role = ?", string(*f.Role))
	}
	if f.Under != nil {
		// A mentor has no scope place: they fall in an area through their assignments.
		var sub where
		sub.under("fo.path", f.Under)
		inner := `u.id IN (SELECT a.mentor_id FROM assignments a JOIN orgunits fo ON fo.id = a.facility_id` + sub.String() + `)`
		var own where
		own.under("o.path", f.Under)
		w.clauses = append(w.clauses, "("+own.clauses[0]+" OR "+inner+")")
		w.args = append(w.args, own.args...)
		w.args = append(w.args, sub.args...)
	}
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM (`+userSelect+w.String()+`) t`, w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, userSelect+w.String()+` ORDER BY u.username`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*account.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, driverError(rows.Err())
}

// UpdateUser changes a user. Changing the password or deactivating ends their sessions.
func (db *DB) UpdateUser(ctx context.Context, id int64, upd account.UserUpdate) (*account.User, error) {
	var out *account.User
	err := db.inTx(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.queryRow(userSelect+` WHERE u.id = ?`, id))
		if mesh.ErrorCode(err) == mesh.ENOTFOUND {
			return mesh.Errorf(mesh.ENOTFOUND, "user %d not found", id)
		} else if err != nil {
			return err
		}
		if err := checkVersion("user", upd.Version, u.Version); err != nil {
			return err
		}
		before := asMap(u)
		applyUserUpdate(u, upd)
		u.Normalize()
		if err := u.Validate(); err != nil {
			return err
		}
		if err := tx.checkUserScope(u); err != nil {
			return err
		}
		u.Version++
		u.UpdatedAt = tx.now
		if err := tx.update("user", `UPDATE users SET display_name = ?, role = ?, scope_id = ?, password_hash = ?, language = ?, active = ?, version = ?, updated_at = ? WHERE id = ?`,
			u.DisplayName, u.Role, u.ScopeID, u.PasswordHash, u.Language, u.Active, u.Version, u.UpdatedAt, id); err != nil {
			return err
		}
		if upd.PasswordHash != nil || !u.Active {
			if _, err := tx.exec(`DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		changes := audit.Diff(before, asMap(u))
		if upd.PasswordHash != nil {
			changes["password"] = [2]any{"***", "changed"}
		}
		out = u
		return tx.audit("user", id, "update", changes)
	})
	return out, err
}

func applyUserUpdate(u *account.User, upd account.UserUpdate) {
	if upd.DisplayName != nil {
		u.DisplayName = *upd.DisplayName
	}
	if upd.Role != nil {
		u.Role = *upd.Role
	}
	if upd.ScopeID != nil {
		u.ScopeID = upd.ScopeID
		if *upd.ScopeID == 0 {
			u.ScopeID = nil
		}
	}
	if upd.Language != nil {
		u.Language = *upd.Language
	}
	if upd.Active != nil {
		u.Active = *upd.Active
	}
	if upd.PasswordHash != nil {
		u.PasswordHash = *upd.PasswordHash
	}
}

// ScopeOf resolves the area a user may see. An admin without a scope place sees all;
// a mentor sees the facilities assigned to them today.
func (db *DB) ScopeOf(ctx context.Context, u *account.User) (account.Scope, error) {
	switch {
	case u.Role == account.Admin && u.ScopeID == nil:
		return account.Scope{All: true}, nil
	case u.Role == account.Mentor:
		today := mesh.DateOf(db.Now())
		rows, err := db.readQuery(ctx, `SELECT DISTINCT o.path FROM assignments a JOIN orgunits o ON o.id = a.facility_id
			WHERE a.mentor_id = ? AND a.start_on <= ? AND (a.end_on IS NULL OR a.end_on >= ?) ORDER BY o.path`, u.ID, today, today)
		if err != nil {
			return account.Scope{}, err
		}
		defer rows.Close()
		s := account.Scope{Paths: []string{}}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				return account.Scope{}, driverError(err)
			}
			s.Paths = append(s.Paths, p)
		}
		return s, driverError(rows.Err())
	case u.ScopeID != nil && u.ScopePath != "":
		return account.Scope{Paths: []string{u.ScopePath}}, nil
	}
	return account.Scope{Paths: []string{}}, nil
}

const assignmentSelect = `SELECT a.id, a.mentor_id, a.facility_id, a.start_on, a.end_on, a.created_at, o.path
	FROM assignments a JOIN orgunits o ON o.id = a.facility_id`

func scanAssignment(r rowScanner) (*account.Assignment, error) {
	var a account.Assignment
	err := r.Scan(&a.ID, &a.MentorID, &a.FacilityID, &a.StartOn, &a.EndOn, &a.CreatedAt, &a.FacilityPath)
	return &a, driverError(err)
}

// CreateAssignment puts a mentor on a facility.
func (db *DB) CreateAssignment(ctx context.Context, a *account.Assignment) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := a.Validate(); err != nil {
			return err
		}
		m, err := scanUser(tx.queryRow(userSelect+` WHERE u.id = ?`, a.MentorID))
		if mesh.ErrorCode(err) == mesh.ENOTFOUND || (err == nil && m.Role != account.Mentor) {
			return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "mentor_id", Message: "mentor_id must name a user with the mentor role"})
		} else if err != nil {
			return err
		}
		f, err := tx.orgUnit(a.FacilityID)
		if mesh.ErrorCode(err) == mesh.ENOTFOUND || (err == nil && f.Type != place.Facility) {
			return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "facility_id", Message: "facility_id must name a facility"})
		} else if err != nil {
			return err
		}
		a.FacilityPath, a.CreatedAt = f.Path, tx.now
		id, err := tx.insertID(`INSERT INTO assignments (mentor_id, facility_id, start_on, end_on, created_at) VALUES (?, ?, ?, ?, ?)`,
			a.MentorID, a.FacilityID, a.StartOn, a.EndOn, a.CreatedAt)
		if err != nil {
			return err
		}
		a.ID = id
		return tx.audit("assignment", id, "create", asMap(a))
	})
}

// FindAssignments returns assignments matching f, newest first.
func (db *DB) FindAssignments(ctx context.Context, f account.AssignmentFilter) ([]*account.Assignment, int, error) {
	var w where
	if f.ID != nil {
		w.add("a.id = ?", *f.ID)
	}
	if f.MentorID != nil {
		w.add("a.mentor_id = ?", *f.MentorID)
	}
	if f.FacilityID != nil {
		w.add("a.facility_id = ?", *f.FacilityID)
	}
	if f.ActiveOn != "" {
		w.add("a.start_on <= ? AND (a.end_on IS NULL OR a.end_on >= ?)", f.ActiveOn, f.ActiveOn)
	}
	w.under("o.path", f.Under)
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM (`+assignmentSelect+w.String()+`) t`, w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, assignmentSelect+w.String()+` ORDER BY a.start_on DESC, a.id DESC`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*account.Assignment
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, a)
	}
	return out, total, driverError(rows.Err())
}

// EndAssignment sets the last day of an assignment.
func (db *DB) EndAssignment(ctx context.Context, id int64, on mesh.Date) (*account.Assignment, error) {
	var out *account.Assignment
	err := db.inTx(ctx, func(tx *Tx) error {
		a, err := scanAssignment(tx.queryRow(assignmentSelect+` WHERE a.id = ?`, id))
		if mesh.ErrorCode(err) == mesh.ENOTFOUND {
			return mesh.Errorf(mesh.ENOTFOUND, "assignment %d not found", id)
		} else if err != nil {
			return err
		}
		if on == "" || !on.Valid() || on < a.StartOn {
			return mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "end_on", Message: "end_on must be a date on or after start_on (" + string(a.StartOn) + ")"})
		}
		before := asMap(a)
		a.EndOn = on
		if _, err := tx.exec(`UPDATE assignments SET end_on = ? WHERE id = ?`, on, id); err != nil {
			return err
		}
		out = a
		return tx.audit("assignment", id, "update", audit.Diff(before, asMap(a)))
	})
	return out, err
}

// CreateSession stores a session or API token (by its hash) and audits the login.
func (db *DB) CreateSession(ctx context.Context, s *account.Session) error {
	return db.inTx(ctx, func(tx *Tx) error {
		s.CreatedAt = tx.now
		if _, err := tx.exec(`INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			s.TokenHash, s.UserID, s.Kind, s.CreatedAt, s.ExpiresAt); err != nil {
			return err
		}
		// Expired sessions are swept on login rather than by a separate job.
		if _, err := tx.exec(`DELETE FROM sessions WHERE expires_at < ?`, tx.now); err != nil {
			return err
		}
		return tx.audit("session", s.UserID, "login", map[string]any{"kind": s.Kind})
	})
}

// FindSession returns a live session and its (active) user, or ENOTFOUND/EUNAUTHORIZED.
func (db *DB) FindSession(ctx context.Context, tokenHash string) (*account.Session, *account.User, error) {
	var s account.Session
	err := db.readRow(ctx, `SELECT token_hash, user_id, kind, created_at, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &s.UserID, &s.Kind, &s.CreatedAt, &s.ExpiresAt)
	if err != nil {
		return nil, nil, mesh.Errorf(mesh.EUNAUTHORIZED, "session not found or expired")
	}
	if db.Now().After(s.ExpiresAt) {
		return nil, nil, mesh.Errorf(mesh.EUNAUTHORIZED, "session not found or expired")
	}
	u, err := db.FindUserByID(ctx, s.UserID)
	if err != nil || !u.Active {
		return nil, nil, mesh.Errorf(mesh.EUNAUTHORIZED, "session not found or expired")
	}
	return &s, u, nil
}

// DeleteSession ends a session (logout).
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(`DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
}

// RecordLogin notes a login attempt for rate limiting.
func (db *DB) RecordLogin(ctx context.Context, username, ip string, ok bool) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(`INSERT INTO login_attempts (at, username, ip, ok) VALUES (?, ?, ?, ?)`, tx.now, username, ip, ok)
		return err
	})
}

// RecentLoginFailures counts failed logins since a time, by username and by address.
func (db *DB) RecentLoginFailures(ctx context.Context, username, ip string, since time.Time) (int, int, error) {
	var byUser, byIP int
	err := db.readRow(ctx, `SELECT
		(SELECT count(*) FROM login_attempts WHERE username = ? AND at >= ? AND ok = ?),
		(SELECT count(*) FROM login_attempts WHERE ip = ? AND at >= ? AND ok = ?)`,
		username, since, false, ip, since, false).Scan(&byUser, &byIP)
	return byUser, byIP, driverError(err)
}

// FindAuditEntries returns audit entries matching f, newest first.
func (db *DB) FindAuditEntries(ctx context.Context, f audit.Filter) ([]*audit.Entry, int, error) {
	var w where
	if f.Entity != "" {
		w.add("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		w.add("entity_id = ?", f.EntityID)
	}
	if f.ActorID != nil {
		w.add("actor_id = ?", *f.ActorID)
	}
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM audit_log`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, `SELECT id, at, actor_id, actor, entity, entity_id, action, changes FROM audit_log`+w.String()+
		` ORDER BY id DESC`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*audit.Entry
	for rows.Next() {
		var e audit.Entry
		var actorID sql.NullInt64
		var changes string
		if err := rows.Scan(&e.ID, &e.At, &actorID, &e.Actor, &e.Entity, &e.EntityID, &e.Action, &changes); err != nil {
			return nil, 0, driverError(err)
		}
		if actorID.Valid {
			e.ActorID = &actorID.Int64
		}
		e.Changes = []byte(changes)
		out = append(out, &e)
	}
	return out, total, driverError(rows.Err())
}
