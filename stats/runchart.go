package stats

import (
	"fmt"
	"math"
	"sort"
)

// Span is the [first, last] indices (0-based, into the original series) of a shift or
// a trend.
type Span [2]int

// RunChartResult is the run-chart analysis of a series. LongestRunMax and
// CrossingsMin are null when no point lies off the median.
type RunChartResult struct {
	Median        float64 `json:"median"`
	NUseful       int     `json:"n_useful"`
	LongestRun    int     `json:"longest_run"`
	LongestRunMax *int    `json:"longest_run_max"`
	Crossings     int     `json:"crossings"`
	CrossingsMin  *int    `json:"crossings_min"`
	AnhoejSignal  bool    `json:"anhoej_signal"`
	Shifts        []Span  `json:"shifts"`
	Trends        []Span  `json:"trends"`
}

// IHI rule lengths: a shift is 6 or more useful points on one side of the median, a
// trend 5 or more points each strictly above (or below) the previous one.
const (
	ShiftLength = 6
	TrendLength = 5
)

// RunChart analyses values against their median, taken from the first baselinePoints
// values (a frozen baseline) or from all when baselinePoints is 0. Anhøj's rules flag
// an unusually long run (longer than round(log2(n) + 3)) or too few crossings (below
// the 5th percentile of Binomial(n − 1, ½)), n being the points not on the median; the
// IHI rules list every maximal shift and trend.
func RunChart(values []float64, baselinePoints int) (RunChartResult, error) {
	if err := checkSeries(values, baselinePoints); err != nil {
		return RunChartResult{}, err
	}
	base := values
	if baselinePoints > 0 {
		base = values[:baselinePoints]
	}
	r := RunChartResult{Median: median(base), Shifts: []Span{}, Trends: []Span{}}
	sides, at := usefulSides(values, r.Median)
	r.NUseful = len(sides)
	runs := runsOf(sides)
	for _, run := range runs {
		r.LongestRun = max(r.LongestRun, run[1]-run[0]+1)
		if run[1]-run[0]+1 >= ShiftLength {
			r.Shifts = append(r.Shifts, Span{at[run[0]], at[run[1]]})
		}
	}
	if n := r.NUseful; n > 0 {
		r.Crossings = len(runs) - 1
		maxRun, minCross := int(math.Round(math.Log2(float64(n))+3)), binomialQuantile05(n-1)
		r.LongestRunMax, r.CrossingsMin = &maxRun, &minCross
		r.AnhoejSignal = r.LongestRun > maxRun || r.Crossings < minCross
	}
	r.Trends = trends(values)
	return r, nil
}

// checkSeries rejects an empty or non-finite series and a baseline outside it.
func checkSeries(values []float64, baselinePoints int) error {
	if len(values) == 0 {
		return invalid("values", "must hold at least one value")
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return invalid(fmt.Sprintf("values[%d]", i), "must be a finite number")
		}
	}
	if baselinePoints < 0 {
		return invalid("baseline_points", "must not be negative, got %d", baselinePoints)
	} else if baselinePoints > len(values) {
		return invalid("baseline_points", "%d is more than the %d values", baselinePoints, len(values))
	}
	return nil
}

// median is the usual sample median: the mean of the two middle values for an even
// count, as R's median().
func median(values []float64) float64 {
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// usefulSides returns the side (+1 above, −1 below) of each point not on the median,
// with its index in the original series.
func usefulSides(values []float64, median float64) (sides []int, at []int) {
	for i, v := range values {
		switch {
		case v > median:
			sides, at = append(sides, 1), append(at, i)
		case v < median:
			sides, at = append(sides, -1), append(at, i)
		}
	}
	return sides, at
}

// runsOf splits sides into maximal runs of equal sign, as [first, last] positions.
func runsOf(sides []int) []Span {
	var runs []Span
	for i := range sides {
		if i == 0 || sides[i] != sides[i-1] {
			runs = append(runs, Span{i, i})
		} else {
			runs[len(runs)-1][1] = i
		}
	}
	return runs
}

// binomialQuantile05 is qbinom(0.05, n, 0.5): the smallest c with P(X ≤ c) ≥ 0.05
// for X ~ Binomial(n, ½). Probabilities are summed in log space so large n is safe.
func binomialQuantile05(n int) int {
	cum := 0.0
	for c := 0; c <= n; c++ {
		cum += math.Exp(lchoose(n, c) - float64(n)*math.Ln2)
		if cum >= 0.05 {
			return c
		}
	}
	return n
}

// trends lists maximal runs of 5 or more points each strictly above (or below) the
// previous one. A point equal to the previous one is skipped: it neither counts nor
// breaks the trend. The length counts points, the first included, so 5 points are 4
// steps; a turning point may end one trend and start the next.
func trends(values []float64) []Span {
	kept := []int{0}
	for i := 1; i < len(values); i++ {
		if values[i] != values[kept[len(kept)-1]] {
			kept = append(kept, i)
		}
	}
	spans := []Span{}
	start := 0 // kept[start…k−1] is the current monotone stretch
	for k := 2; k <= len(kept); k++ {
		if k < len(kept) && rises(values, kept, k) == rises(values, kept, k-1) {
			continue
		}
		if k-start >= TrendLength {
			spans = append(spans, Span{kept[start], kept[k-1]})
		}
		start = k - 1
	}
	return spans
}

// rises reports whether the step from kept[k−1] to kept[k] goes up.
func rises(values []float64, kept []int, k int) bool {
	return values[kept[k]] > values[kept[k-1]]
}
