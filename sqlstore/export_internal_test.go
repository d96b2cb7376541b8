package sqlstore

import (
	"context"
	"database/sql"
)

// ReadForTest runs a query on the read pool, for tests that count what is stored
// (defined in a _test file, so only test binaries have it).
func (db *DB) ReadForTest(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, db.rebind(q), args...)
}
