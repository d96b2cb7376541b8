package export

import (
	"bytes"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"mesh/i18n"
)

func TestExportObservationsXLSX(t *testing.T) {
	var buf bytes.Buffer
	n, err := WriteObservations(&buf, XLSX, synthetic(40), Options{Lang: "rw"})
	if err != nil || n != 40 {
		t.Fatalf("wrote %d rows, %v", n, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(SheetName)
	if err != nil || len(rows) != 41 {
		t.Fatalf("%d rows read back, %v", len(rows), err)
	}
	col := map[string]int{}
	for i, h := range ObservationHeader {
		col[h] = i + 1
		if rows[0][i] != i18n.T("rw", "export.col."+h) {
			t.Errorf("header %d = %q, want the rw label of %s", i, rows[0][i], h)
		}
	}
	cellOf := func(name string, row int) string {
		c, _ := excelize.CoordinatesToCellName(col[name], row)
		return c
	}
	// The header is bold.
	sid, _ := f.GetCellStyle(SheetName, "A1")
	if st, err := f.GetStyle(sid); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v, %v", st, err)
	}
	// observed_at is a date: a serial number with a date format, not text.
	at := cellOf("observed_at", 2)
	if typ, _ := f.GetCellType(SheetName, at); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("observed_at stored as text (%v)", typ)
	}
	raw, _ := f.GetCellValue(SheetName, at, excelize.Options{RawCellValue: true})
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("observed_at raw %q is not a date serial", raw)
	}
	got, _ := excelize.ExcelDateToTime(serial, false)
	if want := time.Date(2026, 3, 5, 9, 30, 0, 0, time.UTC); got.Sub(want).Abs() > time.Second {
		t.Errorf("observed_at %v, want %v", got, want)
	}
	sid, _ = f.GetCellStyle(SheetName, at)
	if st, _ := f.GetStyle(sid); st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "yyyy-mm-dd hh:mm" {
		t.Errorf("observed_at has no date format: %+v", st)
	}
	// Numbers and booleans are typed too; empty stays empty.
	if v, _ := f.GetCellValue(SheetName, cellOf("assessment_index", 2), excelize.Options{RawCellValue: true}); v != "0.875" {
		t.Errorf("assessment_index %q", v)
	}
	if typ, _ := f.GetCellType(SheetName, cellOf("treatment_correct", 2)); typ != excelize.CellTypeBool {
		t.Errorf("treatment_correct type %v", typ)
	}
}

// BenchmarkExportXLSX writes 100,000 observation rows per op as XLSX; rows/s is reported.
func BenchmarkExportXLSX(b *testing.B) {
	const rows = 100_000
	start := time.Now()
	for b.Loop() {
		n, err := WriteObservations(io.Discard, XLSX, synthetic(rows), Options{Lang: "en"})
		if err != nil || n != rows {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
}
