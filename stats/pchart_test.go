package stats

import (
	"math"
	"testing"
)

// p̄ = 67/350; for n = 100, σ = √(p̄(1−p̄)/100) = 0.0393426, so the limits are
// 0.07340 and 0.30946: 2/100 falls below, 40/100 above, 20/100 and 5/50 inside.
func TestPChart(t *testing.T) {
	r, err := PChart([]int{2, 20, 5, 40}, []int{100, 100, 50, 100})
	if err != nil {
		t.Fatal(err)
	}
	pbar := 67.0 / 350
	expect(t, "centre", *r.CentreLine, pbar, 0)
	expect(t, "lcl n=100", *r.Points[0].LCL, 0.07340090, 1e-7)
	expect(t, "ucl n=100", *r.Points[0].UCL, 0.30945624, 1e-7)
	s50 := math.Sqrt(pbar * (1 - pbar) / 50)
	expect(t, "ucl n=50", *r.Points[2].UCL, pbar+3*s50, 0)
	wantOutside := []bool{true, false, false, true}
	for i, p := range r.Points {
		if p.Outside != wantOutside[i] {
			t.Errorf("point %d outside = %v, want %v", i, p.Outside, wantOutside[i])
		}
	}
}

// Limits are clipped to [0, 1]; an empty period has no proportion nor limits.
func TestPChartEdges(t *testing.T) {
	r, err := PChart([]int{0, 1, 0, 0}, []int{10, 10, 10, 0})
	if err != nil {
		t.Fatal(err)
	}
	if *r.Points[0].LCL != 0 || r.Points[0].Outside {
		t.Errorf("lcl = %v outside = %v, want clipped to 0 and inside", *r.Points[0].LCL, r.Points[0].Outside)
	}
	if p := r.Points[3]; p.P != nil || p.LCL != nil || p.UCL != nil || p.Outside {
		t.Errorf("empty period = %+v", p)
	}
	r, _ = PChart([]int{10, 10}, []int{10, 10})
	if *r.Points[0].UCL != 1 || *r.Points[0].LCL != 1 {
		t.Errorf("p̄ = 1: limits %v %v", *r.Points[0].LCL, *r.Points[0].UCL)
	}
	if r, _ := PChart([]int{0}, []int{0}); r.CentreLine != nil {
		t.Errorf("all empty: centre = %v", *r.CentreLine)
	}
	for _, bad := range [][2][]int{{{1}, {1, 2}}, {{3}, {2}}, {{-1}, {2}}} {
		if _, err := PChart(bad[0], bad[1]); err == nil {
			t.Errorf("PChart(%v, %v) accepted", bad[0], bad[1])
		}
	}
}
