package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mesh/metrics"
)

// freeAddr returns a 127.0.0.1 address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// metricValue finds one sample in a scrape: name and its exact label set as written.
func metricValue(t *testing.T, scrape, series string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(scrape)
	if m == nil {
		t.Errorf("no sample %s in the scrape", series)
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// TestMetricsEndpoint runs the real server, syncs a batch twice (stored, then
// duplicates) and reads /metrics: anonymous and non-admin callers are refused on the
// main address, admins and the --metrics-addr listener get the text format with the
// counts of what was done.
func TestMetricsEndpoint(t *testing.T) {
	s := prepareDB(t, t.TempDir()+"/mesh.db")
	maddr := freeAddr(t)
	p := startMesh(t, "--db", s.dsn, "--metrics-addr", maddr)
	c := newLoadClient(p.url, 2)
	ctx := context.Background()
	token, err := c.login(ctx, "mentor.kayonza", "mesh-demo-2026")
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := relRecords(runID(), s, 100)
	acked := map[string]int{}
	deadline := time.Now().Add(time.Minute)
	mustSync(t, c, token, recs, acked, deadline)
	mustSync(t, c, token, recs, acked, deadline) // all duplicates now

	if code, _ := p.get(t, "/metrics", ""); code != 401 {
		t.Errorf("anonymous /metrics: %d, want 401", code)
	}
	if code, _ := p.get(t, "/metrics", token); code != 403 {
		t.Errorf("mentor /metrics: %d, want 403", code)
	}
	code, admin := p.get(t, "/metrics", p.token(t, "admin", "mesh-demo-2026"))
	if code != 200 || !strings.Contains(admin, "# TYPE mesh_http_requests_total counter") {
		t.Errorf("admin /metrics: %d %.200s", code, admin)
	}

	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	scrape := string(b)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != metrics.ContentType {
		t.Fatalf("--metrics-addr: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for series, want := range map[string]float64{
		`mesh_sync_records_total{outcome="stored"}`:                                      100,
		`mesh_sync_records_total{outcome="already_stored"}`:                              100,
		`mesh_observation_saves_total{outcome="created"}`:                                98,
		`mesh_observation_saves_total{outcome="unchanged"}`:                              98,
		`mesh_http_requests_total{route="POST /api/v1/sync",method="POST",code="2xx"}`:   2,
		`mesh_http_requests_total{route="GET /metrics",method="GET",code="4xx"}`:         2,
		`mesh_http_request_duration_seconds_count{route="POST /api/v1/sync"}`:            2,
		`mesh_http_request_duration_seconds_bucket{route="POST /api/v1/sync",le="+Inf"}`: 2,
		`mesh_db_connections_max_open{pool="write"}`:                                     1,
	} {
		if got := metricValue(t, scrape, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if n := metricValue(t, scrape, `mesh_sqlite_group_commit_batch_size_count`); n < 1 {
		t.Errorf("group commits counted: %v", n)
	}
	if n := metricValue(t, scrape, `go_goroutines`); n < 2 {
		t.Errorf("go_goroutines = %v", n)
	}
	if n := metricValue(t, scrape, `go_memstats_heap_alloc_bytes`); n <= 0 {
		t.Errorf("heap = %v", n)
	}
	t.Logf("scrape: %d bytes, %d lines", len(scrape), strings.Count(scrape, "\n"))
}

func TestServeOpsFlagsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--db", t.TempDir() + "/x.db", "--db-read", "postgres://u@127.0.0.1:1/x"},
		{"serve", "--db", "postgres://u@127.0.0.1:1/x", "--db-read", "replica.db"},
		{"serve", "--db", "postgres://u@127.0.0.1:1/x", "--db-read", "postgres://u@127.0.0.1:2/x", "--db-read-max-lag", "0s"},
	} {
		if st, _, errOut := runCLI(t, "", args...); st != 2 || !strings.Contains(errOut, "--db-read") {
			t.Errorf("%v: status %d, %q; want 2 naming --db-read", args, st, errOut)
		}
	}
}
