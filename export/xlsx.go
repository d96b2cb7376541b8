package export

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Format is a file format an export can be written in.
type Format string

// The formats: CSV (any size, first byte at once) and XLSX (what managers open; the
// file can only be sent once its last row is written, since a zip ends with its index).
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads "csv" or "xlsx".
func ParseFormat(s string) (Format, bool) {
	switch Format(s) {
	case CSV, XLSX:
		return Format(s), true
	}
	return "", false
}

// ContentType is the media type a web download of f carries.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// colKind says how an XLSX cell holds a column's text: Excel sorts, filters and sums
// real numbers, dates and booleans, not text that looks like them.
type colKind uint8

const (
	kText colKind = iota
	kNum
	kBool
	kDate // YYYY-MM-DD
	kTime // RFC 3339, written UTC
)

// MaxXLSXRows is the most data rows one sheet holds (Excel's 1,048,576 rows less the
// header); a larger export must use CSV.
const MaxXLSXRows = 1_048_575

// SheetName is the name of the one sheet of an XLSX export.
const SheetName = "data"

// xlsxSink writes rows into one sheet with excelize's StreamWriter, which spills rows
// to a temporary file past a few megabytes, so memory stays flat however long the
// table; the workbook is assembled and written to w in close.
type xlsxSink struct {
	w     io.Writer
	f     *excelize.File
	sw    *excelize.StreamWriter
	kinds []colKind
	n     int
	date  int // style ids
	stamp int
	cells []any
}

func newXLSXSink(w io.Writer, kinds []colKind) *xlsxSink {
	return &xlsxSink{w: w, kinds: kinds}
}

func (s *xlsxSink) header(cols []string) error {
	s.f = excelize.NewFile()
	if err := s.f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	var err error
	bold, err := s.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	// Custom formats rather than built-in 14/22, whose look follows the reader's
	// locale: ISO dates read the same in Kigali, Paris and on a UK laptop.
	ymd := "yyyy-mm-dd"
	if s.date, err = s.f.NewStyle(&excelize.Style{CustomNumFmt: &ymd}); err != nil {
		return err
	}
	ymdhm := "yyyy-mm-dd hh:mm"
	if s.stamp, err = s.f.NewStyle(&excelize.Style{CustomNumFmt: &ymdhm}); err != nil {
		return err
	}
	if s.sw, err = s.f.NewStreamWriter(SheetName); err != nil {
		return err
	}
	// Column widths and the frozen header go before the first row (a stream writer
	// cannot go back).
	for i, k := range s.kinds {
		width := 14.0
		switch k {
		case kTime:
			width = 17
		case kText:
			width = 18
		}
		if err := s.sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(cols))
	for i, c := range cols {
		row[i] = excelize.Cell{StyleID: bold, Value: c}
	}
	s.cells = make([]any, len(cols))
	return s.sw.SetRow("A1", row)
}

func (s *xlsxSink) row(r []string) error {
	if s.n == MaxXLSXRows {
		return errors.New("export: more rows than one Excel sheet holds (1,048,575): export as CSV, or narrow --from/--to or --orgunit")
	}
	s.n++
	for i, v := range r {
		s.cells[i] = s.cell(s.kinds[i], v)
	}
	cell, err := excelize.CoordinatesToCellName(1, s.n+1)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, s.cells)
}

// cell turns one formatted value back into its typed XLSX form; a value that does not
// parse stays text rather than being lost.
func (s *xlsxSink) cell(k colKind, v string) any {
	if v == "" {
		return nil
	}
	switch k {
	case kNum:
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			return x
		}
	case kBool:
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	case kDate:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return excelize.Cell{StyleID: s.date, Value: t}
		}
	case kTime:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			// Excel has no time zones: the moment is written as UTC wall time, as in CSV.
			return excelize.Cell{StyleID: s.stamp, Value: t.UTC()}
		}
	}
	return v
}

func (s *xlsxSink) close() error {
	defer s.f.Close() // removes the stream writer's temporary file
	if err := s.sw.Flush(); err != nil {
		return err
	}
	_, err := s.f.WriteTo(s.w)
	return err
}

// kindsOf lists each header column's kind (text unless named in kinds).
func kindsOf(header []string, kinds map[string]colKind) []colKind {
	out := make([]colKind, len(header))
	for i, h := range header {
		out[i] = kinds[h]
	}
	return out
}

// writeAs writes t in format f.
func writeAs[T any](t table[T], w io.Writer, f Format, rows iter.Seq2[T, error], opt Options) (int, error) {
	switch f {
	case CSV, "":
		return t.write(w, rows, opt)
	case XLSX:
		return t.pump(newXLSXSink(w, kindsOf(t.header, t.kinds)), rows, opt)
	}
	return 0, fmt.Errorf("export: unknown format %q", f)
}

// WriteObservations writes the observation table in format f.
func WriteObservations(w io.Writer, f Format, rows iter.Seq2[Observation, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "observations"
	}
	return writeAs(observationTable, w, f, rows, opt)
}

// WriteVisits writes the visit table in format f.
func WriteVisits(w io.Writer, f Format, rows iter.Seq2[Visit, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "visits"
	}
	return writeAs(visitTable, w, f, rows, opt)
}

// WriteIndicators writes the indicator table in format f.
func WriteIndicators(w io.Writer, f Format, rows iter.Seq2[IndicatorCount, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "indicator rows"
	}
	return writeAs(indicatorTable, w, f, rows, opt)
}
