package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mesh"
	"mesh/demo"
	"mesh/dhis2"
	"mesh/secret"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// fakeDHIS2 answers /api/dataValueSets as DHIS2 does: the given statuses in turn
// (5xx: a bare error page, 200: a wrapped summary with one conflict, 401:
// Unauthorized), counting the posts and checking the token and the payload.
func fakeDHIS2(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int32) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(posts.Add(1)) - 1
		var set dhis2.DataValueSet
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/api/dataValueSets" || r.Header.Get("Authorization") != "ApiToken d2pat_secret" || json.Unmarshal(b, &set) != nil || len(set.DataValues) == 0 {
			t.Errorf("bad post %s %q %.100s", r.URL, r.Header.Get("Authorization"), b)
		}
		status := statuses[min(n, len(statuses)-1)]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		switch {
		case status >= 500:
			io.WriteString(w, "<html>502 Bad Gateway</html>")
		case status == 401:
			io.WriteString(w, `{"httpStatus":"Unauthorized","httpStatusCode":401,"status":"ERROR","message":"Unauthorized"}`)
		default:
			io.WriteString(w, `{"httpStatus":"OK","httpStatusCode":200,"status":"WARNING","response":{"responseType":"ImportSummary","status":"WARNING",
				"importCount":{"imported":7,"updated":2,"ignored":1,"deleted":0},
				"conflicts":[{"object":"DmKAY000009","value":"Org unit not in the data set's hierarchy","errorCode":"E7617"}]}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &posts
}

func scheduleDB(t *testing.T, d sqlstore.Dialect, url string) *sqlstore.DB {
	t.Helper()
	ctx := mesh.WithActor(context.Background(), mesh.System)
	db := sqlstoretest.Open(t, d)
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	must(t, db.ReplaceDHIS2Mapping(ctx, &dhis2.Mapping{IDScheme: "uid", Entries: []dhis2.Entry{
		{Indicator: "mentoring.visits", Part: "value", DataElement: "MESHvisits1"},
		{Indicator: "imci.correctly_managed", Part: "numerator", DataElement: "IMCIcorrN01"},
	}}))
	must(t, db.PutDHIS2Schedule(ctx, &dhis2.Schedule{Enabled: true, URL: url, Token: "d2pat_secret", DayOfMonth: 3, DryRun: true}))
	return db
}

// The monthly push: not before its day; on it, last month with retries after a
// gateway error, the counts and the conflict in plain words in the job log; then not
// again that month; two servers ticking at once run it once.
func TestDHIS2ScheduledPush(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db0 *sqlstore.DB) {
		ctx := context.Background()
		srv, posts := fakeDHIS2(t, 502, 200)
		db := scheduleDB(t, db0.Dialect, srv.URL)
		now := time.Date(2026, 12, 2, 23, 0, 0, 0, time.UTC)
		var waits []time.Duration
		var mu sync.Mutex
		sched := func(holder string) *dhis2.Scheduler {
			return &dhis2.Scheduler{Store: db, Source: db, Holder: holder, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
				Sleep: func(ctx context.Context, d time.Duration) error {
					mu.Lock()
					waits = append(waits, d)
					mu.Unlock()
					return nil
				}}
		}
		if j, err := sched("a").Tick(ctx); j != nil || err != nil {
			t.Fatalf("before the day: %+v, %v", j, err)
		}
		mu.Lock()
		now = time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
		mu.Unlock()
		// Two servers at once: one runs the push, the other finds the lease taken (or,
		// after, the month done).
		var wg sync.WaitGroup
		jobs := make([]*dhis2.Job, 2)
		for i, h := range []string{"a", "b"} {
			wg.Go(func() {
				var err error
				if jobs[i], err = sched(h).Tick(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if (jobs[0] == nil) == (jobs[1] == nil) {
			t.Fatalf("jobs %+v and %+v: want exactly one", jobs[0], jobs[1])
		}
		stored, err := db.FindDHIS2Jobs(ctx, "", 10)
		if err != nil || len(stored) != 1 {
			t.Fatalf("%d jobs stored, %v", len(stored), err)
		}
		j := stored[0]
		log := ""
		for _, l := range j.Log {
			log += l.Text + "\n"
		}
		if j.Period != "202611" || j.Status != dhis2.JobSucceeded || !j.DryRun || j.Attempts != 2 || posts.Load() != 2 ||
			j.Count != (dhis2.ImportCount{Imported: 7, Updated: 2, Ignored: 1}) || len(waits) != 1 || waits[0] != time.Minute ||
			len(j.Conflicts) != 1 || j.Conflicts[0] != "DmKAY000009: Org unit not in the data set's hierarchy (E7617)" ||
			!strings.Contains(log, "502") || !strings.Contains(log, "retrying in 1m0s") || j.EndedAt == nil || strings.Contains(log, "d2pat_secret") {
			t.Fatalf("job %+v, waits %v, posts %d\n%s", j, waits, posts.Load(), log)
		}
		// Done for the month, on this server and the other.
		for _, h := range []string{"a", "b"} {
			if j, err := sched(h).Tick(ctx); j != nil || err != nil {
				t.Fatalf("again: %+v, %v", j, err)
			}
		}
		// Turning the dry run off makes the real push due for the same month.
		sc, _ := db.DHIS2Schedule(ctx)
		sc.DryRun = false
		must(t, db.PutDHIS2Schedule(mesh.WithActor(ctx, mesh.System), sc))
		if j, err := sched("b").Tick(ctx); err != nil || j == nil || j.DryRun || j.Status != dhis2.JobSucceeded {
			t.Fatalf("real push: %+v, %v", j, err)
		}
	})
}

// A refused token is not retried: the job fails at once and says why.
func TestDHIS2ScheduledPushUnauthorized(t *testing.T) {
	ctx := context.Background()
	srv, posts := fakeDHIS2(t, 401)
	db := scheduleDB(t, sqlstore.SQLite, srv.URL)
	s := &dhis2.Scheduler{Store: db, Source: db, Holder: "a", Now: func() time.Time { return time.Date(2026, 11, 9, 8, 0, 0, 0, time.UTC) },
		Sleep: func(context.Context, time.Duration) error { t.Error("slept before retrying a 401"); return nil }}
	j, err := s.Tick(ctx)
	if err != nil || j == nil || j.Status != dhis2.JobFailed || j.Period != "202610" || posts.Load() != 1 ||
		!strings.Contains(j.Log[len(j.Log)-2].Text, "401") {
		t.Fatalf("%+v, %v", j, err)
	}
}

// The lease: one holder at a time until it runs out or is released.
func TestLease(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		for _, step := range []struct {
			holder string
			at     time.Duration
			want   bool
		}{{"a", 0, true}, {"b", time.Minute, false}, {"a", 2 * time.Minute, true}, {"b", 11 * time.Minute, false}, {"b", 13 * time.Minute, true}, {"a", 14 * time.Minute, false}} {
			got, err := db.AcquireLease(ctx, "job", step.holder, t0.Add(step.at), 10*time.Minute)
			if err != nil || got != step.want {
				t.Fatalf("%s at %s: %v, %v; want %v", step.holder, step.at, got, err, step.want)
			}
		}
		must(t, db.ReleaseLease(ctx, "job", "b"))
		if got, err := db.AcquireLease(ctx, "job", "a", t0.Add(15*time.Minute), time.Minute); !got || err != nil {
			t.Fatalf("after release: %v, %v", got, err)
		}
	})
}

// rawQuery reads one value straight from the database, past the store.
func rawQuery(t *testing.T, db *sqlstore.DB, q string, dest any) {
	t.Helper()
	driver := "sqlite"
	if db.Dialect == sqlstore.Postgres {
		driver = "pgx"
		q = strings.ReplaceAll(q, "?", "$1")
	}
	conn, err := sql.Open(driver, db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.QueryRow(q).Scan(dest); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// The token at rest: sealed (v1:…, a fresh nonce per save), never in the audit
// trail; an old clear-text value reads and is sealed on the next save; under another
// key it is not a panic but a failed job saying why; without a key it cannot be saved.
func TestDHIS2TokenSealedAtRest(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db0 *sqlstore.DB) {
		ctx := mesh.WithActor(context.Background(), mesh.System)
		srv, posts := fakeDHIS2(t, 200)
		db := scheduleDB(t, db0.Dialect, srv.URL)
		var stored, audit string
		rawQuery(t, db, `SELECT token FROM dhis2_schedule WHERE id = 1`, &stored)
		if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, "d2pat_secret") {
			t.Fatalf("stored token %q", stored)
		}
		rawQuery(t, db, `SELECT COUNT(*) || ':' || MAX(CAST(changes AS TEXT)) FROM audit_log WHERE entity = 'dhis2_schedule'`, &audit)
		audit = strings.ReplaceAll(audit, " ", "") // PostgreSQL's jsonb spaces its text
		if !strings.HasPrefix(audit, "1:") || strings.Contains(audit, "d2pat") || !strings.Contains(audit, `"token_changed":true`) {
			t.Fatalf("audit %s", audit)
		}
		if db.Dialect == sqlstore.SQLite {
			if st, err := os.Stat(db.DSN + ".key"); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file beside the database: %v, %v", st, err)
			}
		}
		sc, err := db.DHIS2Schedule(ctx)
		if err != nil || sc.Token != "d2pat_secret" || !sc.TokenSet || sc.TokenError != "" {
			t.Fatalf("read back %+v, %v", sc, err)
		}
		// Saving the same token again seals it afresh and says it did not change.
		must(t, db.PutDHIS2Schedule(ctx, sc))
		var again string
		rawQuery(t, db, `SELECT token FROM dhis2_schedule WHERE id = 1`, &again)
		rawQuery(t, db, `SELECT CAST(changes AS TEXT) FROM audit_log WHERE entity = 'dhis2_schedule' ORDER BY id DESC LIMIT 1`, &audit)
		audit = strings.ReplaceAll(audit, " ", "")
		if again == stored || !strings.HasPrefix(again, "v1:") || !strings.Contains(audit, `"token_changed":false`) {
			t.Fatalf("resealed %q (was %q), audit %s", again, stored, audit)
		}

		// A token stored in clear before sealing existed still reads, and is sealed on save.
		if _, err := db.ExecForTest(ctx, `UPDATE dhis2_schedule SET token = 'd2pat_secret' WHERE id = 1`); err != nil {
			t.Fatal(err)
		}
		sc, err = db.DHIS2Schedule(ctx)
		if err != nil || sc.Token != "d2pat_secret" || sc.TokenError != "" {
			t.Fatalf("legacy read %+v, %v", sc, err)
		}
		must(t, db.PutDHIS2Schedule(ctx, sc))
		rawQuery(t, db, `SELECT token FROM dhis2_schedule WHERE id = 1`, &stored)
		if !strings.HasPrefix(stored, "v1:") {
			t.Fatalf("legacy token not sealed on save: %q", stored)
		}

		// Another key (MESH_SECRET_KEY changed, or a backup restored elsewhere).
		right := db.Secrets
		other, _, _ := secret.NewKey()
		db.Secrets = secret.NewKeyring(other)
		sc, err = db.DHIS2Schedule(ctx)
		if err != nil || sc.Token != "" || !sc.TokenSet || !strings.Contains(sc.TokenError, dhis2.TokenUnreadable) {
			t.Fatalf("wrong key read %+v, %v", sc, err)
		}
		s := &dhis2.Scheduler{Store: db, Source: db, Holder: "a", Now: func() time.Time { return time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC) }}
		j, err := s.Tick(context.Background())
		if err != nil || j == nil || j.Status != dhis2.JobFailed || posts.Load() != 0 || !strings.Contains(j.Log[1].Text, "cannot decrypt the DHIS2 token: was MESH_SECRET_KEY changed?") {
			t.Fatalf("push under the wrong key: %+v, %v", j, err)
		}
		// Saving other settings without a new token keeps the unreadable one as stored
		// (the push must be off: it has no token it can use).
		if err := db.PutDHIS2Schedule(ctx, sc); mesh.ErrorCode(err) != mesh.EINVALID || !strings.Contains(mesh.ErrorMessage(err)+fmt.Sprint(mesh.ErrorFields(err)), "token") {
			t.Fatalf("enabled without a readable token: %v", err)
		}
		sc.Enabled, sc.DayOfMonth = false, 9
		must(t, db.PutDHIS2Schedule(ctx, sc))
		rawQuery(t, db, `SELECT token FROM dhis2_schedule WHERE id = 1`, &again)
		if again != stored {
			t.Fatalf("an unreadable token was not kept: %q, was %q", again, stored)
		}
		db.Secrets = right
		if sc, err := db.DHIS2Schedule(ctx); err != nil || sc.Token != "d2pat_secret" || sc.DayOfMonth != 9 {
			t.Fatalf("with the right key back: %+v, %v", sc, err)
		}

		// No key at all (PostgreSQL without MESH_SECRET_KEY): the error names it.
		db.Secrets = &secret.Keyring{}
		err = db.PutDHIS2Schedule(ctx, &dhis2.Schedule{URL: srv.URL, Token: "d2pat_new", DayOfMonth: 5})
		if fes := mesh.ErrorFields(err); mesh.ErrorCode(err) != mesh.EINVALID || len(fes) != 1 || fes[0].Field != "token" ||
			fes[0].Code != "SECRET_KEY_MISSING" || !strings.Contains(fes[0].Message, "MESH_SECRET_KEY") {
			t.Fatalf("save without a key: %v", err)
		}
		db.Secrets = right
		if sc, _ := db.DHIS2Schedule(ctx); sc.Token != "d2pat_secret" {
			t.Fatalf("a refused save changed the token: %+v", sc)
		}
	})
}

// gatedDHIS2 answers pushes as DHIS2 does, only once open is called (at the latest
// when the test ends, so a failing test does not hang on a waiting push).
func gatedDHIS2(t *testing.T) (srv *httptest.Server, posts *atomic.Int32, open func()) {
	gate := make(chan struct{})
	var once sync.Once
	open = func() { once.Do(func() { close(gate) }) }
	posts = new(atomic.Int32)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		<-gate
		if r.Header.Get("Authorization") != "ApiToken d2pat_secret" {
			t.Errorf("token %q", r.Header.Get("Authorization"))
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"httpStatus":"OK","httpStatusCode":200,"status":"OK","response":{"responseType":"ImportSummary","status":"SUCCESS",
			"importCount":{"imported":7,"updated":2,"ignored":1,"deleted":0},"conflicts":[]}}`)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(open) // runs first
	return srv, posts, open
}

