package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"mesh"
	"mesh/growth"
)

// The growth chart page: a child's measurements as WHO z-scores and growth charts. It
// stores nothing, so every logged-in role may use it. The charts are growth.ChartSVG's
// SVG placed inline: it has no script and no style attributes, so the page's CSP
// (style-src 'self') allows it, and it prints with the page.

// growthMaxRows is how many measurements one chart takes.
const growthMaxRows = 10

// GrowthPage is the growth form and, after a post, the z-scores and charts.
type GrowthPage struct {
	Page
	In              GrowthInput
	SexOptions      []Option
	MeasuredOptions []Option
	Form            Form
	Results         []GrowthResult
	Charts          []template.HTML
}

// GrowthInput is the form as typed, kept as text so a bad entry is shown back.
type GrowthInput struct {
	Sex, DOB string
	Rows     []GrowthRowInput
}

// GrowthRowInput is one measurement row; its inputs are named rows.<Index>.<field>.
type GrowthRowInput struct {
	Index                                       int
	Date, AgeDays, WeightKg, LengthCm, Measured string
	Oedema                                      bool
}

// GrowthResult is one measurement with its z-scores written out ("" when not computable).
type GrowthResult struct {
	Age, Weight, Length, WFA, LHFA, WFH string
}

func (s *Server) growthForm(w http.ResponseWriter, r *http.Request) {
	if caller(r) == nil {
		s.fail(w, r, mesh.Errorf(mesh.EUNAUTHORIZED, "log in first"))
		return
	}
	p := s.growthPage(w, r, GrowthInput{Rows: growthRows(url.Values{})})
	s.render(w, r, http.StatusOK, "growth", p)
}

