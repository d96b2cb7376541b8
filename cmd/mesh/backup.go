package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"mesh/sqlstore"
)

// `mesh backup` and `mesh backup --check` (docs/operations.md). A SQLite backup is a
// consistent snapshot taken with VACUUM INTO while the server keeps serving (a read
// transaction in WAL mode: writers are not blocked); a PostgreSQL backup is pg_dump's
// custom format. Either is verified before it is called a backup: restored into a
// scratch file or database, integrity-checked, its schema version known to this
// program, and its indicator counts equal to a recount from its observations.

func init() {
	command("backup", "back up the database to a file, or check a backup (--check FILE)", runBackup)
}

func runBackup(env *Env, args []string) error {
	fs := newFlags(env, "backup", "backup --db DSN --out FILE | backup --check FILE [--db DSN]\n\n"+
		"SQLite: a consistent snapshot taken while the server serves (VACUUM INTO), then checked.\n"+
		"PostgreSQL: pg_dump -Fc into FILE, then checked by restoring it into a scratch database\n"+
		"on the same server. --check verifies an existing backup and prints a JSON report.\n"+
		"Exit status: 0 backup made and verified, 1 failure (including a backup that fails its\n"+
		"check), 2 bad usage or a FILE that is not a MESH backup.")
	var dsn, out, check string
	dbFlag(fs, env, &dsn)
	fs.StringVar(&out, "out", "", "file to write the backup to (must not exist)")
	fs.StringVar(&check, "check", "", "verify this backup file instead of making one (PostgreSQL dumps need --db for a scratch database)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "backup", fs.Arg(0))
	}
	ctx := context.Background()
	if check != "" {
		if out != "" {
			return usageT(env, "ops.backup.check_or_out")
		}
		rep, err := checkBackup(ctx, env, check, dsn)
		if rep != nil {
			printJSON(env.Stdout, rep)
		}
		return err
	}
	if out == "" {
		return usageT(env, "ops.backup.out_required")
	}
	if _, err := os.Stat(out); err == nil {
		return usageT(env, "ops.backup.out_exists", out)
	}
	// Written under a temporary name and checked there: a file with the name asked for
	// is always a whole backup that passed its check.
	tmp := out + ".partial"
	os.Remove(tmp)
	defer os.Remove(tmp)
	var err error
	if sqlstore.DialectOf(dsn) == sqlstore.Postgres {
		err = dumpPostgres(ctx, dsn, tmp)
	} else {
		err = snapshotSQLite(ctx, dsn, tmp)
	}
	if err != nil {
		return err
	}
	rep, err := checkBackup(ctx, env, tmp, dsn)
	if err == nil {
		err = sameSchemaVersion(ctx, dsn, rep.SchemaVersion)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", env.T("ops.backup.check_failed", out), err)
	}
	// A backup holds everything: named scores, password and session hashes.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	rep.File = out
	fmt.Fprintln(env.Stderr, "mesh: "+env.T("ops.backup.done", out, rep.SchemaVersion, rep.totalRows()))
	printJSON(env.Stdout, rep)
	return nil
}

// sameSchemaVersion checks that the backup's schema version is the live database's
// (migrations run in transactions, so a backup taken during an upgrade is either side).
func sameSchemaVersion(ctx context.Context, dsn string, backup int) error {
	raw, err := openRaw(dsn)
	if err != nil {
		return err
	}
	defer raw.Close()
	var live int
	if err := raw.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&live); err != nil {
		return fmt.Errorf("schema version of %s: %w", describeDSN(dsn), err)
	}
	if live != backup {
		return fmt.Errorf("the backup has schema version %d, the database %d (was it migrated meanwhile? take the backup again)", backup, live)
	}
	return nil
}

