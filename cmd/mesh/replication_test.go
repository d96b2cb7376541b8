package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestReplicationBehindNginx is the deployment of docs/operations.md in miniature: a
// PostgreSQL primary and a streaming replica (two private clusters started here), two
// `mesh serve` processes on the primary reading dashboards from the replica, nginx in
// front of both. Under load (devices syncing, supervisors reading dashboards) it
// SIGKILLs one app server, then stops the replica and starts it again. Promises under
// test: no request fails beyond what the clients retry, no acknowledged record is
// lost or stored twice, dashboard reads keep answering while the replica is away
// (from the primary) and go back to the replica when it returns.
func TestReplicationBehindNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("replication test skipped in -short mode (it starts two PostgreSQL clusters and nginx)")
	}
	pgBin := pgBinDir()
	if pgBin == "" {
		t.Skip("replication test skipped: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
	}
	nginxBin, err := exec.LookPath("nginx")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/nginx"); err != nil {
			t.Skip("replication test skipped: nginx is not installed (apt-get install nginx-light; .ci/run does)")
		}
		nginxBin = "/usr/sbin/nginx"
	}
	c := newClusters(t, pgBin)

	// The primary, with the demo's places and people, then the replica cloned from it.
	primary := c.initPrimary()
	s := prepareDB(t, primary)
	replica := c.initReplica()
	c.waitReplicaHas(replica, "visits", s.baseVisits, 30*time.Second)

	// Two app servers on the primary, reading dashboards from the replica.
	var apps [2]*meshProcess
	var metricsAddrs [2]string
	for i := range apps {
		metricsAddrs[i] = freeAddr(t)
		apps[i] = startMeshOn(t, "127.0.0.1:0", "--db", primary, "--db-read", replica,
			"--db-read-max-lag", "5s", "--metrics-addr", metricsAddrs[i])
	}
	front := startNginx(t, nginxBin, c.dir, apps[0].url, apps[1].url)
	lc := newLoadClient(front, 40)
	ctx := context.Background()
	scrape := func(addr, series string) float64 {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return -1
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, series+" "); ok {
				f, _ := strconv.ParseFloat(v, 64)
				return f
			}
		}
		return -1
	}
	// Both servers see the replica healthy before the load starts.
	for i := range apps {
		waitFor(t, 20*time.Second, fmt.Sprintf("app %d: replica healthy", i), func() bool { return scrape(metricsAddrs[i], "mesh_db_replica_healthy") == 1 })
	}

	const devices, readers = 10, 10
	loadFor := 22 * time.Second
	mentorTok, err := lc.login(ctx, "mentor.kayonza", "mesh-demo-2026")
	if err != nil {
		t.Fatal(err)
	}
	var readerToks []string
	var district int64
	for _, u := range []string{"supervisor.kayonza", "manager"} {
		tok, err := lc.login(ctx, u, "mesh-demo-2026")
		if err != nil {
			t.Fatal(err)
		}
		readerToks = append(readerToks, tok)
		var d []struct{ ID int64 }
		if err := lc.getJSON(ctx, tok, "/api/v1/orgunits?type=district", &d); err != nil || len(d) == 0 {
			t.Fatalf("districts: %v", err)
		}
		district = d[0].ID
	}

	start := time.Now()
	stop := start.Add(loadFor)
	var (
		mu            sync.Mutex
		acked         = map[string]int{}
		syncRetries   int
		syncErrs      []error
		reads         atomic.Int64
		readRetries   atomic.Int64
		readFailures  atomic.Int64
		readFirstErrs []string
		wg            sync.WaitGroup
	)
	for d := 0; d < devices; d++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs, _ := relRecords(fmt.Sprintf("%04x", 0xa000+d), s, 4000)
			for _, b := range batches(recs, 20) {
				if time.Now().After(stop) {
					return
				}
				mine := map[string]int{}
				n, err := syncUntilAcked(lc, mentorTok, b, mine, stop.Add(90*time.Second))
				mu.Lock()
				syncRetries += n
				for k, v := range mine {
					acked[k] = v
				}
				if err != nil {
					syncErrs = append(syncErrs, err)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	paths := []string{
		"/dashboard",
		fmt.Sprintf("/api/v1/indicators/imci.correct_classification/values?orgunit=%d&from=2026-01&to=2026-12", district),
		"/api/v1/cadence",
		fmt.Sprintf("/api/v1/indicators/mentoring.visits/values?orgunit=%d&from=2026-01&to=2026-12", district),
	}
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := readerToks[r%len(readerToks)]
			for i := r; time.Now().Before(stop); i++ {
				path := paths[i%len(paths)]
				ok := false
				for attempt := 0; attempt < 3 && !ok; attempt++ { // a client retries a read twice
					if attempt > 0 {
						readRetries.Add(1)
						time.Sleep(200 * time.Millisecond)
					}
					cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
					st, err := lc.get(cctx, tok, path)
					cancel()
					ok = err == nil && st == 200
					if !ok {
						mu.Lock()
						if len(readFirstErrs) < 5 {
							readFirstErrs = append(readFirstErrs, fmt.Sprintf("%s: %d %v", path, st, err))
						}
						mu.Unlock()
					}
				}
				reads.Add(1)
				if !ok {
					readFailures.Add(1)
				}
			}
		}()
	}

	// Watch the surviving server's view of the replica through the faults.
	var sawDown, sawUpAgain atomic.Bool
	var replicaDown atomic.Bool
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		for time.Now().Before(stop.Add(20*time.Second)) && !sawUpAgain.Load() {
			h := scrape(metricsAddrs[1], "mesh_db_replica_healthy")
			if h == 0 {
				sawDown.Store(true)
			}
			if h == 1 && sawDown.Load() && !replicaDown.Load() {
				sawUpAgain.Store(true)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()

	sleepUntil(start.Add(5 * time.Second))
	t.Logf("%4.1fs: SIGKILL app server 0", time.Since(start).Seconds())
	apps[0].cmd.Process.Signal(syscall.SIGKILL)
	readsBeforeStop := scrape(metricsAddrs[1], "mesh_db_replica_reads_total")
	sleepUntil(start.Add(9 * time.Second))
	t.Logf("%4.1fs: stop the replica (pg_ctl stop -m fast)", time.Since(start).Seconds())
	replicaDown.Store(true)
	c.pgctl("stop", "-D", c.replicaDir, "-m", "fast", "-w")
	readsDuringStart := scrape(metricsAddrs[1], "mesh_db_replica_reads_total")
	sleepUntil(start.Add(14 * time.Second))
	readsDuringEnd := scrape(metricsAddrs[1], "mesh_db_replica_reads_total")
	t.Logf("%4.1fs: start the replica again", time.Since(start).Seconds())
	c.pgctl("start", "-D", c.replicaDir, "-l", filepath.Join(c.dir, "replica.log"), "-w", "-t", "60")
	replicaDown.Store(false)
	wg.Wait()
	loadEnd := time.Since(start)
	<-watchDone

	// The end state on the primary: every acknowledged record once, counts = recount.
	present := presentIDs(t, primary) // fails the test on an id stored twice
	lost := 0
	for id, v := range acked {
		if pv, ok := present[id]; !ok || pv != v {
			lost++
		}
	}
	checkRecount(t, primary)
	// The replica catches up with everything.
	var primaryObs int
	raw := rawDB(t, primary)
	raw.QueryRow("SELECT count(*) FROM observations").Scan(&primaryObs)
	raw.Close()
	c.waitReplicaHas(replica, "observations", primaryObs, 30*time.Second)

	// Reads go back to the replica: a few dashboard reads on the survivor land there.
	readsBack := scrape(metricsAddrs[1], "mesh_db_replica_reads_total")
	for i := 0; i < 5; i++ {
		lc2 := newLoadClient(apps[1].url, 1)
		lc2.get(ctx, readerToks[0], paths[1])
	}
	readsAfter := scrape(metricsAddrs[1], "mesh_db_replica_reads_total")
	fallbacks := scrape(metricsAddrs[1], "mesh_db_replica_fallbacks_total")

	mu.Lock()
	defer mu.Unlock()
	t.Logf("load %.1fs behind nginx, %d devices + %d readers: %d records acknowledged (%d failed sync attempts, all retried), %d lost; %d dashboard reads, %d retried by the client, %d failed after retries",
		loadEnd.Seconds(), devices, readers, len(acked), syncRetries, lost, reads.Load(), readRetries.Load(), readFailures.Load())
	t.Logf("survivor's replica reads: %.0f before the stop, %.0f→%.0f while it was down, %.0f→%.0f after it returned; %.0f queries fell back to the primary mid-request",
		readsBeforeStop, readsDuringStart, readsDuringEnd, readsBack, readsAfter, fallbacks)
	for _, err := range syncErrs {
		t.Errorf("device: %v", err)
	}
	if len(acked) < devices*20 {
		t.Errorf("only %d records acknowledged: the load did not run", len(acked))
	}
	if lost > 0 {
		t.Errorf("%d acknowledged records lost", lost)
	}
	if readFailures.Load() > 0 {
		t.Errorf("%d dashboard reads failed even after 3 attempts, e.g. %v", readFailures.Load(), readFirstErrs)
	}
	if !sawDown.Load() {
		t.Error("the survivor never reported the replica down while it was stopped")
	}
	if !sawUpAgain.Load() {
		t.Error("the survivor did not go back to the replica after it returned")
	}
	if readsDuringEnd-readsDuringStart > 5 {
		t.Errorf("%.0f reads answered by a stopped replica", readsDuringEnd-readsDuringStart)
	}
	if readsAfter <= readsBack {
		t.Errorf("reads did not go back to the replica: %.0f → %.0f", readsBack, readsAfter)
	}
}

func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !ok() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// pgBinDir is the newest /usr/lib/postgresql/VERSION/bin holding the server programs.
func pgBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_basebackup")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, p := range dirs {
		d := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

func versionOf(p string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
	return n
}

// clusters runs a private primary and replica in a temporary directory, as the
// postgres user when the test runs as root (PostgreSQL refuses to run as root).
type clusters struct {
	t                      *testing.T
	bin, dir               string
	primaryDir, replicaDir string
	primaryPort            int
	asUser                 string
}

func newClusters(t *testing.T, bin string) *clusters {
	dir, err := os.MkdirTemp("", "mesh-repl-")
	if err != nil {
		t.Fatal(err)
	}
	c := &clusters{t: t, bin: bin, dir: dir, primaryDir: filepath.Join(dir, "primary"), replicaDir: filepath.Join(dir, "replica")}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			t.Skip("replication test skipped: running as root and there is no postgres user to run the clusters")
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			os.RemoveAll(dir)
			t.Skip("replication test skipped: running as root without runuser to start PostgreSQL as postgres")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(dir, uid, gid)
		c.asUser = "postgres"
	}
	os.Chmod(dir, 0o755) // nginx's workers traverse it to their temp folders
	t.Cleanup(func() {
		for _, d := range []string{c.replicaDir, c.primaryDir} {
			if _, err := os.Stat(filepath.Join(d, "postmaster.pid")); err == nil {
				c.run(filepath.Join(c.bin, "pg_ctl"), "stop", "-D", d, "-m", "immediate", "-w")
			}
		}
		if t.Failed() {
			for _, l := range []string{"primary.log", "replica.log"} {
				if b, err := os.ReadFile(filepath.Join(dir, l)); err == nil {
					t.Logf("%s (tail):\n%s", l, tail(string(b), 1500))
				}
			}
		}
		os.RemoveAll(dir)
	})
	return c
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// run runs a PostgreSQL program as the clusters' user and fails the test on error.
func (c *clusters) run(prog string, args ...string) string {
	c.t.Helper()
	var cmd *exec.Cmd
	if c.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.asUser, "--", prog}, args...)...)
	} else {
		cmd = exec.Command(prog, args...)
	}
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("%s %s: %v\n%s", filepath.Base(prog), strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (c *clusters) pgctl(args ...string) {
	c.t.Helper()
	c.run(filepath.Join(c.bin, "pg_ctl"), args...)
}

func freePort(t *testing.T) int {
	_, p, _ := net.SplitHostPort(freeAddr(t))
	n, _ := strconv.Atoi(p)
	return n
}

func (c *clusters) conf(dataDir string, port int, extra string) {
	c.t.Helper()
	f, err := os.OpenFile(filepath.Join(dataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "\n# mesh replication test\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n%s\n", port, c.dir, extra)
}

// initPrimary creates and starts the primary and returns its DSN.
func (c *clusters) initPrimary() string {
	c.t.Helper()
	c.run(filepath.Join(c.bin, "initdb"), "-D", c.primaryDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	c.primaryPort = freePort(c.t)
	// fsync off: the test is about the app's behaviour, not the disk's; the promise
	// that an acknowledged write survives a server crash is TestCrashSafety's.
	c.conf(c.primaryDir, c.primaryPort, "wal_level = replica\nmax_wal_senders = 5\nwal_keep_size = '512MB'\nfsync = off\nmax_connections = 200\nshared_buffers = '64MB'")
	c.pgctl("start", "-D", c.primaryDir, "-l", filepath.Join(c.dir, "primary.log"), "-w", "-t", "60")
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.primaryPort)
}

// initReplica clones the primary with pg_basebackup -R (a standby that streams from
// it) and starts it on its own port.
func (c *clusters) initReplica() string {
	c.t.Helper()
	c.run(filepath.Join(c.bin, "pg_basebackup"), "-h", "127.0.0.1", "-p", strconv.Itoa(c.primaryPort), "-U", "postgres",
		"-D", c.replicaDir, "-R", "-X", "stream", "--no-sync")
	port := freePort(c.t)
	c.conf(c.replicaDir, port, "hot_standby = on\nhot_standby_feedback = on")
	c.pgctl("start", "-D", c.replicaDir, "-l", filepath.Join(c.dir, "replica.log"), "-w", "-t", "60")
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// waitReplicaHas waits until table on the replica has at least n rows.
func (c *clusters) waitReplicaHas(dsn, table string, n int, d time.Duration) {
	c.t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	got := -1
	waitFor(c.t, d, fmt.Sprintf("the replica's %s to reach %d rows", table, n), func() bool {
		if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&got); err != nil {
			return false
		}
		return got >= n
	})
}

// startNginx runs nginx in the foreground on a free 127.0.0.1 port in front of the two
// app servers, retrying idempotent requests on the other server when one fails, and
// returns its base URL.
func startNginx(t *testing.T, bin, dir string, upstreams ...string) string {
	t.Helper()
	ngx := filepath.Join(dir, "nginx")
	for _, d := range []string{"", "body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"} {
		os.MkdirAll(filepath.Join(ngx, d), 0o777)
		os.Chmod(filepath.Join(ngx, d), 0o777)
	}
	addr := freeAddr(t)
	var servers strings.Builder
	for _, u := range upstreams {
		fmt.Fprintf(&servers, "    server %s max_fails=1 fail_timeout=10s;\n", strings.TrimPrefix(u, "http://"))
	}
	conf := fmt.Sprintf(nginxConf, ngx, ngx, servers.String(), addr)
	confFile := filepath.Join(ngx, "nginx.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", ngx+"/", "-c", confFile, "-e", filepath.Join(ngx, "logs", "error.log"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(ngx, "logs", "error.log")); err == nil {
				t.Logf("nginx error.log (tail):\n%s", tail(string(b), 1500))
			}
		}
	})
	base := "http://" + addr
	waitFor(t, 15*time.Second, "nginx", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return base
}

// nginxConf is the front of docs/operations.md, in a private prefix: %s prefix (pid),
// %s prefix (temp paths), the upstream servers, the listen address.
const nginxConf = `daemon off;
worker_processes 1;
pid %s/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[2]s/body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  upstream mesh {
%[3]s    keepalive 32;
  }
  server {
    listen %[4]s;
    client_max_body_size 20m;
    location / {
      proxy_pass http://mesh;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A request that fails on one app server is tried on the other, for idempotent
      # methods only (GET, HEAD…): a sync POST is retried by the device instead.
      proxy_next_upstream error timeout http_502 http_503 http_504;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }
  }
}
`
