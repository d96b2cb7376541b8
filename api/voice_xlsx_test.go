package api_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"mesh/voice"
)

// checkQuotesXLSX reads the workbook back: the same rows as the CSV export, the
// source id a number, a quote that looks like a formula kept as text (no ' needed,
// no formula), and no coder column.
func checkQuotesXLSX(t *testing.T, body, csvBody string) {
	t.Helper()
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows(voice.QuotesSheet)
	if err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBody, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) || len(rows) < 2 {
		t.Fatalf("xlsx has %d rows, csv %d", len(rows), len(want))
	}
	formulaQuote := false
	for i := range want {
		for j := range want[i] {
			got, w := "", strings.TrimPrefix(want[i][j], "'")
			if j < len(rows[i]) {
				got = rows[i][j]
			}
			if got != w {
				t.Errorf("row %d col %d: %q, csv %q", i, j, got, want[i][j])
			}
			if strings.HasPrefix(got, "=") {
				formulaQuote = true
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if fm, _ := x.GetCellFormula(voice.QuotesSheet, cell); fm != "" {
					t.Errorf("%s holds a formula %q", cell, fm)
				}
			}
		}
	}
	if !formulaQuote {
		t.Error("the test data has no quote that looks like a formula")
	}
	if typ, _ := x.GetCellType(voice.QuotesSheet, "D2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("source_id cell type %v, want a number", typ)
	}
	if strings.Contains(strings.Join(rows[0], ","), "coder") {
		t.Errorf("a coder column: %v", rows[0])
	}
}
