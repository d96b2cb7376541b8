package growth

import (
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
)

// Chart is a child's measurements to draw against WHO's curves for their sex.
type Chart struct {
	ID        string  // prefix for the SVG's element ids, unique within a page; default "growth-chart"
	Title     string  // accessible title; a default naming the indicator and sex is used when empty
	Sex       string  // "male" or "female"
	Indicator string  // "wfa" (default, 0–60 months), "lhfa" (0–60 months) or "wfl" (45–110 cm)
	Points    []Point // the child's measurements, in any order
	Labels    Labels  // the words drawn on the chart, for a language other than English
}

// Labels are the chart's words, so a caller can draw it in the reader's language
// without this package knowing about catalogs. Every empty field falls back to the
// English text, so the zero value draws the chart as before.
//
// The formats take their values in a fixed order (fmt verbs; a translation may
// reorder them with %[n]s): Description the indicator name (%s) and the number of
// measurements (%d); Latest the x value, x axis title, y value and y axis title (all
// %s); Point the x axis title, x value, y axis title and y value (all %s).
type Labels struct {
	Name         string // the indicator's name, e.g. "Weight-for-age"
	XAxis, YAxis string // axis titles with their unit, e.g. "Age (months)", "Weight (kg)"
	Description  string // the text alternative's first sentence(s)
	Latest       string // " Latest: …" appended to the description when there are points
	Point        string // a point's tooltip, before its z-score
}

// Point is one measurement: X is age in days ("wfa", "lhfa") or length in cm ("wfl"),
// Y is weight in kg or length/height in cm.
type Point struct{ X, Y float64 }

// chartSpec describes one indicator's axes.
type chartSpec struct {
	name, xLabel, yLabel string
	x0, x1, xStep        float64 // in table units (days or cm)
	xTick                float64 // tick spacing in table units
	xTickScale           float64 // shown tick value = x / xTickScale (days → months)
}

var chartSpecs = map[string]chartSpec{
	"wfa":  {"Weight-for-age", "Age (months)", "Weight (kg)", 0, 60 * daysPerMonth, 7, 6 * daysPerMonth, daysPerMonth},
	"lhfa": {"Length/height-for-age", "Age (months)", "Length/height (cm)", 0, 60 * daysPerMonth, 7, 6 * daysPerMonth, daysPerMonth},
	"wfl":  {"Weight-for-length", "Length (cm)", "Weight (kg)", 45, 110, 0.5, 5, 1},
}

// Plot area in SVG user units.
const (
	chartW, chartH            = 720.0, 480.0
	padL, padR, padT, padB    = 64.0, 48.0, 40.0, 56.0
	plotW, plotH              = chartW - padL - padR, chartH - padT - padB
	bandSevere, bandModerate  = "#fde0dd", "#fef3c7"
	bandNormal, curveColour   = "#e6f4ea", "#4b5563"
	pointColour, medianColour = "#1d4ed8", "#166534"
	fontFamily                = "system-ui, sans-serif"
)

// chartZ are the SD curves drawn, bottom to top.
var chartZ = []float64{-3, -2, 0, 2, 3}

// ChartSVG writes an SVG growth chart: coloured bands between WHO's −3, −2, +2 and +3 SD
// curves, the median, and the child's points. It needs no script, prints, and carries a
// title, description and axis labels for screen readers.
func ChartSVG(w io.Writer, c Chart) error {
	ind := c.Indicator
	if ind == "" {
		ind = "wfa"
	}
	spec, ok := chartSpecs[ind]
	if !ok {
		return fmt.Errorf("growth: chart indicator %q not supported", c.Indicator)
	}
	if c.Sex != Male && c.Sex != Female {
		return fmt.Errorf("growth: chart sex %q must be male or female", c.Sex)
	}
	curves := sdCurves(ind, c.Sex, spec)
	sc := newScale(spec, curves, c.Points)
	var b strings.Builder
	writeHeader(&b, c, spec)
	writeBands(&b, sc, curves)
	writeAxes(&b, sc, spec, c.Labels)
	writeCurves(&b, sc, curves)
	writePoints(&b, sc, ind, c.Sex, c.Points, c.Labels)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// sdCurves samples each SD curve along the x axis.
func sdCurves(ind, sex string, spec chartSpec) [][]Point {
	out := make([][]Point, len(chartZ))
	for i, z := range chartZ {
		for x := spec.x0; x <= spec.x1+1e-9; x += sampleStep(spec, x) {
			xx := math.Min(x, spec.x1)
			if y, ok := SD(ind, sex, xx, z); ok {
				out[i] = append(out[i], Point{xx, y})
			}
		}
	}
	return out
}

// sampleStep is fine where the curves bend (the first half year) and coarse after.
func sampleStep(spec chartSpec, x float64) float64 {
	if spec.xTickScale == daysPerMonth && x >= 182 {
		return daysPerMonth / 2
	}
	return spec.xStep
}

// scale maps data to SVG coordinates.
type scale struct {
	spec   chartSpec
	y0, y1 float64
}

func newScale(spec chartSpec, curves [][]Point, pts []Point) scale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, cv := range [][]Point{curves[0], curves[len(curves)-1], pts} {
		for _, p := range cv {
			lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
		}
	}
	step := niceStep(hi - lo)
	return scale{spec: spec, y0: math.Floor(lo/step) * step, y1: math.Ceil(hi/step) * step}
}

