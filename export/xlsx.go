package export

import (
	"fmt"
	"io"
	"iter"
)

// Format is a file format an export can be written in.
type Format string

// The formats: CSV and XLSX (what managers open). Both stream: an XLSX is a zip
// written entry by entry, its one sheet row by row (xlsxstream.go).
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
	if f == CSV || f == "" {
		return WriteObservationsCSV(w, rows, opt) // the stored cells copied out, not split and re-joined
	}
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
