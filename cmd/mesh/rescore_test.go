package main

import (
	"context"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mesh/sqlstore"
)

// Re-scoring the demo's year of observations with the same engine succeeds, touches
// every observation, and leaves the counts both unchanged and equal to a recount:
// the demo's records went through the same observation.Build path as re-scoring.
func TestRescoreDemo(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "demo.db")
	if st, _, errs := runCLI(t, "", "demo", "--db", dsn); st != 0 {
		t.Fatalf("demo: exit %d: %s", st, errs)
	}
	before := counts(t, dsn)
	st, out, errs := runCLI(t, "", "rescore", "--force", "--db", dsn)
	if st != 0 {
		t.Fatalf("rescore: exit %d: %s", st, errs)
	}
	m := regexp.MustCompile(`re-scored ([\d,]+) observation`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("rescore output %q", out)
	}
	if n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", "")); n < 1000 {
		t.Errorf("re-scored %d observations, want the demo's year (over 1000)", n)
	}
	after := counts(t, dsn)
	if len(after) != len(before) {
		t.Errorf("rescore changed the number of count rows: %d → %d", len(before), len(after))
	}
	for k, b := range before {
		// assessment_index sums fractions: subtracting and re-adding them may move
		// the last bits, so compare with a tolerance.
		if a := after[k]; !near(a, b) {
			t.Errorf("%s: %v before the rescore, %v after", k, b, a)
		}
	}
}

// counts returns the stored facility-month counts after checking they equal a
// recount from the stored observations.
func counts(t *testing.T, dsn string) map[string][2]float64 {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.StoredCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.RecountIndicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("stored %d count rows, recount %d", len(got), len(want))
	}
	for k, w := range want {
		if g := got[k]; !near(g, w) {
			t.Errorf("%s: stored %v, recount %v", k, g, w)
		}
	}
	return got
}

func near(a, b [2]float64) bool {
	return math.Abs(a[0]-b[0]) < 1e-9 && math.Abs(a[1]-b[1]) < 1e-9
}
