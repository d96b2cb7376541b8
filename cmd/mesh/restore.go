package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"mesh"
	"mesh/sqlstore"
)

// `mesh restore` puts a backup made by `mesh backup` (or pg_dump -Fc) into a database.
// It checks the backup first, refuses a schema newer than this program knows, and
// refuses to overwrite a database that holds anything unless --force is given.

func init() {
	command("restore", "restore a backup made by mesh backup into a database (--force to overwrite)", runRestore)
}

func runRestore(env *Env, args []string) error {
	fs := newFlags(env, "restore", "restore --db DSN --from FILE [--force]\n\n"+
		"Stop `mesh serve` on the target first. The backup is checked before anything is\n"+
		"written; a SQLite snapshot restores to a SQLite file, a pg_dump to PostgreSQL.\n"+
		"Exit status: 0 restored, 1 failure, 2 bad usage, a file that is not a MESH backup,\n"+
		"a schema newer than this program, or a non-empty target without --force.")
	var dsn, from string
	dbFlag(fs, env, &dsn)
	fs.StringVar(&from, "from", "", "backup file to restore")
	force := fs.Bool("force", false, "overwrite a database that already holds data")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "restore", fs.Arg(0))
	}
	if from == "" {
		return usageT(env, "ops.restore.from_required")
	}
	ctx := context.Background()
	format, err := backupFormat(from)
	if err != nil {
		return usageT(env, "ops.backup.unreadable", from, err)
	}
	target := sqlstore.DialectOf(dsn)
	switch {
	case format == "":
		return usageT(env, "ops.backup.not_backup", from)
	case format == formatSQLite && target != sqlstore.SQLite, format == formatPGDump && target != sqlstore.Postgres:
		return usageT(env, "ops.restore.dialect_mismatch", from, format, describeDSN(dsn))
	}
	rep, err := checkBackup(ctx, env, from, dsn)
	if err != nil {
		return err
	}
	empty, err := databaseEmpty(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open database %s: %w", describeDSN(dsn), err)
	}
	if !empty && !*force {
		return usageT(env, "ops.restore.not_empty", describeDSN(dsn))
	}
	if format == formatSQLite {
		err = restoreSQLite(from, dsn)
	} else {
		err = restorePostgres(ctx, from, dsn)
	}
	if err != nil {
		return err
	}
	// Read back what landed: the same rows per table as the checked backup.
	got, err := inspectDatabase(ctx, dsn)
	if err != nil {
		return fmt.Errorf("after restore: %w", err)
	}
	for t, n := range rep.Tables {
		if got.Tables[t] != n {
			return fmt.Errorf("after restore: table %s has %d rows, the backup %d", t, got.Tables[t], n)
		}
	}
	if err := recordRestore(ctx, dsn, from, rep); err != nil {
		return fmt.Errorf("after restore: audit entry: %w", err)
	}
	fmt.Fprintln(env.Stderr, "mesh: "+env.T("ops.restore.done", from, describeDSN(dsn), rep.SchemaVersion, rep.totalRows()))
	printJSON(env.Stdout, got)
	return nil
}

// recordRestore writes the restore into the restored database's audit trail.
func recordRestore(ctx context.Context, dsn, from string, rep *backupReport) error {
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	abs, _ := filepath.Abs(from)
	ctx = mesh.WithActor(ctx, mesh.Actor{Username: "cli", Role: "system"})
	return st.RecordRestore(ctx, abs, rep.Format, rep.SchemaVersion, rep.totalRows())
}

// databaseEmpty reports whether the target has no tables at all (a missing SQLite file
// is empty).
func databaseEmpty(ctx context.Context, dsn string) (bool, error) {
	d := sqlstore.DialectOf(dsn)
	if d == sqlstore.SQLite {
		if fi, err := os.Stat(dsn); os.IsNotExist(err) || (err == nil && fi.Size() == 0) {
			return true, nil
		}
	}
	raw, err := openRaw(dsn)
	if err != nil {
		return false, err
	}
	defer raw.Close()
	tables, err := tableNames(ctx, raw, d)
	return len(tables) == 0, err
}

// restoreSQLite copies the snapshot next to the target and renames it into place, so
// the target is either the old database or the whole backup, never half of one. The
// old write-ahead log goes too: replayed over the snapshot it would corrupt it.
func restoreSQLite(from, dsn string) error {
	dir := filepath.Dir(dsn)
	tmp, err := os.CreateTemp(dir, filepath.Base(dsn)+".restore-*")
	if err != nil {
		return err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := copyFile(from, tmp.Name()); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(dsn + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return os.Rename(tmp.Name(), dsn)
}

// restorePostgres empties the target's current schema and restores the dump into it.
func restorePostgres(ctx context.Context, from, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var schema string
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return err
	}
	if schema != "public" {
		return fmt.Errorf("restore goes into the public schema of a database; %s uses schema %s", describeDSN(dsn), schema)
	}
	if _, err := db.ExecContext(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		return fmt.Errorf("empty the target: %w", err)
	}
	return pgRestore(ctx, dsn, from)
}
