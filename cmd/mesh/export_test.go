package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if st != 0 || stdout != "" || !strings.Contains(stderr, "500 observations exported") || !strings.Contains(stderr, "done,") {
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
