package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// Migration is one schema step, numbered the same in both dialect folders.
type Migration struct {
	Version   int
	Name      string
	SQL       string
	AppliedAt *time.Time
}

// Migrations lists the embedded migrations of a dialect in version order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		v, name, ok := parseMigrationName(e.Name())
		if !ok {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func parseMigrationName(file string) (int, string, bool) {
	base, ok := strings.CutSuffix(file, ".sql")
	num, name, ok2 := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	return v, name, ok && ok2 && err == nil && v > 0
}

// MigrationStatus lists every known migration with when it was applied (nil if not).
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	if err := db.ensureMigrationTable(ctx); err != nil {
		return nil, err
	}
	all, err := Migrations(db.Dialect)
	if err != nil {
		return nil, err
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if t, ok := applied[all[i].Version]; ok {
			all[i].AppliedAt = &t
		}
	}
	return all, nil
}

// Migrate applies every pending migration, each in its own transaction, then the data
// steps some of them leave to Go (runBackfills). It refuses a database whose schema is
// newer than this program knows, rather than risk damaging it.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	if err := db.ensureMigrationTable(ctx); err != nil {
		return 0, err
	}
	all, err := Migrations(db.Dialect)
	if err != nil {
		return 0, err
	}
	if err := db.checkNotNewer(ctx, all); err != nil {
		return 0, err
	}
	for _, m := range all {
		done, err := db.applyMigration(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if done {
			applied++
		}
	}
	return applied, db.runBackfills(ctx)
}

// SchemaCurrent reports whether every known migration is applied (for /healthz).
func (db *DB) SchemaCurrent(ctx context.Context) (bool, error) {
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.AppliedAt == nil {
			return false, nil
		}
	}
	return true, nil
}

func (db *DB) checkNotNewer(ctx context.Context, known []Migration) error {
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	latest := 0
	if len(known) > 0 {
		latest = known[len(known)-1].Version
	}
	for v := range applied {
		if v > latest {
			return fmt.Errorf("the database schema is at version %d, newer than this program knows (%d): upgrade mesh", v, latest)
		}
	}
	return nil
}

func (db *DB) ensureMigrationTable(ctx context.Context) error {
	ts := "TIMESTAMP"
	if db.Dialect == Postgres {
		ts = "TIMESTAMPTZ"
	}
	_, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at `+ts+` NOT NULL)`)
	return err
}

func (db *DB) appliedMigrations(ctx context.Context) (map[int]time.Time, error) {
	rows, err := db.write.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]time.Time{}
	for rows.Next() {
		var v int
		var t time.Time
		if err := rows.Scan(&v, &t); err != nil {
			return nil, err
		}
		out[v] = t
	}
	return out, rows.Err()
}

// applyMigration runs m unless it is already applied. On PostgreSQL an advisory lock
// keeps two servers starting at once from applying the same step twice.
func (db *DB) applyMigration(ctx context.Context, m Migration) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if db.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(727274)"); err != nil {
			return false, err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.rebind("SELECT count(*) FROM schema_migrations WHERE version = ?"), m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, db.rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.Version, m.Name, db.Now().UTC()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
