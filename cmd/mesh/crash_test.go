package main

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"mesh/api"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// TestCrashSafety syncs a device's outbox to the real `mesh serve`, kills the server
// with SIGKILL while a batch is in flight, restarts it on the same database and port,
// and lets the device resend whatever was not acknowledged. Promise under test: an
// acknowledged record is never lost, a resent one is never stored twice, and the
// indicator counts stay equal to a recount.
func TestCrashSafety(t *testing.T) {
	n, size, kills := 1000, 100, 2
	if longTests() {
		n, size, kills = 10000, 500, 3
	}
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := prepareDB(t, sqlstoretest.DSN(t, d))
			crashRun(t, s, n, size, kills)
		})
	}
}

func crashRun(t *testing.T, s relSetup, n, size, kills int) {
	p := startMeshOn(t, "127.0.0.1:0", "--db", s.dsn)
	addr := p.url[len("http://"):]
	c := newLoadClient(p.url, 2)
	token, err := c.login(context.Background(), "mentor.kayonza", "mesh-demo-2026")
	if err != nil {
		t.Fatal(err)
	}
	recs, want := relRecords(runID(), s, n)
	bs := batches(recs, size)
	killAt := map[int]bool{}
	for k := 1; k <= kills; k++ {
		killAt[k*len(bs)/(kills+1)] = true
	}
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	acked := map[string]int{}
	var took []time.Duration
	deadline := time.Now().Add(10 * time.Minute)
	start := time.Now()
	for bi, b := range bs {
		if !killAt[bi] {
			t0 := time.Now()
			mustSync(t, c, token, b, acked, deadline)
			took = append(took, time.Since(t0))
			continue
		}
		// Kill partway through a batch: after 20–80% of a typical batch's time.
		typical := 50 * time.Millisecond
		if len(took) > 0 {
			slices.Sort(took)
			typical = took[len(took)/2]
		}
		delay := time.Duration((0.2 + 0.6*rng.Float64()) * float64(typical))
		type answer struct {
			res []api.SyncResult
			err error
		}
		done := make(chan answer, 1)
		go func() {
			res, _, err := c.post(context.Background(), token, b)
			done <- answer{res, err}
		}()
		time.Sleep(delay)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		a := <-done
		if a.err == nil {
			// The answer beat the kill: those records are acknowledged like any others.
			t.Logf("batch %d was answered before the kill (%v after sending)", bi, delay)
			for _, r := range a.res {
				acked[r.ID] = r.Version
			}
		}
		// With the server dead, every acknowledged record must already be on disk.
		present := presentIDs(t, s.dsn)
		lost := 0
		for id := range acked {
			if _, ok := present[id]; !ok {
				lost++
			}
		}
		inflight := 0
		for _, r := range b {
			if _, ok := present[r.ID]; ok {
				inflight++
			}
		}
		t.Logf("SIGKILL %v into batch %d (%d records): %d acknowledged before, %d lost; %d of the in-flight batch had committed",
			delay.Round(time.Millisecond), bi, len(b), len(acked), lost, inflight)
		if lost > 0 {
			t.Fatalf("%d acknowledged records lost in the crash", lost)
		}
		p = startMeshOn(t, addr, "--db", s.dsn)
		// The device resends the whole unacknowledged batch; what had committed answers
		// already_stored.
		mustSync(t, c, token, b, acked, deadline)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	lost, dups := verifyExactlyOnce(t, s, want)
	t.Logf("%d records in batches of %d, %d SIGKILLs, %v: %d lost, %d duplicated", n, size, kills, time.Since(start).Round(time.Millisecond), lost, dups)
}

// TestCrashPostgresConnectionsTerminated is a PostgreSQL outage as the app sees it,
// done safely on a shared server: the app's own backends (tagged by application_name)
// are terminated again and again while a device syncs. The server must reconnect by
// itself, and every record still land exactly once.
func TestCrashPostgresConnectionsTerminated(t *testing.T) {
	if os.Getenv(sqlstoretest.PostgresEnv) == "" {
		t.Skipf("set %s to run", sqlstoretest.PostgresEnv)
	}
	n, size, rounds := 1000, 100, 8
	if longTests() {
		n, size, rounds = 10000, 500, 30
	}
	s := prepareDB(t, sqlstoretest.DSN(t, sqlstore.Postgres))
	run := runID()
	app := "mesh_reliability_" + run
	p := startMeshOn(t, "127.0.0.1:0", "--db", withAppName(t, s.dsn, app))
	c := newLoadClient(p.url, 4)
	token, err := c.login(context.Background(), "mentor.kayonza", "mesh-demo-2026")
	if err != nil {
		t.Fatal(err)
	}
	admin := rawDB(t, s.dsn)
	defer admin.Close()
	recs, want := relRecords(run, s, n)
	acked := map[string]int{}
	var mu sync.Mutex
	var terminated atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < rounds; i++ {
			select {
			case <-stop:
				return
			case <-time.After(150 * time.Millisecond):
			}
			terminated.Add(terminate(t, admin, app))
		}
	}()
	// Two devices at once, so that terminations hit transactions of both.
	deadline := time.Now().Add(10 * time.Minute)
	bs := batches(recs, size)
	var failures atomic.Int64
	var cw sync.WaitGroup
	for dev := 0; dev < 2; dev++ {
		cw.Add(1)
		go func(dev int) {
			defer cw.Done()
			mine := map[string]int{}
			for i := dev; i < len(bs); i += 2 {
				n, err := syncUntilAcked(c, token, bs[i], mine, deadline)
				failures.Add(int64(n))
				if err != nil {
					t.Error(err)
					return
				}
			}
			mu.Lock()
			for k, v := range mine {
				acked[k] = v
			}
			mu.Unlock()
		}(dev)
	}
	cw.Wait()
	close(stop)
	wg.Wait()
	if terminated.Load() == 0 {
		t.Fatal("no backend was terminated: the test proved nothing")
	}
	if st, body := p.get(t, "/healthz", ""); st != 200 {
		t.Fatalf("healthz after the terminations: %d %s", st, body)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	lost, dups := verifyExactlyOnce(t, s, want)
	t.Logf("%d records, %d backends terminated, %d failed attempts retried: %d lost, %d duplicated",
		n, terminated.Load(), failures.Load(), lost, dups)
}

// terminate ends the backends of one application on this database and says how many.
func terminate(t *testing.T, admin *sql.DB, app string) int64 {
	var n int64
	err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`, app).Scan(&n)
	if err != nil {
		t.Errorf("terminate: %v", err)
	}
	return n
}
