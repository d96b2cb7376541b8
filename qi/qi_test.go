package qi_test

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mesh"
	"mesh/qi"
)

var update = flag.Bool("update", false, "rewrite golden files")

func project() *qi.Project {
	p := &qi.Project{ID: "0190c1a2-7b3c-7d4e-8f90-00000000a001", FacilityID: 7, Title: "Growth charts used at every visit",
		Team: []string{"In-charge", "Nurse A2"}, Problem: "Weights are taken but rarely plotted",
		Aim:         qi.Aim{Text: "Plot 80% of weights by December", IndicatorID: "imci.growth_chart_used", TargetValue: 0.8, TargetDate: "2026-12-31"},
		ChangeIdeas: []qi.ChangeIdea{{ID: "c1", Text: "Growth chart on the consultation desk"}, {ID: "c2", Text: "Daily register check"}},
		StartedOn:   "2026-01-05", BaselinePoints: 6}
	p.Normalize()
	return p
}

func TestProjectValidate(t *testing.T) {
	p := project()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := &qi.Project{ID: "x", Aim: qi.Aim{IndicatorID: "imci.weighed", TargetValue: 80, TargetDate: "2026-02-31"}, Status: "paused",
		StartedOn: "2026-03-01", EndedOn: "2026-02-01", Team: []string{" "}, ChangeIdeas: []qi.ChangeIdea{{ID: "a", Text: "x"}, {ID: "a"}}}
	var fields []string
	for _, f := range mesh.ErrorFields(bad.Validate()) {
		fields = append(fields, f.Field)
	}
	want := "id,facility_id,title,problem,aim.text,aim.target_value,aim.target_date,ended_on,status,team[0],change_ideas[1].id,change_ideas[1].text"
	if got := strings.Join(fields, ","); got != want {
		t.Errorf("fields\n got %s\nwant %s", got, want)
	}
	for month, want := range map[string]bool{"2025-12": false, "2026-01": true, "2027-06": true} {
		if p.ActiveIn(month) != want {
			t.Errorf("active in %s: %v", month, !want)
		}
	}
	p.EndedOn = "2026-06-30"
	if p.ActiveIn("2026-07") || !p.ActiveIn("2026-06") {
		t.Error("ended project still active")
	}
}

func TestCycle(t *testing.T) {
	p := project()
	c := &qi.PDSACycle{ID: "0190c1a2-7b3c-7d4e-8f90-00000000c001", ProjectID: p.ID, ChangeIdeaID: "c1", Plan: "Put the chart on the desk", StartedOn: "2026-03-02"}
	if err := c.Validate(p); err != nil {
		t.Fatal(err)
	}
	if m, cs := c.Contributions(); m != "" || cs != nil {
		t.Errorf("an unfinished cycle counts: %s %v", m, cs)
	}
	c.EndedOn, c.Result = "2026-03-30", "adopt"
	if m, cs := c.Contributions(); m != "2026-03" || len(cs) != 1 || cs[0].ID != "qi.pdsa_cycles" || cs[0].Num != 1 {
		t.Errorf("completed cycle counts %s %v", m, cs)
	}
	bad := &qi.PDSACycle{ID: "0190c1a2-7b3c-7d4e-8f90-00000000c002", ChangeIdeaID: "zz", StartedOn: "2026-03-02", Result: "keep"}
	var fields []string
	for _, f := range mesh.ErrorFields(bad.Validate(p)) {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, ","); got != "change_idea_id,plan,result,ended_on" {
		t.Errorf("fields %s", got)
	}
}

// A series with a real shift after the first cycle: the chart must find it, freeze the
// median on the baseline and place the annotations.
func runChart(t *testing.T) *qi.RunChart {
	p := project()
	p.Cycles = []*qi.PDSACycle{
		{ID: "c-2", ChangeIdeaID: "c2", StartedOn: "2026-09-01", EndedOn: "2026-09-30", Result: "adopt"},
		{ID: "c-1", ChangeIdeaID: "c1", StartedOn: "2026-07-03", EndedOn: "2026-07-31", Result: "adapt"},
	}
	values := []float64{0.42, 0.38, 0.45, 0.40, 0.44, 0.39, 0.55, 0.61, 0.66, 0.70, 0.74, 0.78, 0.80, 0.79}
	var pts []qi.Point
	for i, v := range values {
		pts = append(pts, qi.Point{Month: []string{"2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
			"2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02"}[i], Value: v, Numerator: v * 50, Denominator: 50})
	}
	rc, err := qi.BuildRunChart(p, "proportion", pts)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func TestBuildRunChart(t *testing.T) {
	rc := runChart(t)
	a := rc.Analysis
	if math.Abs(a.Median-0.41) > 1e-12 {
		t.Errorf("median %v, want 0.41 (frozen on 6 baseline months)", a.Median)
	}
	if len(a.Shifts) != 1 || a.Shifts[0] != [2]int{6, 13} || !a.AnhoejSignal {
		t.Errorf("shifts %v, anhøj %v", a.Shifts, a.AnhoejSignal)
	}
	if len(a.Trends) != 1 || a.Trends[0] != [2]int{5, 12} {
		t.Errorf("trends %v", a.Trends)
	}
	if rc.Points[4].Signal || !rc.Points[6].Signal {
		t.Errorf("signal marks wrong: %+v", rc.Points)
	}
	if len(rc.Annotations) != 2 || rc.Annotations[0].Index != 6 || rc.Annotations[1].Index != 8 || !strings.HasPrefix(rc.Annotations[0].Label, "PDSA 1: Growth chart") {
		t.Errorf("annotations %+v", rc.Annotations)
	}
	empty, err := qi.BuildRunChart(project(), "proportion", nil)
	if err != nil || empty.Analysis != nil || !strings.Contains(empty.SVG(), "No data") {
		t.Errorf("empty chart: %v %+v", err, empty)
	}
}

func TestRunChartSVGGolden(t *testing.T) {
	got := runChart(t).SVG()
	for _, must := range []string{`role="img"`, "<title", "median", "PDSA 1", `fill="#c62828"`} {
		if !strings.Contains(got, must) {
			t.Errorf("SVG lacks %s", must)
		}
	}
	if strings.Contains(got, "style=") {
		t.Error("SVG uses a style attribute: the CSP forbids inline styles")
	}
	golden := filepath.Join("testdata", "runchart.svg")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./qi -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("SVG differs from %s (go test ./qi -update rewrites it after checking the change)", golden)
	}
}

func TestAdoptedIdeas(t *testing.T) {
	p := project()
	p.Cycles = []*qi.PDSACycle{
		{ChangeIdeaID: "c1", StartedOn: "2026-03-01", EndedOn: "2026-03-20", Result: "adapt"},
		{ChangeIdeaID: "c1", StartedOn: "2026-04-01", EndedOn: "2026-04-20", Result: "adopt"},
		{ChangeIdeaID: "c2", StartedOn: "2026-04-01", EndedOn: "2026-04-20", Result: "abandon"},
	}
	got := qi.AdoptedIdeas(p)
	if len(got) != 1 || got[0].ChangeIdeaID != "c1" || got[0].FirstTested != "2026-03-01" || got[0].AdoptedOn != "2026-04-20" || got[0].Cycles != 2 {
		t.Errorf("adopted %+v", got)
	}
}