// backupReport is what a check found; printed as JSON.
type backupReport struct {
	File           string           `json:"file"`
	Format         string           `json:"format"` // sqlite or pg_dump
	SchemaVersion  int              `json:"schema_version"`
	KnownVersion   int              `json:"known_schema_version"`
	Integrity      string           `json:"integrity"`
	Tables         map[string]int64 `json:"tables"`
	CountsRecount  bool             `json:"indicator_counts_equal_recount"`
	CountCells     int              `json:"indicator_count_cells"`
	CheckedSeconds float64          `json:"checked_seconds"`
}

func (r *backupReport) totalRows() int64 {
	var n int64
	for _, c := range r.Tables {
		n += c
	}
	return n
}

func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// Backup file formats, told apart by their first bytes.
const (
	formatSQLite = "sqlite"
	formatPGDump = "pg_dump"
)

func backupFormat(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	switch {
	case bytes.HasPrefix(head[:n], []byte("SQLite format 3\x00")):
		return formatSQLite, nil
	case bytes.HasPrefix(head[:n], []byte("PGDMP")):
		return formatPGDump, nil
	}
	return "", nil
}

// snapshotSQLite writes a consistent copy of the SQLite database at src to out.
func snapshotSQLite(ctx context.Context, src, out string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("database %s: %w", src, err)
	}
	// A connection of its own, without the server pool's query_only: VACUUM INTO
	// reads inside one transaction, so the copy is one consistent state.
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		return fmt.Errorf("snapshot %s: %w", src, err)
	}
	return syncFile(out)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// dumpPostgres runs pg_dump in its custom format (compressed, restorable table by
// table with pg_restore).
func dumpPostgres(ctx context.Context, dsn, out string) error {
	bin, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--file="+out, "--dbname="+libpqDSN(dsn))
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_dump: %v: %s", err, strings.TrimSpace(string(b)))
	}
	return syncFile(out)
}

// libpqDSN drops the URL parameters that pgx understands but libpq tools refuse.
func libpqDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "search_path", "default_query_exec_mode", "statement_cache_capacity", "pool_max_conns":
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// pgTool finds a PostgreSQL client program on PATH, else in Debian's
// /usr/lib/postgresql/VERSION/bin (newest first).
func pgTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	if len(dirs) > 0 {
		return dirs[0], nil
	}
	return "", fmt.Errorf("%s not found on PATH or in /usr/lib/postgresql/*/bin: install the PostgreSQL client", name)
}