func (s scale) x(v float64) float64 {
	return padL + (v-s.spec.x0)/(s.spec.x1-s.spec.x0)*plotW
}

func (s scale) y(v float64) float64 {
	return padT + plotH - (v-s.y0)/(s.y1-s.y0)*plotH
}

// niceStep picks a y tick spacing of 1, 2 or 5 × 10^k giving about 8 ticks.
func niceStep(span float64) float64 {
	raw := span / 8
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func writeHeader(b *strings.Builder, c Chart, spec chartSpec) {
	id := c.ID
	if id == "" {
		id = "growth-chart"
	}
	title := c.Title
	if title == "" {
		title = fmt.Sprintf("%s, %s, WHO Child Growth Standards", spec.name, map[string]string{Male: "boy", Female: "girl"}[c.Sex])
	}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-labelledby="%s-title %s-desc" font-family="%s" font-size="12">`+"\n",
		chartW, chartH, chartW, chartH, id, id, fontFamily)
	fmt.Fprintf(b, "<title id=\"%s-title\">%s</title>\n", id, html.EscapeString(title))
	fmt.Fprintf(b, "<desc id=\"%s-desc\">%s</desc>\n", id, html.EscapeString(describe(c, spec)))
	fmt.Fprintf(b, "<rect width=\"%g\" height=\"%g\" fill=\"#ffffff\"/>\n", chartW, chartH)
	fmt.Fprintf(b, "<text x=\"%g\" y=\"24\" font-size=\"14\" font-weight=\"bold\" fill=\"#111827\" aria-hidden=\"true\">%s</text>\n", padL, html.EscapeString(title))
}

// describe is the text alternative: what the bands are and the child's latest point.
func describe(c Chart, spec chartSpec) string {
	l := c.Labels
	d := fmt.Sprintf(or(l.Description, "%s against the WHO curves at -3, -2, 0 (median), +2 and +3 SD; red band below -2 SD, green between -2 and +2 SD, amber above +2 SD. %d measurement(s)."),
		or(l.Name, spec.name), len(c.Points))
	if n := len(c.Points); n > 0 {
		last := c.Points[n-1]
		d += fmt.Sprintf(or(l.Latest, " Latest: %s %s, %s %s."), fmtTick(last.X/spec.xTickScale), or(l.XAxis, spec.xLabel), fmtTick(last.Y), or(l.YAxis, spec.yLabel))
	}
	return d
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeBands fills the areas between neighbouring SD curves.
func writeBands(b *strings.Builder, s scale, curves [][]Point) {
	fills := []string{bandSevere, bandNormal, bandNormal, bandModerate}
	b.WriteString("<g aria-hidden=\"true\">\n")
	for i, fill := range fills {
		var pts []string
		for _, p := range curves[i] {
			pts = append(pts, xy(s, p))
		}
		for j := len(curves[i+1]) - 1; j >= 0; j-- {
			pts = append(pts, xy(s, curves[i+1][j]))
		}
		fmt.Fprintf(b, "<polygon fill=\"%s\" points=\"%s\"/>\n", fill, strings.Join(pts, " "))
	}
	b.WriteString("</g>\n")
}

func xy(s scale, p Point) string { return fmt.Sprintf("%.1f,%.1f", s.x(p.X), s.y(p.Y)) }

// writeAxes draws the frame, grid, ticks and axis labels.
func writeAxes(b *strings.Builder, s scale, spec chartSpec, l Labels) {
	b.WriteString("<g stroke=\"#d1d5db\" stroke-width=\"0.5\" aria-hidden=\"true\">\n")
	for x := spec.x0; x <= spec.x1+1e-9; x += spec.xTick {
		fmt.Fprintf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", s.x(x), s.y(s.y0), s.x(x), s.y(s.y1))
	}
	step := niceStep(s.y1 - s.y0)
	for y := s.y0; y <= s.y1+1e-9; y += step {
		fmt.Fprintf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", s.x(spec.x0), s.y(y), s.x(spec.x1), s.y(y))
	}
	b.WriteString("</g>\n<g fill=\"#111827\">\n")
	for x := spec.x0; x <= spec.x1+1e-9; x += spec.xTick {
		fmt.Fprintf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", s.x(x), s.y(s.y0)+16, fmtTick(x/spec.xTickScale))
	}
	for y := s.y0; y <= s.y1+1e-9; y += step {
		fmt.Fprintf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", padL-6, s.y(y)+4, fmtTick(y))
	}
	fmt.Fprintf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", padL+plotW/2, chartH-12, html.EscapeString(or(l.XAxis, spec.xLabel)))
	fmt.Fprintf(b, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>\n", padT+plotH/2, html.EscapeString(or(l.YAxis, spec.yLabel)))
	b.WriteString("</g>\n")
	fmt.Fprintf(b, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#6b7280\"/>\n", padL, padT, plotW, plotH)
}

func fmtTick(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", v), "0"), ".")
}

// writeCurves draws the SD lines with their labels at the right edge.
func writeCurves(b *strings.Builder, s scale, curves [][]Point) {
	b.WriteString("<g fill=\"none\" aria-hidden=\"true\">\n")
	for i, cv := range curves {
		colour, width := curveColour, 1.0
		if chartZ[i] == 0 {
			colour, width = medianColour, 1.5
		}
		var pts []string
		for _, p := range cv {
			pts = append(pts, xy(s, p))
		}
		fmt.Fprintf(b, "<polyline stroke=\"%s\" stroke-width=\"%g\" points=\"%s\"/>\n", colour, width, strings.Join(pts, " "))
		last := cv[len(cv)-1]
		fmt.Fprintf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" stroke=\"none\">%s</text>\n", s.x(last.X)+4, s.y(last.Y)+4, colour, sdLabel(chartZ[i]))
	}
	b.WriteString("</g>\n")
}

func sdLabel(z float64) string {
	if z == 0 {
		return "0"
	}
	return fmt.Sprintf("%+g", z)
}

// writePoints joins the child's points in x order and marks each with its z-score.
func writePoints(b *strings.Builder, s scale, ind, sex string, pts []Point, l Labels) {
	if len(pts) == 0 {
		return
	}
	sorted := append([]Point(nil), pts...)
	for i := 1; i < len(sorted); i++ { // insertion sort: charts hold a handful of points
		for j := i; j > 0 && sorted[j].X < sorted[j-1].X; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	var line []string
	for _, p := range sorted {
		line = append(line, xy(s, p))
	}
	fmt.Fprintf(b, "<g><polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>\n", pointColour, strings.Join(line, " "))
	for _, p := range sorted {
		fmt.Fprintf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s</title></circle>\n",
			s.x(p.X), s.y(p.Y), pointColour, html.EscapeString(pointTitle(ind, sex, p, l)))
	}
	b.WriteString("</g>\n")
}

// pointTitle is a point's tooltip and spoken label, with its z-score when computable.
func pointTitle(ind, sex string, p Point, l Labels) string {
	spec := chartSpecs[ind]
	t := fmt.Sprintf(or(l.Point, "%s %s, %s %s"), or(l.XAxis, spec.xLabel), fmtTick(p.X/spec.xTickScale), or(l.YAxis, spec.yLabel),
		strconv.FormatFloat(p.Y, 'g', -1, 64))
	c, ok := lookup(ind, sex, p.X)
	if !ok {
		return t
	}
	z := lmsZ(p.Y, c)
	if ind != "lhfa" {
		z = restrictedZ(p.Y, c)
	}
	if r := round2(z); r != nil {
		t += fmt.Sprintf(": z = %.2f", *r)
	}
	return t
}
