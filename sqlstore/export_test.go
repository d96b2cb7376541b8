package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"mesh/demo"
	"mesh/export"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// exportCSV writes one table through the store as `mesh export` does and returns its
// rows (header first).
func exportCSV(t testing.TB, write func(w io.Writer) (int, error)) [][]string {
	t.Helper()
	var buf bytes.Buffer
	n, err := write(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), export.BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 {
		t.Fatalf("%d rows written, %d in the file", n, len(rows)-1)
	}
	return rows
}

func count(t testing.TB, db *sqlstore.DB, q string) int {
	t.Helper()
	var n int
	rows, err := db.ReadForTest(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	rows.Next()
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every facility-system table exports every stored row once, in order, on both
// databases; small pages make the keyset paging cross several pages.
func TestExportFacilityTables(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		f := sqlstore.ExportFilter{PageSize: 3}
		tables := []struct {
			name   string
			header []string
			want   string // SQL count of the rows
			order  int    // column the rows are sorted on
			write  func(w io.Writer) (int, error)
		}{
			{"readiness", export.ReadinessHeader, "SELECT COUNT(*) FROM readiness_checks", 1, func(w io.Writer) (int, error) {
				return export.WriteReadinessChecks(w, export.CSV, db.ExportReadinessChecks(ctx, f), export.Options{})
			}},
			{"stockouts", export.StockHeader, "SELECT COUNT(*) FROM stock_events", 4, func(w io.Writer) (int, error) {
				return export.WriteStockEvents(w, export.CSV, db.ExportStockEvents(ctx, f), export.Options{})
			}},
			{"issues", export.IssueHeader, "SELECT COUNT(*) FROM issues", 9, func(w io.Writer) (int, error) {
				return export.WriteIssues(w, export.CSV, db.ExportIssues(ctx, f), export.Options{})
			}},
			{"qi-cycles", export.QICycleHeader, "SELECT COUNT(*) FROM pdsa_cycles", 16, func(w io.Writer) (int, error) {
				return export.WriteQICycles(w, export.CSV, db.ExportQICycles(ctx, f), export.Options{})
			}},
		}
		for _, tc := range tables {
			t.Run(tc.name, func(t *testing.T) {
				rows := exportCSV(t, tc.write)
				if strings.Join(rows[0], ",") != strings.Join(tc.header, ",") {
					t.Fatalf("header %v", rows[0])
				}
				want := count(t, db, tc.want)
				if want < 3 || len(rows)-1 != want {
					t.Fatalf("%d rows, %d stored (the demo should have more than a page)", len(rows)-1, want)
				}
				seen := map[string]bool{}
				for i, r := range rows[1:] {
					if seen[r[0]] {
						t.Fatalf("row %d: id %s twice", i+1, r[0])
					}
					seen[r[0]] = true
					if i > 0 && r[tc.order] < rows[i][tc.order] {
						t.Fatalf("row %d out of order: %s after %s", i+1, r[tc.order], rows[i][tc.order])
					}
				}
			})
		}
		// Observations, read two pages at a time from index boundaries: every row once,
		// in order, small pages so that there are many.
		var n0 int
		last := ""
		seen := map[string]bool{}
		for o, err := range db.ExportObservations(ctx, sqlstore.ExportFilter{PageSize: 50}) {
			if err != nil {
				t.Fatal(err)
			}
			key := o.ObservedAt.UTC().Format(time.RFC3339Nano) + " " + o.ID
			if seen[o.ID] || key < last {
				t.Fatalf("observation %d: %s repeated or out of order", n0, o.ID)
			}
			seen[o.ID], last = true, key
			n0++
		}
		if want := count(t, db, "SELECT COUNT(*) FROM observations WHERE voided = false"); n0 != want || n0 < 500 {
			t.Fatalf("%d observations exported, %d stored", n0, want)
		}
		// A reader that stops early stops the page readers too (the loop returns).
		stopped := 0
		for _, err := range db.ExportObservations(ctx, sqlstore.ExportFilter{PageSize: 50}) {
			if err != nil {
				t.Fatal(err)
			}
			if stopped++; stopped == 120 {
				break
			}
		}
		// An area filter keeps only rows of facilities under it.
		var under []string
		rs, err := db.ReadForTest(ctx, `SELECT o.path, COUNT(*) FROM issues i JOIN orgunits o ON o.id = i.facility_id GROUP BY o.path ORDER BY COUNT(*) DESC`)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		var path string
		rs.Next()
		if err := rs.Scan(&path, &n); err != nil {
			t.Fatal(err)
		}
		rs.Close()
		under = []string{path}
		rows := exportCSV(t, func(w io.Writer) (int, error) {
			return export.WriteIssues(w, export.CSV, db.ExportIssues(ctx, sqlstore.ExportFilter{Under: under}), export.Options{})
		})
		if len(rows)-1 != n {
			t.Fatalf("issues under %s: %d rows, want %d", path, len(rows)-1, n)
		}
	})
}

