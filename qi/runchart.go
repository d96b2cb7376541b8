package qi

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"

	"mesh/stats"
)

// Point is one month of the aim indicator at the project's facility.
type Point struct {
	Month       string  `json:"month"`
	Value       float64 `json:"value"`
	Numerator   float64 `json:"numerator"`
	Denominator float64 `json:"denominator"`
	// Signal marks a point inside an IHI shift or trend.
	Signal bool `json:"signal"`
}

// Annotation marks where a PDSA cycle began: the first point on or after its start.
type Annotation struct {
	CycleID   string `json:"cycle_id"`
	Label     string `json:"label"`
	StartedOn string `json:"started_on"`
	Index     int    `json:"index"`
}

// RunChart is a project's run chart: its aim indicator by month, the run-chart
// analysis (median, Anhøj and IHI signals) and PDSA cycle annotations.
type RunChart struct {
	ProjectID   string                `json:"project_id"`
	Title       string                `json:"title"`
	IndicatorID string                `json:"indicator_id"`
	Kind        string                `json:"kind"`
	Target      float64               `json:"target"`
	Points      []Point               `json:"points"`
	Analysis    *stats.RunChartResult `json:"analysis"`
	Annotations []Annotation          `json:"annotations"`
}

// BuildRunChart analyses points (months with data, oldest first) for project p with
// stats.RunChart, the median frozen on p.BaselinePoints when set, and places each
// cycle's start on the chart. With no points the analysis is null.
func BuildRunChart(p *Project, kind string, points []Point) (*RunChart, error) {
	rc := &RunChart{ProjectID: p.ID, Title: p.Title, IndicatorID: p.Aim.IndicatorID, Kind: kind, Target: p.Aim.TargetValue,
		Points: points, Annotations: []Annotation{}}
	if rc.Points == nil {
		rc.Points = []Point{}
	}
	if len(points) > 0 {
		values := make([]float64, len(points))
		for i, pt := range points {
			values[i] = pt.Value
		}
		res, err := stats.RunChart(values, min(p.BaselinePoints, len(values)))
		if err != nil {
			return nil, err
		}
		rc.Analysis = &res
		for _, spans := range [][]stats.Span{res.Shifts, res.Trends} {
			for _, s := range spans {
				for i := s[0]; i <= s[1]; i++ {
					rc.Points[i].Signal = true
				}
			}
		}
	}
	cycles := append([]*PDSACycle(nil), p.Cycles...)
	sort.SliceStable(cycles, func(i, j int) bool { return cycles[i].StartedOn < cycles[j].StartedOn })
	for n, c := range cycles {
		month := string(c.StartedOn)[:7]
		at := sort.Search(len(points), func(i int) bool { return points[i].Month >= month })
		if at == len(points) {
			continue
		}
		label := fmt.Sprintf("PDSA %d", n+1)
		if idea, ok := p.Idea(c.ChangeIdeaID); ok {
			label += ": " + idea.Text
		}
		rc.Annotations = append(rc.Annotations, Annotation{CycleID: c.ID, Label: label, StartedOn: string(c.StartedOn), Index: at})
	}
	return rc, nil
}

// Chart geometry, in SVG user units.
const (
	svgW, svgH                         = 720, 360
	padLeft, padRight, padTop, padBott = 56, 24, 40, 56
)