// Push now: an admin's push of a chosen month runs in the background under the same
// lease as the schedule; a second start (same server or another) is refused while it
// runs, and so is the scheduler's tick; the log says who started it; it does not
// stand in for the month's scheduled push.
func TestDHIS2PushNow(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db0 *sqlstore.DB) {
		srv, posts, open := gatedDHIS2(t)
		db := scheduleDB(t, db0.Dialect, srv.URL)
		admin, err := db.FindUserByUsername(context.Background(), "admin")
		if err != nil {
			t.Fatal(err)
		}
		ctx := mesh.WithActor(context.Background(), mesh.Actor{UserID: admin.ID, Username: admin.Username, Role: "admin"})
		now := func() time.Time { return time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC) }
		a := &dhis2.Scheduler{Store: db, Source: db, Holder: "a", Now: now}
		b := &dhis2.Scheduler{Store: db, Source: db, Holder: "b", Now: now}

		for _, tc := range []struct{ period, code string }{{"2026Q4", "INVALID_FORMAT"}, {"202701", "OUT_OF_RANGE"}, {"nope", "INVALID_FORMAT"}} {
			_, err := a.Start(ctx, tc.period, true)
			if fes := mesh.ErrorFields(err); len(fes) != 1 || fes[0].Field != "period" || fes[0].Code != tc.code {
				t.Fatalf("period %s: %v", tc.period, err)
			}
		}

		// Two clicks at once on one server: one push starts, the other is told why not.
		var wg sync.WaitGroup
		jobs, errs := make([]*dhis2.Job, 2), make([]error, 2)
		for i := range 2 {
			wg.Go(func() { jobs[i], errs[i] = a.Start(ctx, "202611", false) })
		}
		wg.Wait()
		started := 0
		for i := range 2 {
			switch {
			case errs[i] == nil && jobs[i] != nil && jobs[i].Status == dhis2.JobRunning && jobs[i].ID != 0:
				started++
			case mesh.ErrorCode(errs[i]) == mesh.ECONFLICT && strings.Contains(mesh.ErrorMessage(errs[i]), "a push is already running"):
			default:
				t.Fatalf("start %d: %+v, %v", i, jobs[i], errs[i])
			}
		}
		if started != 1 {
			t.Fatalf("%d pushes started, want 1: %v", started, errs)
		}
		// Another server, and the schedule's tick (the month is due), wait for it too.
		if _, err := b.Start(ctx, "202610", true); mesh.ErrorCode(err) != mesh.ECONFLICT {
			t.Fatalf("start on another server: %v", err)
		}
		if j, err := a.Tick(context.Background()); j != nil || err != nil {
			t.Fatalf("tick during a manual push: %+v, %v", j, err)
		}
		open()
		a.Wait()

		list, err := db.FindDHIS2Jobs(context.Background(), "", 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("%d jobs, %v", len(list), err)
		}
		j := list[0]
		if j.Origin != dhis2.OriginManual || j.StartedBy != "admin" || j.DryRun || j.Period != "202611" || j.Status != dhis2.JobSucceeded ||
			j.Count.Imported != 7 || posts.Load() != 1 || !strings.Contains(j.Log[0].Text, "push now by admin") {
			t.Fatalf("manual job %+v, posts %d", j, posts.Load())
		}
		var audited string
		rawQuery(t, db, `SELECT COUNT(*) || ' ' || MIN(actor) FROM audit_log WHERE entity = 'dhis2_push' AND action IN ('manual_push_started', 'manual_push')`, &audited)
		if audited != "2 admin" {
			t.Fatalf("audit of the manual push: %q", audited)
		}

		// The lease is free again: the month's scheduled (dry-run) push still runs, once.
		j, err = b.Tick(context.Background())
		if err != nil || j == nil || j.Origin != dhis2.OriginScheduled || !j.DryRun || j.Status != dhis2.JobSucceeded || j.StartedBy != "" {
			t.Fatalf("scheduled push after a manual one: %+v, %v", j, err)
		}
		if list, _ := db.FindDHIS2Jobs(context.Background(), "202611", 10); len(list) != 2 || list[0].Origin != dhis2.OriginScheduled {
			t.Fatalf("jobs of 202611: %+v", list)
		}

		// Without an address and token there is nothing to push with.
		must(t, db.PutDHIS2Schedule(ctx, &dhis2.Schedule{DayOfMonth: 5}))
		_, err = a.Start(ctx, "202611", true)
		if fes := mesh.ErrorFields(err); len(fes) != 2 || fes[0].Field != "url" || fes[1].Field != "token" {
			t.Fatalf("no settings: %v", err)
		}
	})
}

