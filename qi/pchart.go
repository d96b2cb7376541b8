package qi

import (
	"fmt"
	"math"
	"strings"

	"mesh/stats"
)

// PChart is the control chart of a proportion aim indicator: each month's proportion
// with its own ±3 standard-error limits around the centre line (total numerator /
// total denominator), so months with few children get wide limits and are not
// mistaken for signals. Nil when the indicator is not a proportion.
func (rc *RunChart) PChart() (*stats.PChartResult, error) {
	if rc.Kind != "proportion" || len(rc.Points) == 0 {
		return nil, nil
	}
	num, den := make([]int, len(rc.Points)), make([]int, len(rc.Points))
	for i, p := range rc.Points {
		num[i], den[i] = int(math.Round(p.Numerator)), int(math.Round(p.Denominator))
	}
	res, err := stats.PChart(num, den)
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// PChartSVG draws the p-chart: points joined by a line, the centre line, the upper and
// lower limits as stepped lines, and points outside the limits enlarged in red. Like
// SVG it uses presentation attributes only (strict CSP) and carries a text alternative.
func (rc *RunChart) PChartSVG() (string, error) {
	pc, err := rc.PChart()
	if err != nil || pc == nil {
		return "", err
	}
	var b strings.Builder
	outside := 0
	for _, p := range pc.Points {
		if p.Outside {
			outside++
		}
	}
	title := "p-chart: " + rc.Title + " (" + rc.IndicatorID + ")"
	desc := fmt.Sprintf("%d months; %d outside the 3-sigma limits.", len(pc.Points), outside)
	if pc.CentreLine != nil {
		desc = fmt.Sprintf("%d months; centre line %s; %d outside the 3-sigma limits.", len(pc.Points), rc.format(*pc.CentreLine), outside)
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="pc-title pc-desc" font-family="sans-serif" font-size="11">`+"\n", svgW, svgH, svgW, svgH)
	fmt.Fprintf(&b, `<title id="pc-title">%s</title>`+"\n", esc(title))
	fmt.Fprintf(&b, `<desc id="pc-desc">%s</desc>`+"\n", esc(desc))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", svgW, svgH)
	n := len(pc.Points)
	x := func(i int) float64 {
		if n <= 1 {
			return padLeft + float64(svgW-padLeft-padRight)/2
		}
		return padLeft + float64(i)*float64(svgW-padLeft-padRight)/float64(n-1)
	}
	y := func(v float64) float64 { return padTop + (1-v)*float64(svgH-padTop-padBott) }
	b.WriteString(`<g stroke="#d0d0d0" stroke-width="1">` + "\n")
	for k := 0; k <= 4; k++ {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`+"\n", padLeft, y(float64(k)/4), svgW-padRight, y(float64(k)/4))
	}
	b.WriteString("</g>\n")
	b.WriteString(`<g fill="#4a4a4a" text-anchor="end">` + "\n")
	for k := 0; k <= 4; k++ {
		fmt.Fprintf(&b, `<text x="%d" y="%.1f">%d%%</text>`+"\n", padLeft-6, y(float64(k)/4)+4, k*25)
	}
	b.WriteString("</g>\n")
	step := max(1, (n+11)/12)
	b.WriteString(`<g fill="#4a4a4a" text-anchor="middle">` + "\n")
	for i, pt := range rc.Points {
		if i%step == 0 || i == n-1 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`+"\n", x(i), svgH-padBott+16, esc(pt.Month))
		}
	}
	b.WriteString("</g>\n")
	if pc.CentreLine != nil {
		fmt.Fprintf(&b, `<line class="centre" x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#555555" stroke-width="1.5"/>`+"\n", padLeft, y(*pc.CentreLine), svgW-padRight, y(*pc.CentreLine))
	}
	// Limits change with each month's denominator: draw them as steps, half a month each side.
	half := 0.0
	if n > 1 {
		half = (x(1) - x(0)) / 2
	}
	for _, lim := range []func(stats.PPoint) *float64{func(p stats.PPoint) *float64 { return p.UCL }, func(p stats.PPoint) *float64 { return p.LCL }} {
		var pts []string
		for i, p := range pc.Points {
			if v := lim(p); v != nil {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f %.1f,%.1f", x(i)-half, y(*v), x(i)+half, y(*v)))
			}
		}
		if len(pts) > 0 {
			fmt.Fprintf(&b, `<polyline class="limit" points="%s" fill="none" stroke="#b26a00" stroke-width="1" stroke-dasharray="4 3"/>`+"\n", strings.Join(pts, " "))
		}
	}
	var path []string
	for i, p := range pc.Points {
		if p.P != nil {
			path = append(path, fmt.Sprintf("%.1f,%.1f", x(i), y(*p.P)))
		}
	}
	if len(path) > 0 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1f5fa8" stroke-width="2"/>`+"\n", strings.Join(path, " "))
	}
	for i, p := range pc.Points {
		if p.P == nil {
			continue
		}
		fill, r := "#1f5fa8", 3.5
		if p.Outside {
			fill, r = "#c62828", 5
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"><title>%s: %d/%d</title></circle>`+"\n", x(i), y(*p.P), r, fill, esc(rc.Points[i].Month), p.Numerator, p.Denominator)
	}
	b.WriteString("</svg>\n")
	return b.String(), nil
}
