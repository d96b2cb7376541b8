package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// TestBenchDashboardsSmall runs `mesh bench dashboards` on a small synthetic set, on
// SQLite and (with MESH_TEST_POSTGRES) PostgreSQL: the counts summed in the database
// equal the raw GROUP BY, every facility-month has its count rows, and --reuse measures
// the loaded database again.
func TestBenchDashboardsSmall(t *testing.T) {
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "bench.db")}
	if os.Getenv("MESH_TEST_POSTGRES") != "" {
		dsns["postgres"] = sqlstoretest.DSN(t, sqlstore.Postgres)
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			args := []string{"bench", "dashboards", "--db", dsn, "--facilities", "60", "--years", "1", "--observations", "7200", "--runs", "3", "--raw-runs", "2"}
			for _, reuse := range []bool{false, true} {
				a := args
				if reuse {
					a = append(a, "--reuse")
				}
				st, out, errs := runCLI(t, "", a...)
				if st != 0 {
					t.Fatalf("bench dashboards (reuse %v): status %d\n%s", reuse, st, errs)
				}
				var fig benchFigures
				if err := json.Unmarshal([]byte(out), &fig); err != nil {
					t.Fatalf("figures: %v\n%s", err, out)
				}
				if !fig.SameNumbers || fig.CountRows != 60*12*len(sqlstore.BenchRawIndicators) || fig.Districts != 2 || fig.Reused != reuse {
					t.Errorf("figures %+v", fig)
				}
			}
			if st, _, _ := runCLI(t, "", args...); st != 2 {
				t.Errorf("a second load into the same database: status %d, want 2", st)
			}
		})
	}
}
