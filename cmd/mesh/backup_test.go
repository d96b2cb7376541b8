package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// TestBackupRestoreRoundTrip backs up a database while the real `mesh serve` is
// storing observations on it, restores the backup into a new database and checks:
// every record acknowledged before the backup began is in the restore, the restore
// has the backup's rows table by table, and its indicator counts equal a recount.
func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		roundTrip(t, filepath.Join(dir, "live.db"), filepath.Join(dir, "restored.db"), filepath.Join(dir, "backup.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv(sqlstoretest.PostgresEnv)
		if base == "" {
			t.Skipf("PostgreSQL backup test skipped: set %s (.ci/run does)", sqlstoretest.PostgresEnv)
		}
		if _, err := pgTool("pg_dump"); err != nil {
			t.Skipf("PostgreSQL backup test skipped: %v", err)
		}
		roundTrip(t, freshDatabase(t, base), freshDatabase(t, base), filepath.Join(t.TempDir(), "backup.pgdump"))
	})
}

// freshDatabase creates an empty database on the server of base, dropped at cleanup:
// pg_dump works on whole databases, not on the per-test schemas of sqlstoretest.
func freshDatabase(t *testing.T, base string) string {
	t.Helper()
	dsn := base
	name := "mesh_bk_" + strings.ToLower(runID()+runID())
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Skipf("PostgreSQL backup test skipped: cannot create a database: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, _ := url.Parse(libpqDSN(dsn))
	u.Path = "/" + name
	return u.String()
}

func roundTrip(t *testing.T, live, restored, file string) {
	s := prepareDB(t, live)
	p := startMesh(t, "--db", live)
	c := newLoadClient(p.url, 2)
	token, err := c.login(context.Background(), "mentor.kayonza", "mesh-demo-2026")
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := relRecords(runID(), s, 1500)
	bs := batches(recs, 50)

	// A device keeps syncing in the background while the backup is taken.
	var mu sync.Mutex
	acked := map[string]int{}
	done := make(chan error, 1)
	progress := make(chan int, len(bs))
	go func() {
		deadline := time.Now().Add(3 * time.Minute)
		for i, b := range bs {
			mine := map[string]int{}
			if _, err := syncUntilAcked(c, token, b, mine, deadline); err != nil {
				done <- err
				return
			}
			mu.Lock()
			for k, v := range mine {
				acked[k] = v
			}
			mu.Unlock()
			progress <- i
		}
		done <- nil
	}()
	for i := 0; i < 5; i++ { // some records stored before the backup starts
		select {
		case <-progress:
		case err := <-done:
			t.Fatalf("device stopped early: %v", err)
		}
	}
	mu.Lock()
	before := make(map[string]int, len(acked))
	for k, v := range acked {
		before[k] = v
	}
	mu.Unlock()

	t0 := time.Now()
	st, out, errOut := runCLI(t, "", "backup", "--db", live, "--out", file)
	took := time.Since(t0)
	if st != 0 {
		t.Fatalf("backup: status %d: %s", st, errOut)
	}
	var rep backupReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("backup report: %v\n%s", err, out)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(file)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, want 0600 (it holds named scores and password hashes)", fi.Mode().Perm())
	}
	t.Logf("backup of %s while serving: %.2fs, %d bytes, %d rows, %d observations (%d acknowledged before it began, %d after the device finished), %d count cells equal to a recount",
		rep.Format, took.Seconds(), fi.Size(), rep.totalRows(), rep.Tables["observations"], len(before), len(acked), rep.CountCells)
	if rep.SchemaVersion != rep.KnownVersion || !rep.CountsRecount || rep.Integrity != "ok" {
		t.Errorf("backup report: %+v", rep)
	}
	if rep.Tables["observations"] < int64(len(before))-int64(len(before)/50) {
		t.Errorf("the backup has %d observations, fewer than were acknowledged before it began", rep.Tables["observations"])
	}

	// Restore into a new database: same rows table by table, everything acknowledged
	// before the backup present, counts equal to a recount.
	st, out, errOut = runCLI(t, "", "restore", "--db", restored, "--from", file)
	if st != 0 {
		t.Fatalf("restore: status %d: %s", st, errOut)
	}
	var got backupReport
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("restore report: %v\n%s", err, out)
	}
	for table, n := range rep.Tables {
		if got.Tables[table] != n {
			t.Errorf("table %s: %d rows restored, %d in the backup", table, got.Tables[table], n)
		}
	}
	present := presentIDs(t, restored)
	missing := 0
	for id := range before {
		if _, ok := present[id]; !ok {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d records acknowledged before the backup are missing from the restore", missing, len(before))
	}
	checkRecount(t, restored)
	rawRestored := rawDB(t, restored)
	var restores int
	rawRestored.QueryRow("SELECT count(*) FROM audit_log WHERE entity = 'database' AND action = 'restore'").Scan(&restores)
	rawRestored.Close()
	if restores != 1 {
		t.Errorf("%d restore entries in the restored audit trail, want 1", restores)
	}

	// The restored database serves.
	p2 := startMesh(t, "--db", restored)
	if code, body := p2.get(t, "/healthz", ""); code != 200 {
		t.Errorf("restored database: /healthz %d %s", code, body)
	}
	p2.cmd.Process.Kill()
	p2.cmd.Wait()

	// A second restore over it is refused without --force (exit 2), done with it.
	if st, _, errOut := runCLI(t, "", "restore", "--db", restored, "--from", file); st != 2 || !strings.Contains(errOut, "--force") {
		t.Errorf("restore over a non-empty database: status %d, %q; want 2 naming --force", st, errOut)
	}
	if st, _, errOut := runCLI(t, "", "restore", "--db", restored, "--from", file, "--force"); st != 0 {
		t.Errorf("restore --force: status %d: %s", st, errOut)
	}
	if st, _, errOut := runCLI(t, "", "backup", "--check", file, "--db", live); st != 0 {
		t.Errorf("backup --check: status %d: %s", st, errOut)
	}
}