func (s *Server) growthCalc(w http.ResponseWriter, r *http.Request) {
	if caller(r) == nil {
		s.fail(w, r, mesh.Errorf(mesh.EUNAUTHORIZED, "log in first"))
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	in := GrowthInput{Sex: formValue(r, "sex"), DOB: formValue(r, "dob"), Rows: growthRows(r.PostForm)}
	p := s.growthPage(w, r, in)
	ms, errs := growthMeasurements(in)
	if len(errs) > 0 {
		for _, e := range errs {
			p.Form.add(p.Lang, e.Field, e.Key)
		}
		p.Form.General = tr(p.Lang, "error.fix_below")
		s.render(w, r, http.StatusBadRequest, "growth", p)
		return
	}
	for _, m := range ms {
		p.Results = append(p.Results, growthResult(p.Lang, m))
	}
	p.Charts = growthCharts(p.Lang, in.Sex, ms)
	s.render(w, r, http.StatusOK, "growth", p)
}

func (s *Server) growthPage(w http.ResponseWriter, r *http.Request, in GrowthInput) *GrowthPage {
	p := &GrowthPage{Page: s.page(w, r, "growth.title"), In: in}
	p.SexOptions = enumOptions(p.Lang, "growth.", []string{"girl", "boy"}, "form.choose")
	// The form says girl/boy; the standards say female/male.
	p.SexOptions[1].Value, p.SexOptions[2].Value = growth.Female, growth.Male
	p.MeasuredOptions = enumOptions(p.Lang, "growth.measured.", []string{growth.Lying, growth.Standing}, "form.choose")
	return p
}

// growthRows reads the measurement rows and adds empty ones: at least three, one more
// than the last filled in (so a form without script can grow), at most growthMaxRows.
func growthRows(v url.Values) []GrowthRowInput {
	var rows []GrowthRowInput
	last := -1
	for i := range growthMaxRows {
		get := func(f string) string { return strings.TrimSpace(v.Get("rows." + strconv.Itoa(i) + "." + f)) }
		row := GrowthRowInput{Index: i, Date: get("date"), AgeDays: get("age_days"), WeightKg: get("weight_kg"),
			LengthCm: get("length_cm"), Measured: get("measured"), Oedema: get("oedema") != ""}
		if row.filled() {
			last = i
		}
		rows = append(rows, row)
	}
	return rows[:min(growthMaxRows, max(3, last+2))]
}

// filled reports whether a row holds a measurement; the position and oedema alone do not.
func (row GrowthRowInput) filled() bool {
	return row.Date != "" || row.AgeDays != "" || row.WeightKg != "" || row.LengthCm != ""
}

// growthFieldError is a problem with a form field and the message key explaining it.
type growthFieldError struct{ Field, Key string }

// growthMeasurements checks the form and returns its measurements, validated by
// growth.ZScoresJSON (the CLI's contract) so the page and the CLI accept the same input.
func growthMeasurements(in GrowthInput) ([]growth.Measurement, []growthFieldError) {
	var errs []growthFieldError
	fail := func(field, key string) { errs = append(errs, growthFieldError{field, key}) }
	var dob mesh.Date
	if in.DOB != "" {
		d, err := mesh.ParseDate(in.DOB)
		if err != nil {
			fail("dob", "err.date")
		}
		dob = d
	}
	var items []map[string]any
	var rowOf []int // items index → row index
	for _, row := range in.Rows {
		if !row.filled() {
			continue
		}
		name := func(f string) string { return "rows." + strconv.Itoa(row.Index) + "." + f }
		item := map[string]any{"sex": in.Sex, "oedema": row.Oedema}
		switch {
		case row.AgeDays != "":
			if n, ok := jsonNumber(row.AgeDays); ok {
				item["age_days"] = n
			} else {
				fail(name("age_days"), "growth.err.whole")
			}
		case row.Date != "" && in.DOB == "":
			fail(name("date"), "growth.err.date_without_dob")
		case row.Date != "":
			d, err := mesh.ParseDate(row.Date)
			switch {
			case err != nil:
				fail(name("date"), "err.date")
			case dob != "" && d.Time().Before(dob.Time()):
				fail(name("date"), "growth.err.before_birth")
			case dob != "":
				item["age_days"] = int(d.Time().Sub(dob.Time()).Hours()/24 + 0.5)
			}
		default:
			fail(name("age_days"), "growth.err.age_missing")
		}
		for _, f := range []string{"weight_kg", "length_cm"} {
			s := map[string]string{"weight_kg": row.WeightKg, "length_cm": row.LengthCm}[f]
			if s == "" {
				continue
			}
			if n, ok := jsonNumber(s); ok {
				item[f] = n
			} else {
				fail(name(f), "growth.err.number")
			}
		}
		if row.Measured != "" {
			item["measured"] = row.Measured
		}
		items = append(items, item)
		rowOf = append(rowOf, row.Index)
	}
	if in.Sex == "" {
		fail("sex", "growth.err.sex")
	}
	if len(items) == 0 {
		fail("rows.0.age_days", "growth.err.empty")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	body, _ := json.Marshal(items)
	if _, zerrs := growth.ZScoresJSON(body); len(zerrs) > 0 {
		for _, e := range zerrs {
			field, key := growthErrorField(e, rowOf)
			fail(field, key)
		}
		return nil, errs
	}
	// Valid: decode our own JSON back into measurements (the order of the rows).
	ms := make([]growth.Measurement, len(items))
	for i, it := range items {
		m := growth.Measurement{Sex: in.Sex, Oedema: it["oedema"].(bool)}
		m.AgeDays = ageOf(it["age_days"])
		m.WeightKg, m.LengthCm = floatOf(it["weight_kg"]), floatOf(it["length_cm"])
		if s, ok := it["measured"].(string); ok {
			m.Measured = s
		}
		ms[i] = m
	}
	return ms, nil
}

var growthErrRE = regexp.MustCompile(`^\[(\d+)\]\.?(.*)$`)

// growthErrorField maps a ZScoresJSON error ("[2].weight_kg") to the form field and
// message key that explain it.
func growthErrorField(e mesh.FieldError, rowOf []int) (string, string) {
	m := growthErrRE.FindStringSubmatch(e.Field)
	if m == nil {
		return "rows.0.age_days", "err.invalid"
	}
	i, _ := strconv.Atoi(m[1])
	row := 0
	if i < len(rowOf) {
		row = rowOf[i]
	}
	field := m[2]
	name := "rows." + strconv.Itoa(row) + "." + field
	switch field {
	case "sex":
		return "sex", "growth.err.sex"
	case "age_days":
		return name, "growth.err.age_days"
	case "weight_kg", "length_cm":
		return name, "growth.err." + field
	case "measured":
		return name, "growth.err.measured"
	}
	return name, "err.invalid"
}

// jsonNumber reads a decimal typed with a point or a comma.
func jsonNumber(s string) (json.Number, bool) {
	var c converter
	n, ok := c.number("", s)
	return n, ok
}

func floatOf(v any) *float64 {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	f, err := n.Float64()
	if err != nil {
		return nil
	}
	return &f
}

func ageOf(v any) int {
	switch a := v.(type) {
	case int:
		return a
	case json.Number:
		n, _ := a.Int64()
		return int(n)
	}
	return 0
}

// growthResult computes and writes out one measurement's z-scores.
func growthResult(lang string, m growth.Measurement) GrowthResult {
	z := growth.Compute(m)
	zs := func(p *float64) string {
		if p == nil {
			return ""
		}
		return fmt.Sprintf("%.2f", *p)
	}
	r := GrowthResult{WFA: zs(z.WFA), LHFA: zs(z.LHFA), WFH: zs(z.WFH),
		Age: tr(lang, "growth.age_value", m.AgeDays, strconv.FormatFloat(float64(m.AgeDays)/30.4375, 'f', 1, 64))}
	if m.WeightKg != nil {
		r.Weight = fmtNum(*m.WeightKg)
	}
	if m.LengthCm != nil {
		r.Length = fmtNum(*m.LengthCm)
	}
	return r
}

// growthCharts draws weight-for-age, length/height-for-age and weight-for-length for
// the measurements that belong on each (no weight with oedema; weight-for-length only
// under 2 years and within 45–110 cm, the chart's range).
func growthCharts(lang, sex string, ms []growth.Measurement) []template.HTML {
	var wfa, lhfa, wfl []growth.Point
	for _, m := range ms {
		if m.WeightKg != nil && !m.Oedema {
			wfa = append(wfa, growth.Point{X: float64(m.AgeDays), Y: *m.WeightKg})
		}
		if m.LengthCm != nil {
			lhfa = append(lhfa, growth.Point{X: float64(m.AgeDays), Y: *m.LengthCm})
		}
		if m.WeightKg != nil && m.LengthCm != nil && !m.Oedema && m.AgeDays < 731 && *m.LengthCm >= 45 && *m.LengthCm <= 110 {
			wfl = append(wfl, growth.Point{X: *m.LengthCm, Y: *m.WeightKg})
		}
	}
	who := map[string]string{growth.Female: "growth.girl", growth.Male: "growth.boy"}[sex]
	var out []template.HTML
	for _, c := range []struct {
		ind string
		pts []growth.Point
	}{{"wfa", wfa}, {"lhfa", lhfa}, {"wfl", wfl}} {
		if len(c.pts) == 0 {
			continue
		}
		var b bytes.Buffer
		title := tr(lang, "growth.chart_title", tr(lang, "growth."+c.ind), tr(lang, who))
		chart := growth.Chart{ID: "chart-" + c.ind, Title: title, Sex: sex, Indicator: c.ind, Points: c.pts, Labels: growthLabels(lang, c.ind)}
		if err := growth.ChartSVG(&b, chart); err != nil {
			continue // only a bad sex or indicator fails, and both are checked above
		}
		// ChartSVG escapes every text it writes and emits no script or style attribute.
		out = append(out, template.HTML(b.String()))
	}
	return out
}

// growthAxes are each chart's x and y axis titles (growth.chart.axis.* keys).
var growthAxes = map[string][2]string{
	"wfa":  {"age_months", "weight_kg"},
	"lhfa": {"age_months", "length_height_cm"},
	"wfl":  {"length_cm", "weight_kg"},
}

// growthLabels are a chart's words in lang (i18n/catalog/<lang>.growth.json).
func growthLabels(lang, ind string) growth.Labels {
	ax := growthAxes[ind]
	return growth.Labels{
		Name:        tr(lang, "growth."+ind),
		XAxis:       tr(lang, "growth.chart.axis."+ax[0]),
		YAxis:       tr(lang, "growth.chart.axis."+ax[1]),
		Description: tr(lang, "growth.chart.description"),
		Latest:      tr(lang, "growth.chart.latest"),
		Point:       tr(lang, "growth.chart.point"),
	}
}

// Number is the row's number as people count (1 for the first).
func (row GrowthRowInput) Number() int { return row.Index + 1 }
