package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"

	"github.com/xuri/excelize/v2"

	"mesh/i18n"
	"mesh/indicator"
)

// tableFormat is the download format a table page was asked for: "csv", "xlsx", or
// "" for the page itself.
func tableFormat(r *http.Request) string {
	switch f := r.URL.Query().Get("format"); f {
	case "csv", "xlsx":
		return f
	}
	return ""
}

// writeTable sends a table as a CSV or XLSX download.
func writeTable(w http.ResponseWriter, format, filename string, header []string, rows [][]string) {
	if format == "xlsx" {
		writeXLSX(w, filename, header, rows)
		return
	}
	writeCSV(w, filename, header, rows)
}

// writeXLSX sends a table as a one-sheet workbook: numbers as numbers (so a district
// team can sum and sort them), everything else as text; a DHIS2 period id such as
// "2026" stays text. Dashboard tables are small (a heat map is a few thousand rows),
// so the workbook is built in memory and sent whole with its length.
func writeXLSX(w http.ResponseWriter, filename string, header []string, rows [][]string) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	sw, err := f.NewStreamWriter(sheet)
	if err == nil {
		head := make([]any, len(header))
		for i, h := range header {
			head[i] = h
		}
		err = sw.SetRow("A1", head)
	}
	for i, r := range rows {
		if err != nil {
			break
		}
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = xlsxCell(v)
		}
		var at string
		if at, err = excelize.CoordinatesToCellName(1, i+2); err == nil {
			err = sw.SetRow(at, cells)
		}
	}
	if err == nil {
		err = sw.Flush()
	}
	var buf bytes.Buffer
	if err == nil {
		err = f.Write(&buf)
	}
	if err != nil {
		http.Error(w, "the workbook could not be written", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`.xlsx"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// xlsxCell is a number when the text is one, else the text.
func xlsxCell(v string) any {
	if _, isPeriod := parsePeriod(v); isPeriod || v == "" {
		return v
	}
	if x, err := strconv.ParseFloat(v, 64); err == nil {
		return x
	}
	return v
}

// writeCSV sends a table as a CSV download: UTF-8 with a byte-order mark, because
// Excel (what district teams open CSV files with) reads BOM-less UTF-8 as ANSI and
// garbles "Pâleur" and Kinyarwanda names. Numbers are written with a dot, whatever
// the page language, so spreadsheets parse them.
func writeCSV(w http.ResponseWriter, filename string, header []string, rows [][]string) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`.csv"`)
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	_ = cw.WriteAll(rows) // WriteAll flushes; a failed write means the client went away
}

// num writes a number for a spreadsheet: plain, dot decimal, no unit.
func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func ptrNum(p *float64) string {
	if p == nil {
		return ""
	}
	return num(*p)
}

func boolCSV(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// valueColumns are the CSV columns of one indicator value.
func valueColumns(lang string) []string {
	return []string{i18n.T(lang, "dash.col_indicator_id"), i18n.T(lang, "dash.col_indicator"), i18n.T(lang, "dash.col_numerator"),
		i18n.T(lang, "dash.col_denominator"), i18n.T(lang, "dash.col_value"), i18n.T(lang, "dash.col_ci_low"),
		i18n.T(lang, "dash.col_ci_high"), i18n.T(lang, "dash.col_goal"), i18n.T(lang, "dash.col_too_few")}
}

func valueCells(lang string, ind *indicator.Indicator, v indicator.Value) []string {
	return []string{ind.ID, indicatorName(lang, ind), num(v.Numerator), num(v.Denominator), ptrNum(v.Value),
		ptrNum(v.CI95[0]), ptrNum(v.CI95[1]), ptrNum(ind.Goal), boolCSV(v.TooFew)}
}

func writeLinesTable(w http.ResponseWriter, format, lang, filename, area string, p Period, lines []IndicatorLine) {
	header := append([]string{i18n.T(lang, "dash.col_area"), i18n.T(lang, "dash.col_period")}, valueColumns(lang)...)
	var rows [][]string
	for _, l := range lines {
		rows = append(rows, append([]string{area, p.ID}, valueCells(lang, l.Indicator, l.Value)...))
	}
	writeTable(w, format, filename, header, rows)
}

// writeHeatmapTable writes the heat map long-form (one row per facility and indicator),
// which pivots cleanly in a spreadsheet and keeps numerator and denominator.
func writeHeatmapTable(w http.ResponseWriter, format string, p *HeatmapPage) {
	header := append([]string{i18n.T(p.Lang, "dash.col_facility_id"), i18n.T(p.Lang, "dash.col_facility"), i18n.T(p.Lang, "dash.col_period")}, valueColumns(p.Lang)...)
	var rows [][]string
	for _, r := range p.Rows {
		for _, c := range r.Cells {
			rows = append(rows, append([]string{strconv.FormatInt(r.Facility.ID, 10), r.Facility.Name, p.Period.ID}, valueCells(p.Lang, c.Indicator, c.Value)...))
		}
	}
	writeTable(w, format, "heatmap-"+p.Period.ID, header, rows)
}

// writeMonthlyTable writes every dashboard indicator per month for one place.
func writeMonthlyTable(w http.ResponseWriter, format, lang, filename, placeName string, monthly map[string][]indicator.MonthCount, months []string) {
	header := append([]string{i18n.T(lang, "dash.col_area"), i18n.T(lang, "dash.col_month")}, valueColumns(lang)...)
	var rows [][]string
	for _, ind := range catalogueOf(dashboardIndicators) {
		for _, v := range series(ind, monthly[ind.ID], months) {
			rows = append(rows, append([]string{placeName, v.Period}, valueCells(lang, ind, v)...))
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i][1] < rows[j][1] })
	writeTable(w, format, filename, header, rows)
}
