package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"testing"
	"time"

	"mesh/api"
	"mesh/demo"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/staff"
)

// Helpers shared by the crash, flaky-network and load tests (docs/reliability.md).

// longTests says whether to run the recorded sizes: 10,000-record syncs, 60 s loads.
// Both -short being off and MESH_LONG_TESTS=1 are needed, so `go test ./...` stays fast.
func longTests() bool { return !testing.Short() && os.Getenv("MESH_LONG_TESTS") == "1" }

// relSetup is a migrated database with the demo's places and people only (no
// mentoring), so every visit and observation in it afterwards was sent by the test.
type relSetup struct {
	dsn        string
	facilityID int64
	workerID   int64
	baseVisits int
}

func prepareDB(t *testing.T, dsn string) relSetup {
	t.Helper()
	ctx := context.Background()
	db, err := openDB(ctx, nil, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.LoadWith(ctx, db, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	list, _, err := db.FindOrgUnits(ctx, place.Filter{Query: "Rwinkwavu Health Centre"})
	if err != nil || len(list) != 1 {
		t.Fatalf("facility: %v", err)
	}
	hws, _, err := db.FindHealthWorkers(ctx, staff.Filter{FacilityID: &list[0].ID})
	if err != nil || len(hws) == 0 {
		t.Fatalf("worker: %v", err)
	}
	s := relSetup{dsn: dsn, facilityID: list[0].ID, workerID: hws[0].ID}
	raw := rawDB(t, dsn)
	defer raw.Close()
	if err := raw.QueryRow("SELECT count(*) FROM visits").Scan(&s.baseVisits); err != nil {
		t.Fatal(err)
	}
	return s
}

// withAppName tags a PostgreSQL DSN with an application_name, so that the test can
// terminate exactly the server's connections and nobody else's on a shared server.
func withAppName(t *testing.T, dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// rawDB opens the database with database/sql alone, to count rows as they are,
// independently of the store's own queries.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if sqlstore.DialectOf(dsn) == sqlstore.Postgres {
		db, err = sql.Open("pgx", dsn)
	} else {
		db, err = sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// startMeshOn is startMesh with a chosen address, so that a restarted server comes
// back on the port the client already knows.
func startMeshOn(t *testing.T, addr string, args ...string) *meshProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), "MESH_RUN_AS_MAIN=1", "MESH_LANG=en") // its "serving on" line is read below
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &meshProcess{cmd: cmd, stderr: &bytes.Buffer{}}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`serving on (http://[0-9.:]+)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case p.url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("mesh serve did not start on %s", addr)
	}
	return p
}

// relRecords is a device's outbox: one visit, then 49 observations of that visit, and
// so on, n records in all. want maps each id to the version it must end with.
func relRecords(run string, s relSetup, n int) ([]api.SyncRecord, map[string]int) {
	var recs []api.SyncRecord
	want := map[string]int{}
	var visitID string
	month := 0
	for i := 0; i < n; i++ {
		if i%50 == 0 {
			month = 1 + (i/50)%10
			visitID = recordUUID(run, 0xB000, i)
			recs = append(recs, api.SyncRecord{Type: "visit", ID: visitID,
				Data: json.RawMessage(fmt.Sprintf(`{"facility_id":%d,"date":"2026-%02d-10"}`, s.facilityID, month))})
		} else {
			id := recordUUID(run, 0xC000, i)
			recs = append(recs, api.SyncRecord{Type: "observation", ID: id,
				Data: json.RawMessage(SyntheticObservation(visitID, s.workerID, month, i))})
		}
		want[recs[i].ID] = 1
	}
	return recs, want
}

func batches(recs []api.SyncRecord, size int) [][]api.SyncRecord {
	var out [][]api.SyncRecord
	for len(recs) > 0 {
		n := min(size, len(recs))
		out = append(out, recs[:n])
		recs = recs[n:]
	}
	return out
}

// syncUntilAcked is the device's retry loop: it resends every record of the batch that
// is not yet acknowledged until all are, treating transport errors and non-200
// answers as "nothing acknowledged". A conflict or invalid answer fails the test: the
// records are valid and resends must be idempotent. It returns the failed attempts,
// and an error instead of failing the test so that device goroutines may call it.
func syncUntilAcked(c *syncClient, token string, batch []api.SyncRecord, acked map[string]int, deadline time.Time) (int, error) {
	pending := batch
	failures := 0
	for len(pending) > 0 {
		if time.Now().After(deadline) {
			return failures, fmt.Errorf("records still unacknowledged at the deadline: %d (after %d failed attempts)", len(pending), failures)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		res, _, err := c.post(ctx, token, pending)
		cancel()
		if err != nil {
			failures++
			time.Sleep(time.Duration(min(failures, 20)) * 20 * time.Millisecond)
			continue
		}
		if len(res) != len(pending) {
			return failures, fmt.Errorf("%d results for %d records", len(res), len(pending))
		}
		for i, r := range res {
			switch {
			case r.ID != pending[i].ID:
				return failures, fmt.Errorf("result %d is for %s, sent %s", i, r.ID, pending[i].ID)
			case r.Status == "stored" || r.Status == "already_stored":
				acked[r.ID] = r.Version
			default:
				return failures, fmt.Errorf("record %s: %s %+v", r.ID, r.Status, r.Errors)
			}
		}
		pending = nil
	}
	return failures, nil
}

// mustSync is syncUntilAcked on the test goroutine.
func mustSync(t *testing.T, c *syncClient, token string, batch []api.SyncRecord, acked map[string]int, deadline time.Time) int {
	t.Helper()
	n, err := syncUntilAcked(c, token, batch, acked, deadline)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// presentIDs returns the visit and observation ids stored now.
func presentIDs(t *testing.T, dsn string) map[string]int {
	t.Helper()
	db := rawDB(t, dsn)
	defer db.Close()
	out := map[string]int{}
	for _, table := range []string{"visits", "observations"} {
		rows, err := db.Query("SELECT id, version FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			var v int
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			if _, dup := out[id]; dup {
				t.Errorf("id %s stored twice", id)
			}
			out[id] = v
		}
		rows.Close()
	}
	return out
}

// verifyExactlyOnce checks the end state: every record stored exactly once with the
// version wanted, nothing else added, one change-log entry per record, and the
// indicator counts table equal to a recount from the stored observations.
func verifyExactlyOnce(t *testing.T, s relSetup, want map[string]int) (lost, dups int) {
	t.Helper()
	db := rawDB(t, s.dsn)
	defer db.Close()
	counts := map[string]int{}
	versions := map[string]int{}
	for _, table := range []string{"visits", "observations"} {
		rows, err := db.Query("SELECT id, version FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			var v int
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			counts[id]++
			versions[id] = v
		}
		rows.Close()
	}
	extra := 0
	for id, n := range counts {
		if _, ok := want[id]; !ok {
			extra++
		} else if n > 1 {
			dups += n - 1
		}
	}
	if extra != s.baseVisits {
		t.Errorf("%d rows not sent by the test, want the %d the demo had", extra, s.baseVisits)
	}
	wrong := 0
	for id, v := range want {
		switch {
		case counts[id] == 0:
			lost++
		case versions[id] != v:
			wrong++
			if wrong <= 3 {
				t.Errorf("record %s at version %d, want %d", id, versions[id], v)
			}
		}
	}
	changes := map[string]int{}
	rows, err := db.Query("SELECT record_id FROM changes")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		changes[id]++
	}
	rows.Close()
	for id := range want {
		if changes[id] != 1 {
			t.Errorf("record %s has %d change-log entries, want 1", id, changes[id])
			break
		}
	}
	if lost > 0 || dups > 0 || wrong > 0 {
		t.Errorf("%d records lost, %d duplicated, %d at the wrong version (of %d)", lost, dups, wrong, len(want))
	}
	checkRecount(t, s.dsn)
	return lost, dups
}

// checkRecount compares the indicator_counts table with a recount from observations.
func checkRecount(t *testing.T, dsn string) int {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recount, err := st.RecountIndicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.StoredCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var diffs []string
	for k, v := range recount {
		if s := stored[k]; math.Abs(s[0]-v[0]) > 1e-6 || math.Abs(s[1]-v[1]) > 1e-6 {
			diffs = append(diffs, fmt.Sprintf("%s: stored %v, recount %v", k, s, v))
		}
	}
	for k, s := range stored {
		if _, ok := recount[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: stored %v, recount none", k, s))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("counts differ from a recount in %d cells, e.g. %v", len(diffs), diffs[:min(5, len(diffs))])
	}
	if len(recount) == 0 {
		t.Error("the recount is empty: the test sent no counted observations")
	}
	return len(recount)
}
