package sqlstore

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"mesh"
)

// driverError turns driver errors into the project's codes so that handlers never
// see SQLite or PostgreSQL specifics (idea from gotosocial's internal/db/error.go).
// lookupFailed is the error of a look-up that failed for another reason than "no
// such row" (a dropped connection, a timeout), nil otherwise. Such a failure must
// reach the client as a server error to retry, never as a verdict that the record
// names something that does not exist: a device would drop the record for good.
func lookupFailed(err error) error {
	if err = driverError(err); mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil
	}
	return err
}

func driverError(err error) error {
	if err == nil {
		return nil
	}
	var me *mesh.Error
	if errors.As(err, &me) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return mesh.Errorf(mesh.ENOTFOUND, "not found")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &mesh.Error{Code: mesh.ECONFLICT, Message: "a record with the same key already exists" + constraintHint(pgErr.ConstraintName)}
		case "23503":
			return &mesh.Error{Code: mesh.EINVALID, Message: "a referenced record does not exist"}
		case "23514", "23502", "22P02", "22001", "22003":
			return &mesh.Error{Code: mesh.EINVALID, Message: "value rejected by the database: " + pgErr.Message}
		case "22021", "22P05":
			// Text PostgreSQL cannot store (a NUL character): the record is invalid, not
			// a server failure; a 5xx here made a device resend the batch forever.
			return &mesh.Error{Code: mesh.EINVALID, Message: "text holds a character the database cannot store (NUL): " + pgErr.Message}
		}
		return err
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &mesh.Error{Code: mesh.ECONFLICT, Message: "a record with the same key already exists" + constraintHint(sqliteColumns(sqErr.Error()))}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &mesh.Error{Code: mesh.EINVALID, Message: "a referenced record does not exist"}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &mesh.Error{Code: mesh.EINVALID, Message: "value rejected by the database: " + sqErr.Error()}
		}
	}
	return err
}

// constraintHint names the key that clashed, when the driver told us.
func constraintHint(name string) string {
	if name == "" {
		return ""
	}
	return " (" + name + ")"
}

// sqliteColumns extracts "table.column" from "UNIQUE constraint failed: table.column".
func sqliteColumns(msg string) string {
	if i := strings.LastIndex(msg, "failed: "); i >= 0 {
		return strings.TrimSuffix(strings.TrimSpace(msg[i+len("failed: "):]), ")")
	}
	return ""
}