// SVG draws rc as an accessible, self-contained SVG: points joined by a line, the
// median as a dashed line, the target as a dotted line, signal points filled red and
// enlarged, and a labelled vertical line where each PDSA cycle began. It uses
// presentation attributes only, so a strict CSP (no inline styles) allows it.
func (rc *RunChart) SVG() string {
	var b strings.Builder
	title := "Run chart: " + rc.Title + " (" + rc.IndicatorID + ")"
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="rc-title rc-desc" font-family="sans-serif" font-size="11">`+"\n", svgW, svgH, svgW, svgH)
	fmt.Fprintf(&b, `<title id="rc-title">%s</title>`+"\n", esc(title))
	fmt.Fprintf(&b, `<desc id="rc-desc">%s</desc>`+"\n", esc(rc.describe()))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", svgW, svgH)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="14" font-weight="bold" fill="#1a1a1a">%s</text>`+"\n", padLeft, esc(rc.Title))

	lo, hi := rc.yRange()
	x := func(i int) float64 {
		if len(rc.Points) <= 1 {
			return padLeft + float64(svgW-padLeft-padRight)/2
		}
		return padLeft + float64(i)*float64(svgW-padLeft-padRight)/float64(len(rc.Points)-1)
	}
	y := func(v float64) float64 { return padTop + (hi-v)/(hi-lo)*float64(svgH-padTop-padBott) }

	// Axes and horizontal grid with labels.
	b.WriteString(`<g stroke="#d0d0d0" stroke-width="1">` + "\n")
	for k := 0; k <= 4; k++ {
		v := lo + (hi-lo)*float64(k)/4
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`+"\n", padLeft, y(v), svgW-padRight, y(v))
	}
	b.WriteString("</g>\n")
	b.WriteString(`<g fill="#4a4a4a" text-anchor="end">` + "\n")
	for k := 0; k <= 4; k++ {
		v := lo + (hi-lo)*float64(k)/4
		fmt.Fprintf(&b, `<text x="%d" y="%.1f">%s</text>`+"\n", padLeft-6, y(v)+4, rc.format(v))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#4a4a4a" stroke-width="1"/>`+"\n", padLeft, svgH-padBott, svgW-padRight, svgH-padBott)

	if len(rc.Points) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#4a4a4a">No data for this indicator yet</text>`+"\n", svgW/2, svgH/2)
		b.WriteString("</svg>\n")
		return b.String()
	}

	// Month labels: at most about 12, so they never overlap.
	step := max(1, (len(rc.Points)+11)/12)
	b.WriteString(`<g fill="#4a4a4a" text-anchor="middle">` + "\n")
	for i, pt := range rc.Points {
		if i%step == 0 || i == len(rc.Points)-1 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`+"\n", x(i), svgH-padBott+16, esc(pt.Month))
		}
	}
	b.WriteString("</g>\n")

	// PDSA annotations behind the data.
	for _, a := range rc.Annotations {
		fmt.Fprintf(&b, `<g class="pdsa"><line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#7a5c99" stroke-width="1" stroke-dasharray="2 3"/>`, x(a.Index), padTop, x(a.Index), svgH-padBott)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#7a5c99" font-size="10">%s</text></g>`+"\n", x(a.Index)+3, padTop+10, esc(shorten(a.Label, 28)))
	}

	// Target and median.
	if rc.Target >= lo && rc.Target <= hi {
		fmt.Fprintf(&b, `<line class="target" x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#2e7d32" stroke-width="1" stroke-dasharray="1 3"/>`+"\n", padLeft, y(rc.Target), svgW-padRight, y(rc.Target))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="#2e7d32" font-size="10">target %s</text>`+"\n", svgW-padRight, y(rc.Target)-4, rc.format(rc.Target))
	}
	med := rc.Analysis.Median
	fmt.Fprintf(&b, `<line class="median" x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#555555" stroke-width="1.5" stroke-dasharray="6 4"/>`+"\n", padLeft, y(med), svgW-padRight, y(med))
	fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="#555555" font-size="10">median %s</text>`+"\n", padLeft+4, y(med)-4, rc.format(med))

	// The series.
	var path []string
	for i, pt := range rc.Points {
		path = append(path, fmt.Sprintf("%.1f,%.1f", x(i), y(pt.Value)))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1f5fa8" stroke-width="2"/>`+"\n", strings.Join(path, " "))
	for i, pt := range rc.Points {
		fill, r := "#1f5fa8", 3.5
		if pt.Signal {
			fill, r = "#c62828", 5
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"><title>%s: %s</title></circle>`+"\n", x(i), y(pt.Value), r, fill, esc(pt.Month), rc.format(pt.Value))
	}
	if rc.Analysis.AnhoejSignal {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#c62828" font-weight="bold">Non-random variation (Anhøj)</text>`+"\n", svgW-padRight, 22)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// describe is the chart's text alternative: what a screen reader says instead.
func (rc *RunChart) describe() string {
	if len(rc.Points) == 0 {
		return "No data yet."
	}
	a := rc.Analysis
	s := fmt.Sprintf("%d months from %s to %s; median %s; last value %s.", len(rc.Points), rc.Points[0].Month,
		rc.Points[len(rc.Points)-1].Month, rc.format(a.Median), rc.format(rc.Points[len(rc.Points)-1].Value))
	s += fmt.Sprintf(" %d shifts, %d trends", len(a.Shifts), len(a.Trends))
	if a.AnhoejSignal {
		s += "; Anhøj rules signal non-random variation"
	}
	return s + fmt.Sprintf("; %d PDSA cycles marked.", len(rc.Annotations))
}

// yRange is 0..1 for proportions (so charts of different months compare), else 0 to
// a little above the largest value or target.
func (rc *RunChart) yRange() (float64, float64) {
	if rc.Kind == "proportion" {
		return 0, 1
	}
	hi := rc.Target
	for _, p := range rc.Points {
		hi = math.Max(hi, p.Value)
	}
	if hi <= 0 {
		return 0, 1
	}
	return 0, niceCeil(hi * 1.1)
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten, for readable axis labels.
func niceCeil(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func (rc *RunChart) format(v float64) string {
	if rc.Kind == "proportion" {
		return fmt.Sprintf("%.0f%%", v*100)
	}
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func esc(s string) string { return html.EscapeString(s) }

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// AdoptedIdea is one line of the change package: an idea a facility adopted, with
// its aim indicator before the first cycle that tested it and since adoption.
type AdoptedIdea struct {
	ProjectID    string   `json:"project_id"`
	ProjectTitle string   `json:"project_title"`
	FacilityID   int64    `json:"facility_id"`
	FacilityName string   `json:"facility_name"`
	ChangeIdeaID string   `json:"change_idea_id"`
	Idea         string   `json:"idea"`
	IndicatorID  string   `json:"indicator_id"`
	FirstTested  string   `json:"first_tested"`
	AdoptedOn    string   `json:"adopted_on"`
	Cycles       int      `json:"cycles"`
	Before       *float64 `json:"before"`
	After        *float64 `json:"after"`
	Change       *float64 `json:"change"`
}

// AdoptedIdeas lists the change ideas of p with at least one cycle ending "adopt":
// when first tested, when adopted and how many cycles it took (the indicator movement
// is filled by the caller, which reads counts).
func AdoptedIdeas(p *Project) []AdoptedIdea {
	var out []AdoptedIdea
	for _, idea := range p.ChangeIdeas {
		a := AdoptedIdea{ProjectID: p.ID, ProjectTitle: p.Title, FacilityID: p.FacilityID, ChangeIdeaID: idea.ID, Idea: idea.Text, IndicatorID: p.Aim.IndicatorID}
		for _, c := range p.Cycles {
			if c.ChangeIdeaID != idea.ID {
				continue
			}
			a.Cycles++
			if a.FirstTested == "" || string(c.StartedOn) < a.FirstTested {
				a.FirstTested = string(c.StartedOn)
			}
			if c.Result == "adopt" && (a.AdoptedOn == "" || string(c.EndedOn) < a.AdoptedOn) {
				a.AdoptedOn = string(c.EndedOn)
			}
		}
		if a.AdoptedOn != "" {
			out = append(out, a)
		}
	}
	return out
}