// TestBackupRefusals covers bad usage and bad backups: exit 2 with a message naming
// what is wrong, and a corrupted snapshot failing its check (exit 1).
func TestBackupRefusals(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	db, err := openDB(context.Background(), nil, live)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	good := filepath.Join(dir, "good.db")
	if st, _, errOut := runCLI(t, "", "backup", "--db", live, "--out", good); st != 0 {
		t.Fatalf("backup: %d %s", st, errOut)
	}
	notBackup := writeFile(t, "notes.txt", "hello")
	newer := filepath.Join(dir, "newer.db")
	copyFile(good, newer)
	raw, _ := sql.Open("sqlite", newer)
	if _, err := raw.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2030-01-01 00:00:00')"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	corrupt := filepath.Join(dir, "corrupt.db")
	b, _ := os.ReadFile(good)
	for i := 4096; i+64 < len(b); i += 4096 { // scribble over a few bytes of every page but the first
		copy(b[i+40:], "garbage-garbage-garbage-garbage!")
	}
	os.WriteFile(corrupt, b, 0o600)

	cases := []struct {
		name   string
		args   []string
		status int
		want   string
	}{
		{"help", []string{"backup", "--help"}, 0, ""},
		{"restore help", []string{"restore", "--help"}, 0, ""},
		{"no out", []string{"backup", "--db", live}, 2, "--out"},
		{"out exists", []string{"backup", "--db", live, "--out", good}, 2, "already exists"},
		{"check and out", []string{"backup", "--check", good, "--out", filepath.Join(dir, "x.db")}, 2, "--check"},
		{"extra arg", []string{"backup", "--db", live, "--out", filepath.Join(dir, "y.db"), "now"}, 2, "no arguments"},
		{"not a backup", []string{"backup", "--check", notBackup}, 2, "not a MESH backup"},
		{"missing file", []string{"backup", "--check", filepath.Join(dir, "nope.db")}, 2, "nope.db"},
		{"newer schema check", []string{"backup", "--check", newer}, 2, "newer"},
		{"newer schema restore", []string{"restore", "--db", filepath.Join(dir, "r1.db"), "--from", newer}, 2, "newer"},
		{"corrupt", []string{"backup", "--check", corrupt}, 1, ""},
		{"no from", []string{"restore", "--db", filepath.Join(dir, "r2.db")}, 2, "--from"},
		{"dialect", []string{"restore", "--db", "postgres://nobody@127.0.0.1:1/x", "--from", good}, 2, "cannot be restored"},
		{"non-empty", []string{"restore", "--db", live, "--from", good}, 2, "--force"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, _, errOut := runCLI(t, "", tc.args...)
			if st != tc.status || !strings.Contains(errOut, tc.want) {
				t.Errorf("status %d, stderr %q; want %d containing %q", st, errOut, tc.status, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "r1.db")); err == nil {
		t.Error("a refused restore created the target")
	}
	// A database that is not MESH's backs up to nothing: the check fails (exit 1) and
	// no file carries the name asked for.
	other := filepath.Join(dir, "other.db")
	raw, _ = sql.Open("sqlite", other)
	raw.Exec("CREATE TABLE t (x INTEGER)")
	raw.Close()
	out := filepath.Join(dir, "other-backup.db")
	if st, _, errOut := runCLI(t, "", "backup", "--db", other, "--out", out); st != 1 || !strings.Contains(errOut, "failed its check") {
		t.Errorf("backup of a non-MESH database: status %d, %q; want 1", st, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a backup that failed its check carries the name asked for")
	}
	if _, err := os.Stat(out + ".partial"); err == nil {
		t.Error("a failed backup left its partial file")
	}
	// The refused restore over live left it as it was.
	if ok, err := sqlstore.Open(context.Background(), live); err != nil {
		t.Error(err)
	} else {
		ok.Close()
	}
}
