package sqlstore_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mesh"
	"mesh/demo"
	"mesh/dhis2"
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
