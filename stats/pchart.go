package stats

import (
	"fmt"
	"math"
)

// PPoint is one period of a p-chart. P and the limits are null when its denominator
// is 0.
type PPoint struct {
	Numerator   int      `json:"numerator"`
	Denominator int      `json:"denominator"`
	P           *float64 `json:"p"`
	LCL         *float64 `json:"lcl"`
	UCL         *float64 `json:"ucl"`
	Outside     bool     `json:"outside"`
}

// PChartResult is a p-chart: the centre line and each period with its limits.
// CentreLine is null when every denominator is 0.
type PChartResult struct {
	CentreLine *float64 `json:"centre_line"`
	Points     []PPoint `json:"points"`
}

// PChart computes a p-chart: centre line p̄ = Σnum/Σden, limits
// p̄ ± 3·√(p̄(1−p̄)/denᵢ) per period clipped to [0, 1], and flags the periods whose
// proportion falls strictly outside its limits.
func PChart(num, den []int) (PChartResult, error) {
	if len(num) != len(den) {
		return PChartResult{}, invalid("denominators", "%d denominators for %d numerators", len(den), len(num))
	}
	totalNum, totalDen := 0, 0
	for i := range num {
		if den[i] < 0 || num[i] < 0 || num[i] > den[i] {
			return PChartResult{}, invalid(fmt.Sprintf("numerators[%d]", i), "%d/%d is not a proportion", num[i], den[i])
		}
		totalNum, totalDen = totalNum+num[i], totalDen+den[i]
	}
	res := PChartResult{Points: make([]PPoint, len(num))}
	if totalDen > 0 {
		pbar := float64(totalNum) / float64(totalDen)
		res.CentreLine = &pbar
	}
	for i := range num {
		res.Points[i] = pPoint(num[i], den[i], res.CentreLine)
	}
	return res, nil
}

func pPoint(num, den int, centre *float64) PPoint {
	pt := PPoint{Numerator: num, Denominator: den}
	if den == 0 || centre == nil {
		return pt
	}
	p, pbar := float64(num)/float64(den), *centre
	sigma := math.Sqrt(pbar * (1 - pbar) / float64(den))
	lcl, ucl := math.Max(0, pbar-3*sigma), math.Min(1, pbar+3*sigma)
	pt.P, pt.LCL, pt.UCL = &p, &lcl, &ucl
	pt.Outside = p < lcl || p > ucl
	return pt
}
