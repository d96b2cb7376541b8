package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"mesh/export"
	"mesh/i18n"
	"mesh/observation"
	"mesh/sqlstore"
)

func TestExportCLI(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "mesh.db")
	if st, _, stderr := runCLI(t, "", "demo", "--db", dsn); st != 0 {
		t.Fatalf("demo: %d %s", st, stderr)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	_, stored, err := db.FindObservations(ctx, observation.Filter{Limit: 1})
	db.Close()
	if err != nil || stored == 0 {
		t.Fatalf("stored %d, %v", stored, err)
	}
	file := filepath.Join(t.TempDir(), "observations.csv")
	st, stdout, stderr := runCLI(t, "", "export", "observations", "--format", "csv", "--db", dsn, "-o", file, "--progress-every", "500")
	// Not a terminal: a bar line every 500 rows with the count out of the total.
	if st != 0 || stdout != "" || !strings.Contains(stderr, fmt.Sprintf("] %3d%% 500/%d observations", 500*100/stored, stored)) ||
		!strings.Contains(stderr, "done,") {
		t.Fatalf("export: %d %q %q", st, stdout, stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil || !bytes.HasPrefix(b, []byte(export.BOM)) {
		t.Fatalf("file does not start with the UTF-8 BOM: %v", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b[len(export.BOM):])).ReadAll()
	if err != nil || len(rows)-1 != stored || rows[0][0] != i18n.T("en", "export.col.id") {
		t.Fatalf("%d data rows, %d stored observations, %v", len(rows)-1, stored, err)
	}
	for _, table := range []string{"visits", "indicators"} {
		st, out, stderr := runCLI(t, "", "export", table, "--from", "2026-01", "--to", "2026-03-31", "--db", dsn)
		if st != 0 || !strings.HasPrefix(out, export.BOM) || strings.Count(out, "\n") < 10 {
			t.Errorf("%s: %d %q %.200q", table, st, stderr, out)
		}
	}
	// The facility-system tables, whole, in French, as XLSX: a workbook whose first
	// row is the French header.
	for _, table := range []string{"readiness", "stockouts", "issues", "qi-cycles"} {
		file := filepath.Join(t.TempDir(), table+".xlsx")
		st, _, stderr := runCLI(t, "", "export", table, "--format", "xlsx", "--lang", "fr", "--db", dsn, "-o", file)
		if st != 0 || !strings.Contains(stderr, "done,") {
			t.Fatalf("%s: %d %q", table, st, stderr)
		}
		x, err := excelize.OpenFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(export.SheetName)
		if table == "readiness" {
			// The check date is a real date: a day number underneath, shown yyyy-mm-dd.
			raw, _ := x.GetCellValue(export.SheetName, "B2", excelize.Options{RawCellValue: true})
			shown, _ := x.GetCellValue(export.SheetName, "B2")
			if _, err := strconv.ParseFloat(raw, 64); err != nil || len(shown) != 10 {
				t.Errorf("readiness date cell: raw %q, shown %q", raw, shown)
			}
		}
		x.Close()
		if err != nil || len(rows) < 4 || rows[0][1] == "" || rows[0][0] != i18n.T("fr", "export.col.id") {
			t.Errorf("%s: %d rows, header %v, %v", table, len(rows), rows[0], err)
		}
	}
	for _, args := range [][]string{
		{"export", "observations", "--lang", "de", "--db", dsn},
		{"export", "observations", "--format", "pdf", "--db", dsn},
		{"export", "observations", "--from", "March", "--db", dsn},
		{"export", "observations", "--from", "2026-04-01", "--to", "2026-03-01", "--db", dsn},
		{"export", "observations", "--orgunit", "none", "--db", dsn},
		{"export", "tables", "--db", dsn},
		{"export"},
	} {
		if st, _, _ := runCLI(t, "", args...); st != 2 {
			t.Errorf("%v: exit %d, want 2", args, st)
		}
	}
}

// A long data step of a migration prints a line at each tenth of the way and at the
// end; a short one (a demo database) prints nothing.
func TestBackfillProgress(t *testing.T) {
	var errb bytes.Buffer
	env := &Env{Stdout: io.Discard, Stderr: &errb, Getenv: func(string) string { return "" }, Lang: "en"}
	p := backfillProgress(env)
	for done := 500; done <= 1500; done += 500 {
		p("observation_rows", done, 1500)
	}
	if errb.Len() != 0 {
		t.Fatalf("short step printed %q", errb.String())
	}
	for done := 500; ; done += 500 {
		done = min(done, 200_405)
		p("observation_rows", done, 200_405)
		if done == 200_405 {
			break
		}
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(lines) != 10 || !strings.HasSuffix(lines[9], "200,405 of 200,405") || !strings.Contains(lines[0], "export rows") {
		t.Fatalf("%d lines:\n%s", len(lines), errb.String())
	}
}