// A server that dies mid-push leaves its job "running" and its lease held. Once the
// lease runs out, the next server to take it ends that job as failed, saying why,
// and the month, not pushed to its end, is still due and is pushed.
func TestDHIS2CrashedPushClosed(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db0 *sqlstore.DB) {
		ctx := context.Background()
		srv, posts := fakeDHIS2(t, 200)
		db := scheduleDB(t, db0.Dialect, srv.URL)
		crashAt := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
		if ok, err := db.AcquireLease(ctx, dhis2.LeaseName, "dead-host:41", crashAt, time.Hour); err != nil || !ok {
			t.Fatal(ok, err)
		}
		orphan := &dhis2.Job{Period: "202611", Status: dhis2.JobRunning, DryRun: true, Origin: dhis2.OriginScheduled,
			StartedAt: crashAt, Conflicts: []string{}, Log: []dhis2.LogLine{{At: crashAt, Text: "started (the monthly schedule)"}}}
		must(t, db.SaveDHIS2Job(ctx, orphan))
		now := crashAt.Add(30 * time.Minute)
		s := &dhis2.Scheduler{Store: db, Source: db, Holder: "b", Now: func() time.Time { return now },
			Sleep: func(context.Context, time.Duration) error { return nil }}
		if j, err := s.Tick(ctx); j != nil || err != nil {
			t.Fatalf("while the dead server's lease holds: %+v, %v", j, err)
		}
		now = crashAt.Add(2 * time.Hour)
		j, err := s.Tick(ctx)
		if err != nil || j == nil || j.Status != dhis2.JobSucceeded || posts.Load() != 1 {
			t.Fatalf("after the lease ran out: %+v, %v, %d posts", j, err, posts.Load())
		}
		jobs, err := db.FindDHIS2Jobs(ctx, "", 10)
		if err != nil || len(jobs) != 2 {
			t.Fatalf("%d jobs, %v", len(jobs), err)
		}
		var closed *dhis2.Job
		for _, x := range jobs {
			if x.ID == orphan.ID {
				closed = x
			}
		}
		last := closed.Log[len(closed.Log)-1].Text
		if closed.Status != dhis2.JobFailed || closed.EndedAt == nil || !strings.Contains(last, "stopped before it ended") {
			t.Fatalf("the dead server's job: %+v (%q)", closed, last)
		}
	})
}
