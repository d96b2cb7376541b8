package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLoad runs `mesh bench load` in-process: simulated mentors syncing and
// supervisors reading dashboards, for a bounded time. Under load nothing may fail.
// The recorded run (200 clients, 60 s) is in docs/benchmarks.md; MESH_LONG_TESTS=1
// repeats it here.
func TestLoad(t *testing.T) {
	args := []string{"bench", "load", "--clients", "20", "--duration", "5s", "--think", "200ms"}
	if longTests() {
		args = []string{"bench", "load", "--clients", "200", "--duration", "60s"}
	}
	st, out, errs := runCLI(t, "", args...)
	if st != 0 {
		t.Fatalf("bench load: status %d\n%s", st, errs)
	}
	var fig loadFigures
	if err := json.Unmarshal([]byte(out), &fig); err != nil {
		t.Fatalf("figures: %v\n%s", err, out)
	}
	if fig.Errors != 0 || fig.Requests == 0 || fig.RecordsSent == 0 {
		t.Fatalf("%d errors in %d requests (%d records stored): %v", fig.Errors, fig.Requests, fig.RecordsSent, fig.FirstErrors)
	}
	for _, ep := range []string{"POST /api/v1/sync", "GET /dashboard", "GET /api/v1/cadence", "GET /api/v1/indicators/{id}/values"} {
		if fig.Endpoints[ep] == nil || fig.Endpoints[ep].Requests == 0 {
			t.Errorf("no requests to %s", ep)
		}
	}
	t.Logf("%s", strings.TrimSpace(out))
}

// TestLoadUsage checks the wrapped bench command still dispatches both benches.
func TestLoadUsage(t *testing.T) {
	if st, _, errs := runCLI(t, "", "bench", "load", "--clients", "0"); st != 2 {
		t.Errorf("bench load --clients 0: status %d %s", st, errs)
	}
	if st, _, errs := runCLI(t, "", "bench", "load", "--help"); st != 0 {
		t.Errorf("bench load --help: status %d %s", st, errs)
	}
	if st, _, errs := runCLI(t, "", "bench", "dashboards", "--help"); st != 0 {
		t.Errorf("bench dashboards --help: status %d %s", st, errs)
	}
}
