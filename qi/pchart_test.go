package qi_test

import (
	"strings"
	"testing"

	"mesh/qi"
)

// A month far above the centre line with a large denominator is outside its limits
// and drawn as a signal; the limits are drawn per month.
func TestPChartSVG(t *testing.T) {
	rc := &qi.RunChart{Title: "Classification", IndicatorID: "imci.correct_classification", Kind: "proportion"}
	for i, nd := range [][2]float64{{5, 10}, {6, 10}, {5, 10}, {4, 10}, {95, 100}} {
		rc.Points = append(rc.Points, qi.Point{Month: []string{"2026-01", "2026-02", "2026-03", "2026-04", "2026-05"}[i], Numerator: nd[0], Denominator: nd[1], Value: nd[0] / nd[1]})
	}
	pc, err := rc.PChart()
	if err != nil || pc == nil || pc.CentreLine == nil {
		t.Fatalf("p-chart %+v %v", pc, err)
	}
	// Centre = 115/140 = 0.8214. May: 0.95 > UCL 0.8214+3*sqrt(.8214*.1786/100) = 0.9363;
	// April: 0.40 < LCL 0.8214-3*sqrt(.8214*.1786/10) = 0.4581; January 0.50 is inside.
	if d := *pc.CentreLine - 115.0/140; d > 1e-9 || d < -1e-9 {
		t.Fatalf("centre %v", *pc.CentreLine)
	}
	if !pc.Points[4].Outside || !pc.Points[3].Outside || pc.Points[0].Outside {
		t.Fatalf("outside flags %+v", pc.Points)
	}
	svg, err := rc.PChartSVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`role="img"`, "<title id=\"pc-title\">p-chart: Classification", `class="centre"`, `class="limit"`, `fill="#c62828"`, "2 outside"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Contains(svg, "style=") {
		t.Error("SVG uses a style attribute (CSP)")
	}
	count := &qi.RunChart{Kind: "count", Points: rc.Points}
	if s, err := count.PChartSVG(); s != "" || err != nil {
		t.Errorf("a count indicator has a p-chart: %q %v", s, err)
	}
}
