package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"mesh"
	"mesh/account"
)

// PendingImport is a checked upload of the import page waiting for its owner's
// confirmation. It lives in the database, not in one server's memory, so that a
// restart or another server behind the load balancer can confirm it.
type PendingImport struct {
	UserID    int64
	Kind      string // places, health-workers, users
	FileName  string
	Data      []byte
	CreatedAt time.Time
}

// Limits of a pending import: its age and its size (the upload's own limit).
const (
	PendingImportTTL = 30 * time.Minute
	MaxPendingImport = 10 << 20
)

// PutPendingImport keeps p for its owner and returns the token that confirms it: 128
// random bits, of which only a hash is stored. A user has one pending import; a new
// one replaces the last. Expired ones (anybody's) are deleted on the way.
func (db *DB) PutPendingImport(ctx context.Context, p *PendingImport) (string, error) {
	switch {
	case p.UserID <= 0:
		return "", mesh.Invalid(mesh.Rule("MISSING_REQUIRED", "user_id", "user_id is required"))
	case p.Kind == "":
		return "", mesh.Invalid(mesh.Rule("MISSING_REQUIRED", "kind", "kind is required"))
	case len(p.Data) == 0:
		return "", mesh.Invalid(mesh.Rule("MISSING_REQUIRED", "file", "file is required"))
	case len(p.Data) > MaxPendingImport:
		return "", mesh.Errorf(mesh.ETOOLARGE, "the file is larger than %d MB", MaxPendingImport>>20)
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.deleteExpiredImports(); err != nil {
			return err
		}
		p.CreatedAt = tx.now
		// An upsert on the owner, so that two uploads at once by one user (two tabs,
		// two servers) leave one row, the last, and neither fails.
		_, err := tx.exec(`INSERT INTO pending_imports (token_hash, user_id, kind, file_name, data, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, kind = excluded.kind,
			file_name = excluded.file_name, data = excluded.data, created_at = excluded.created_at`,
			account.HashToken(token), p.UserID, p.Kind, p.FileName, p.Data, p.CreatedAt)
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// TakePendingImport returns and deletes, in one statement, the pending import of
// userID with token: of two confirmations at once (even on two servers) exactly one
// gets it. ENOTFOUND when there is none: never stored, expired, already taken or
// another user's.
func (db *DB) TakePendingImport(ctx context.Context, userID int64, token string) (*PendingImport, error) {
	if token == "" {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "no pending import")
	}
	var p *PendingImport
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.deleteExpiredImports(); err != nil {
			return err
		}
		rows, err := tx.query(`DELETE FROM pending_imports WHERE token_hash = ? AND user_id = ?
			RETURNING user_id, kind, file_name, data, created_at`, account.HashToken(token), userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var got PendingImport
			if err := rows.Scan(&got.UserID, &got.Kind, &got.FileName, &got.Data, &got.CreatedAt); err != nil {
				return driverError(err)
			}
			p = &got
		}
		return driverError(rows.Err())
	})
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "no pending import")
	}
	return p, nil
}

// deleteExpiredImports drops the pending imports older than PendingImportTTL.
func (tx *Tx) deleteExpiredImports() error {
	_, err := tx.exec(`DELETE FROM pending_imports WHERE created_at < ?`, tx.now.Add(-PendingImportTTL))
	return err
}