// checkBackup verifies a backup file by restoring it into a scratch copy: a temporary
// file for SQLite, a temporary database on the server of dsn for a pg_dump.
func checkBackup(ctx context.Context, env *Env, file, dsn string) (*backupReport, error) {
	start := time.Now()
	format, err := backupFormat(file)
	if err != nil {
		return nil, usageT(env, "ops.backup.unreadable", file, err)
	}
	var scratch string
	switch format {
	case formatSQLite:
		dir, err := os.MkdirTemp("", "mesh-check-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		scratch = filepath.Join(dir, "check.db")
		if err := copyFile(file, scratch); err != nil {
			return nil, err
		}
	case formatPGDump:
		if sqlstore.DialectOf(dsn) != sqlstore.Postgres {
			return nil, usageT(env, "ops.backup.check_needs_pg", file)
		}
		var drop func()
		scratch, drop, err = scratchDatabase(ctx, dsn)
		if err != nil {
			return nil, err
		}
		defer drop()
		if err := pgRestore(ctx, scratch, file); err != nil {
			return nil, err
		}
	default:
		return nil, usageT(env, "ops.backup.not_backup", file)
	}
	rep, err := inspectDatabase(ctx, scratch)
	if rep != nil {
		rep.File, rep.Format = file, format
		rep.CheckedSeconds = math.Round(time.Since(start).Seconds()*100) / 100
	}
	if err != nil {
		return rep, err
	}
	if rep.SchemaVersion > rep.KnownVersion {
		return rep, usageT(env, "ops.restore.newer_schema", file, rep.SchemaVersion, rep.KnownVersion)
	}
	return rep, nil
}

// inspectDatabase checks a restored scratch database: integrity (SQLite), schema
// version, rows per table, and the indicator counts against a recount.
func inspectDatabase(ctx context.Context, dsn string) (*backupReport, error) {
	rep := &backupReport{Tables: map[string]int64{}, Integrity: "ok"}
	raw, err := openRaw(dsn)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	d := sqlstore.DialectOf(dsn)
	if d == sqlstore.SQLite {
		rows, err := raw.QueryContext(ctx, "PRAGMA integrity_check")
		if err != nil {
			return nil, fmt.Errorf("integrity check: %w", err)
		}
		var msgs []string
		for rows.Next() {
			var m string
			rows.Scan(&m)
			msgs = append(msgs, m)
		}
		rows.Close()
		rep.Integrity = strings.Join(msgs, "; ")
		if rep.Integrity != "ok" {
			return rep, fmt.Errorf("integrity check failed: %s", truncate(rep.Integrity, 300))
		}
	}
	known, err := sqlstore.Migrations(d)
	if err != nil {
		return nil, err
	}
	rep.KnownVersion = known[len(known)-1].Version
	if err := raw.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&rep.SchemaVersion); err != nil {
		return rep, fmt.Errorf("not a MESH database (no schema_migrations): %w", err)
	}
	tables, err := tableNames(ctx, raw, d)
	if err != nil {
		return rep, err
	}
	for _, t := range tables {
		var n int64
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM "`+t+`"`).Scan(&n); err != nil {
			return rep, fmt.Errorf("count %s: %w", t, err)
		}
		rep.Tables[t] = n
	}
	if rep.SchemaVersion > rep.KnownVersion {
		return rep, nil // the caller refuses it; recounting a newer schema is not meaningful
	}
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return rep, err
	}
	defer st.Close()
	recount, err := st.RecountIndicators(ctx)
	if err != nil {
		return rep, fmt.Errorf("recount: %w", err)
	}
	stored, err := st.StoredCounts(ctx)
	if err != nil {
		return rep, fmt.Errorf("stored counts: %w", err)
	}
	rep.CountCells = len(stored)
	rep.CountsRecount = countsEqual(stored, recount)
	if !rep.CountsRecount {
		return rep, errors.New("the indicator counts in the backup differ from a recount of its observations")
	}
	return rep, nil
}

func countsEqual(a, b map[string][2]float64) bool {
	for k, v := range b {
		if s := a[k]; math.Abs(s[0]-v[0]) > 1e-6 || math.Abs(s[1]-v[1]) > 1e-6 {
			return false
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// openRaw opens dsn with database/sql alone (no migration, no store).
func openRaw(dsn string) (*sql.DB, error) {
	if sqlstore.DialectOf(dsn) == sqlstore.Postgres {
		return sql.Open("pgx", dsn)
	}
	return sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)")
}

// tableNames lists the base tables of the database (PostgreSQL: its current schema).
func tableNames(ctx context.Context, db *sql.DB, d sqlstore.Dialect) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if d == sqlstore.Postgres {
		q = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// scratchDatabase creates an empty database on the server of dsn and returns its DSN
// and a function that drops it.
func scratchDatabase(ctx context.Context, dsn string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	name := "mesh_check_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create scratch database (the --db role needs CREATEDB): %w", err)
	}
	u, _ := url.Parse(libpqDSN(dsn))
	u.Path = "/" + name
	drop := func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}
	return u.String(), drop, nil
}

// pgRestore restores a custom-format dump into the database dsn.
func pgRestore(ctx context.Context, dsn, file string) error {
	bin, err := pgTool("pg_restore")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--no-owner", "--exit-on-error", "--single-transaction", "--dbname="+libpqDSN(dsn), file)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_restore: %v: %s", err, truncate(strings.TrimSpace(string(b)), 500))
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
