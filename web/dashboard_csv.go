package web

import (
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"

	"mesh/i18n"
	"mesh/indicator"
)

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

func writeLinesCSV(w http.ResponseWriter, lang, filename, area string, p Period, lines []IndicatorLine) {
	header := append([]string{i18n.T(lang, "dash.col_area"), i18n.T(lang, "dash.col_period")}, valueColumns(lang)...)
	var rows [][]string
	for _, l := range lines {
		rows = append(rows, append([]string{area, p.ID}, valueCells(lang, l.Indicator, l.Value)...))
	}
	writeCSV(w, filename, header, rows)
}

// writeHeatmapCSV writes the heat map long-form (one row per facility and indicator),
// which pivots cleanly in a spreadsheet and keeps numerator and denominator.
func writeHeatmapCSV(w http.ResponseWriter, p *HeatmapPage) {
	header := append([]string{i18n.T(p.Lang, "dash.col_facility_id"), i18n.T(p.Lang, "dash.col_facility"), i18n.T(p.Lang, "dash.col_period")}, valueColumns(p.Lang)...)
	var rows [][]string
	for _, r := range p.Rows {
		for _, c := range r.Cells {
			rows = append(rows, append([]string{strconv.FormatInt(r.Facility.ID, 10), r.Facility.Name, p.Period.ID}, valueCells(p.Lang, c.Indicator, c.Value)...))
		}
	}
	writeCSV(w, "heatmap-"+p.Period.ID, header, rows)
}

// writeMonthlyCSV writes every dashboard indicator per month for one place.
func writeMonthlyCSV(w http.ResponseWriter, lang, filename, placeName string, monthly map[string][]indicator.MonthCount, months []string) {
	header := append([]string{i18n.T(lang, "dash.col_area"), i18n.T(lang, "dash.col_month")}, valueColumns(lang)...)
	var rows [][]string
	for _, ind := range catalogueOf(dashboardIndicators) {
		for _, v := range series(ind, monthly[ind.ID], months) {
			rows = append(rows, append([]string{placeName, v.Period}, valueCells(lang, ind, v)...))
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i][1] < rows[j][1] })
	writeCSV(w, filename, header, rows)
}
