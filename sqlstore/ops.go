package sqlstore

import "context"

// RecordRestore writes the audit entry of a restore into the restored database, so its
// trail says from which backup it came back (the entity is the database itself).
func (db *DB) RecordRestore(ctx context.Context, from, format string, schemaVersion int, rows int64) error {
	entry := map[string]any{"from": from, "format": format, "schema_version": schemaVersion, "rows": rows}
	return db.inTx(ctx, func(tx *Tx) error { return tx.audit("database", "restore", "restore", entry) })
}
