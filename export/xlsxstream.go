package export

import (
	"archive/zip"
	"bufio"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// xlsxSink writes an XLSX workbook with one sheet straight to w as rows arrive: the
// zip's fixed parts first, then the sheet's XML row by row through the compressor,
// then the zip's index. Nothing of the table is kept, so memory stays flat however
// long it is, and a download starts with the first rows. (excelize's StreamWriter
// spills rows to a temporary file but then builds the whole zipped workbook in a
// bytes.Buffer before writing it: 64 MB of heap for 200,000 observations, growing
// with the table, and nothing sent until the end.)
//
// The workbook is the minimum Excel, LibreOffice and excelize read: content types,
// relationships, a workbook, a style sheet (bold header, yyyy-mm-dd and
// yyyy-mm-dd hh:mm dates) and the sheet with a frozen header row. Text is written
// inline (no shared-strings table, which would have to be held until the end).
type xlsxSink struct {
	w     io.Writer
	zw    *zip.Writer
	sheet *bufio.Writer
	kinds []colKind
	n     int
	ref   []byte // scratch for cell references
}

func newXLSXSink(w io.Writer, kinds []colKind) *xlsxSink {
	return &xlsxSink{w: w, kinds: kinds}
}

// Style indexes in styles.xml's cellXfs.
const (
	styleBold  = 1
	styleDate  = 2
	styleStamp = 3
)

const xlsxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`

const xlsxRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`

const xlsxWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView/></bookViews><sheets><sheet name="` + SheetName + `" sheetId="1" r:id="rId1"/></sheets></workbook>`

const xlsxWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`

// Custom number formats rather than built-in 14/22, whose look follows the reader's
// locale: ISO dates read the same in Kigali, Paris and on a UK laptop.
const xlsxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

func (s *xlsxSink) header(cols []string) error {
	s.zw = zip.NewWriter(s.w)
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", xlsxContentTypes}, {"_rels/.rels", xlsxRootRels}, {"xl/workbook.xml", xlsxWorkbook},
		{"xl/_rels/workbook.xml.rels", xlsxWorkbookRels}, {"xl/styles.xml", xlsxStyles},
	} {
		f, err := s.zw.Create(part.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, part.body); err != nil {
			return err
		}
	}
	f, err := s.zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	s.sheet = bufio.NewWriterSize(f, 64<<10)
	b := s.sheet
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
		`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>`)
	for i, k := range s.kinds {
		width := "14"
		switch k {
		case kTime:
			width = "17"
		case kText:
			width = "18"
		}
		n := strconv.Itoa(i + 1)
		b.WriteString(`<col min="` + n + `" max="` + n + `" width="` + width + `" customWidth="1"/>`)
	}
	b.WriteString(`</cols><sheetData>`)
	b.WriteString(`<row r="1">`)
	for i, c := range cols {
		s.textCell(i, 1, c, styleBold)
	}
	b.WriteString(`</row>`)
	return nil
}

func (s *xlsxSink) row(r []string) error {
	if s.n == MaxXLSXRows {
		return errors.New("export: more rows than one Excel sheet holds (1,048,575): export as CSV, or narrow --from/--to or --orgunit")
	}
	s.n++
	row := s.n + 1
	b := s.sheet
	b.WriteString(`<row r="`)
	b.WriteString(strconv.Itoa(row))
	b.WriteString(`">`)
	for i, v := range r {
		if v == "" {
			continue // an empty cell is no cell
		}
		if !s.typedCell(i, row, s.kinds[i], v) {
			s.textCell(i, row, v, 0)
		}
	}
	_, err := b.WriteString(`</row>`)
	return err
}

// typedCell writes v as a number, boolean or date when its column is one and it
// parses; otherwise it reports false and the value is written as text rather than
// lost.
func (s *xlsxSink) typedCell(col, row int, k colKind, v string) bool {
	var val string
	style, typ := 0, ""
	switch k {
	case kNum:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return false
		}
		val = strconv.FormatFloat(x, 'g', -1, 64)
	case kBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false
		}
		typ, val = "b", "0"
		if b {
			val = "1"
		}
	case kDate:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return false
		}
		style, val = styleDate, excelSerial(t)
	case kTime:
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return false
		}
		// Excel has no time zones: the moment is written as UTC wall time, as in CSV.
		style, val = styleStamp, excelSerial(t.UTC())
	default:
		return false
	}
	b := s.sheet
	b.WriteString(`<c r="`)
	b.Write(s.cellRef(col, row))
	b.WriteByte('"')
	if style != 0 {
		b.WriteString(` s="` + strconv.Itoa(style) + `"`)
	}
	if typ != "" {
		b.WriteString(` t="` + typ + `"`)
	}
	b.WriteString(`><v>`)
	b.WriteString(val)
	b.WriteString(`</v></c>`)
	return true
}

func (s *xlsxSink) textCell(col, row int, v string, style int) {
	b := s.sheet
	b.WriteString(`<c r="`)
	b.Write(s.cellRef(col, row))
	b.WriteByte('"')
	if style != 0 {
		b.WriteString(` s="` + strconv.Itoa(style) + `"`)
	}
	b.WriteString(` t="inlineStr"><is><t`)
	if strings.TrimSpace(v) != v {
		b.WriteString(` xml:space="preserve"`)
	}
	b.WriteByte('>')
	writeXMLText(b, v)
	b.WriteString(`</t></is></c>`)
}

// cellRef is the A1-style reference of a 0-based column and 1-based row.
func (s *xlsxSink) cellRef(col, row int) []byte {
	var letters [4]byte
	i := len(letters)
	for c := col + 1; c > 0; c = (c - 1) / 26 {
		i--
		letters[i] = byte('A' + (c-1)%26)
	}
	s.ref = append(append(s.ref[:0], letters[i:]...), strconv.Itoa(row)...)
	return s.ref
}

// excelEpoch is day 0 of Excel's 1900 date system as it is used in practice (the
// serial of 1900-03-01 and later; earlier days do not occur in MESH).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelSerial is t (wall time, read as UTC) as a day number with the time of day as
// its fraction.
func excelSerial(t time.Time) string {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	d := wall.Sub(excelEpoch)
	days := float64(d/(24*time.Hour)) + float64(d%(24*time.Hour))/float64(24*time.Hour)
	return strconv.FormatFloat(days, 'f', -1, 64)
}

// writeXMLText escapes v for an XML text node and drops what XML 1.0 cannot hold
// (control characters other than tab and newlines, invalid UTF-8).
func writeXMLText(b *bufio.Writer, v string) {
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#13;")
		case r == utf8.RuneError && size == 1, r < 0x20 && r != '\t' && r != '\n', r == 0xFFFE, r == 0xFFFF:
			// left out
		default:
			b.WriteString(v[i : i+size])
		}
		i += size
	}
}

func (s *xlsxSink) close() error {
	if s.sheet == nil {
		return nil
	}
	s.sheet.WriteString(`</sheetData></worksheet>`)
	if err := s.sheet.Flush(); err != nil {
		return err
	}
	return s.zw.Close()
}
