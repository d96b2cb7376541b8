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
	"mesh/observation"
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
	// The export rows, laid out in export order as saves (and migration 0014's backfill)
	// lay them out: a copy's rows come with their originals, not 1,345 rows apart.
	if _, err := db.ExecForTest(ctx, `CREATE TEMP TABLE originals AS SELECT substr(id, 9) AS tail, * FROM observation_rows`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecForTest(ctx, `CREATE INDEX originals_tail ON originals(tail)`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecForTest(ctx, `DELETE FROM observation_rows`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecForTest(ctx, `INSERT INTO observation_rows (id, observed_at, month, facility_id, cells)
		SELECT ob.id, x.observed_at, x.month, x.facility_id, x.cells FROM observations ob JOIN originals x ON x.tail = substr(ob.id, 9)
		ORDER BY x.observed_at, ob.id`); err != nil {
		b.Fatal(err)
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

// The export rows kept at save time (observation_rows) must always be what the
// records they come from would give: after saves, an edit, a void, a re-score and a
// facility renamed, the export equals rows made afresh from every stored record; and
// migration 0014's backfill, run again from nothing, writes the same rows.
func TestObservationRowsFollowTheRecords(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		recs, _, err := db.FindObservations(ctx, observation.Filter{Limit: 3})
		if err != nil || len(recs) < 3 {
			t.Fatal(len(recs), err)
		}
		edited := recs[0]
		edited.Worker.Referred = !edited.Worker.Referred
		edited.ContentHash = observation.ContentHash(edited.Observation)
		edited.BodyJSON, edited.ScoreJSON = nil, nil
		v := edited.Version
		if _, err := db.PutObservation(ctx, edited, &v); err != nil {
			t.Fatal(err)
		}
		if _, err := db.VoidObservation(ctx, recs[1].ID); err != nil {
			t.Fatal(err)
		}
		s := recs[2].Score
		s.AssessmentIndex, s.TasksMissed = 0.125, []string{"rescored"}
		if err := db.RescoreObservation(ctx, recs[2].ID, recs[2].Expected, s, recs[2].Indicators); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecForTest(ctx, `UPDATE orgunits SET name = name || ', renamed' WHERE id = ?`, edited.FacilityID); err != nil {
			t.Fatal(err)
		}

		stored := exportBytes(t, db)
		if want := fromRecords(t, db); stored != want {
			t.Fatalf("export from observation_rows differs from rows made from the records:\n%s", firstDiff(stored, want))
		}
		for _, want := range []string{"rescored", ", renamed"} {
			if !strings.Contains(stored, want) {
				t.Errorf("export lacks %q", want)
			}
		}
		if strings.Contains(stored, recs[1].ID) {
			t.Errorf("voided observation %s exported", recs[1].ID)
		}

		if _, err := db.ExecForTest(ctx, `DELETE FROM observation_rows`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecForTest(ctx, `INSERT INTO backfills (name) VALUES ('observation_rows')`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got := exportBytes(t, db); got != stored {
			t.Fatal("the backfill wrote different rows from those written at save time")
		}
		if n := count(t, db, "SELECT COUNT(*) FROM backfills"); n != 0 {
			t.Fatalf("%d backfills left pending", n)
		}
	})
}

func exportBytes(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := export.WriteObservations(&buf, export.CSV, db.ExportObservations(context.Background(), sqlstore.ExportFilter{PageSize: 97}), export.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// fromRecords writes the observation export from the records themselves, formatted
// now, in export order.
func fromRecords(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	ctx := context.Background()
	names := map[int64]string{}
	rows, err := db.ReadForTest(ctx, `SELECT id, name FROM orgunits`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		names[id] = name
	}
	rows.Close()
	var recs []*observation.Record
	for {
		page, _, err := db.FindObservations(ctx, observation.Filter{Limit: 1000, Offset: len(recs)})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, page...)
		if len(page) < 1000 {
			break
		}
	}
	src := func(yield func(export.Observation, error) bool) {
		for _, r := range recs {
			o, err := export.ObservationOf(r, names[r.FacilityID])
			if !yield(o, err) {
				return
			}
		}
	}
	var buf bytes.Buffer
	if _, err := export.WriteObservations(&buf, export.CSV, src, export.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// firstDiff shows the first line where two exports differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
