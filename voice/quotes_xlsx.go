package voice

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// QuotesSheet is the name of the one sheet of the coded-quotes workbook.
const QuotesSheet = "quotes"

// quoteColumns are the workbook's columns, the same as the CSV's.
var quoteColumns = []string{"theme_code", "theme", "kind", "source_id", "source", "source_kind", "place", "period", "quote"}

// WriteQuotesXLSX writes coded quotes as an XLSX workbook, with excelize's
// StreamWriter as export/xlsx.go does: a bold, frozen header, the source id as a
// number, everything else as text. Cells are written as strings, never formulas, so
// a quote starting with = stays a quote without the CSV's ' prefix. No coder column.
func WriteQuotesXLSX(w io.Writer, rows []QuoteRow) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", QuotesSheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(QuotesSheet)
	if err != nil {
		return err
	}
	for i, width := range []float64{22, 28, 10, 10, 28, 14, 22, 10, 80} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(quoteColumns))
	for i, c := range quoteColumns {
		head[i] = excelize.Cell{StyleID: bold, Value: c}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, []any{r.Theme.Code, r.Theme.Name, r.Theme.Kind, r.Source.ID, r.Source.Title,
			r.Source.Kind, r.Source.OrgUnitName, r.Source.Period, excelize.Cell{StyleID: wrap, Value: r.Passage.Quote}}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