// The observation export reads the stored JSON itself: its cells must match the
// record the store gives back.
func TestExportObservationsFromStore(t *testing.T) {
	ctx := context.Background()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	rows := exportCSV(t, func(w io.Writer) (int, error) {
		return export.WriteObservations(w, export.CSV, db.ExportObservations(ctx, sqlstore.ExportFilter{PageSize: 100}), export.Options{})
	})
	if want := count(t, db, "SELECT COUNT(*) FROM observations WHERE voided = 0"); len(rows)-1 != want {
		t.Fatalf("%d rows, want %d", len(rows)-1, want)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:20] {
		rec, err := db.FindObservationByID(ctx, r[col["id"]])
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{
			"facility_id":            strconv.FormatInt(rec.FacilityID, 10),
			"recording_form_used":    strconv.FormatBool(rec.RecordingFormUsed),
			"assessment_index":       strconv.FormatFloat(rec.Score.AssessmentIndex, 'f', -1, 64),
			"tasks_missed":           strings.Join(rec.Score.TasksMissed, "; "),
			"feedback_points":        strconv.Itoa(len(rec.Score.Feedback)),
			"worker_classifications": strings.Join(rec.Worker.Classifications, "; "),
			"facts.drug_given":       strconv.FormatBool(rec.Score.Facts.DrugGiven),
			"observed_at":            rec.ObservedAt.UTC().Format(time.RFC3339),
		} {
			if got := r[col[name]]; got != want {
				t.Errorf("observation %s, %s = %q, want %q", rec.ID, name, got, want)
			}
		}
		if r[col["facility"]] == "" || r[col["sex"]] == "" {
			t.Errorf("observation %s: facility %q, sex %q", rec.ID, r[col["facility"]], r[col["sex"]])
		}
	}
}

// BenchmarkExportObservationsDB measures the whole path a manager waits for: pages of
// stored observations read from SQLite, decoded and written as CSV. The database is
// the demo's 1,345 observations copied (new ids: zz and the copy number replace an id's first 8 characters) up to MESH_BENCH_EXPORT_ROWS rows
// (default 50,000; docs/benchmarks.md uses 200,000). Reports rows/s and the time to
// the first byte after the byte-order mark.
func BenchmarkExportObservationsDB(b *testing.B) {
	target := 50_000
	if s := os.Getenv("MESH_BENCH_EXPORT_ROWS"); s != "" {
		var err error
		if target, err = strconv.Atoi(s); err != nil {
			b.Fatal("MESH_BENCH_EXPORT_ROWS: ", err)
		}
	}
	ctx := context.Background()
	db := sqlstoretest.Open(b, sqlstore.SQLite)
	if _, err := demo.Load(ctx, db); err != nil {
		b.Fatal(err)
	}
	base := count(b, db, "SELECT COUNT(*) FROM observations")
	copies := (target + base - 1) / base
	for k := 1; k < copies; k++ {
		if _, err := db.ExecForTest(ctx, `INSERT INTO observations (id, visit_id, health_worker_id, facility_id, observed_at, month,
			age_group, protocol, body, expected, score, engine_version, scoring_version, assessment_index, classification_correct,
			treatment_correct, counselling_complete, correctly_managed, indicators, content_hash, voided, version, created_by,
			created_at, updated_at)
			SELECT ? || substr(id, 9), visit_id, health_worker_id, facility_id, observed_at, month, age_group, protocol, body,
			expected, score, engine_version, scoring_version, assessment_index, classification_correct, treatment_correct,
			counselling_complete, correctly_managed, indicators, content_hash, voided, version, created_by, created_at, updated_at
			FROM observations WHERE id NOT LIKE 'zz%'`, fmt.Sprintf("zz%06d", k)); err != nil {
			b.Fatal(err)
		}
	}
	// A live database has its pages in the main file, not a fresh WAL of copies.
	if _, err := db.ExecForTest(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	total := count(b, db, "SELECT COUNT(*) FROM observations WHERE voided = 0")
	b.ResetTimer()
	var first time.Duration
	start := time.Now()
	for b.Loop() {
		t0 := time.Now()
		w := &firstByte{start: t0}
		n, err := export.WriteObservations(w, export.CSV, db.ExportObservations(ctx, sqlstore.ExportFilter{}), export.Options{})
		if err != nil || n != total {
			b.Fatal(n, err)
		}
		first = max(first, w.first)
	}
	b.ReportMetric(float64(total*b.N)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(first.Milliseconds()), "ms-to-first-row")
	b.ReportMetric(float64(total), "rows")
}

// firstByte discards what it is given and notes when the first row (past the
// byte-order mark and header, which leave before any query) arrived.
type firstByte struct {
	start  time.Time
	first  time.Duration
	writes int
}

func (f *firstByte) Write(p []byte) (int, error) {
	f.writes++
	if f.first == 0 && bytes.Count(p, []byte("\n")) > 1 {
		f.first = time.Since(f.start)
	}
	return len(p), nil
}
