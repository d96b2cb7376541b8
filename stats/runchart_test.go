package stats

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"mesh"
)

func intp(i int) *int { return &i }

// Expected values worked by hand from the rules; the limits agree with Anhøj & Olesen
// (2014), Table 1 (n = 10: run > 6 or crossings < 2; n = 30: 8 and 10).
func TestRunChart(t *testing.T) {
	tests := []struct {
		name     string
		values   []float64
		baseline int
		want     RunChartResult
	}{
		{"alternating: many crossings, no signal", []float64{1, 3, 1, 3, 1, 3, 1, 3, 1, 3}, 0, RunChartResult{
			Median: 2, NUseful: 10, LongestRun: 1, LongestRunMax: intp(6), Crossings: 9, CrossingsMin: intp(2),
			Shifts: []Span{}, Trends: []Span{}}},
		// Median of the frozen baseline {1,2,3,4,5} is 3 (index 2 lies on it); after it the
		// series stays above: 9 useful points on one side from index 3. Useful n = 11:
		// round(log2 11 + 3) = 6, and P(X ≤ 1) = 11/1024 < 0.05 ≤ P(X ≤ 2) = 56/1024.
		{"frozen baseline then a sustained shift", []float64{1, 2, 3, 4, 5, 10, 10, 10, 10, 10, 10, 10}, 5, RunChartResult{
			Median: 3, NUseful: 11, LongestRun: 9, LongestRunMax: intp(6), Crossings: 1, CrossingsMin: intp(2),
			AnhoejSignal: true, Shifts: []Span{{3, 11}}, Trends: []Span{{0, 5}}}},
		// Points on the median (5) neither count nor break the run: the run above goes
		// from index 2 to 11 with 7 useful points. n = 9: limit 6; P(X ≤ 2) = 37/256.
		{"points on the median are skipped", []float64{4, 5, 6, 7, 5, 8, 5, 9, 6, 7, 5, 8, 2}, 3, RunChartResult{
			Median: 5, NUseful: 9, LongestRun: 7, LongestRunMax: intp(6), Crossings: 2, CrossingsMin: intp(2),
			AnhoejSignal: true, Shifts: []Span{{2, 11}}, Trends: []Span{}}},
		{"single point on its own median", []float64{5}, 0, RunChartResult{
			Median: 5, Shifts: []Span{}, Trends: []Span{}}},
		{"all equal", []float64{2, 2, 2, 2, 2, 2, 2}, 0, RunChartResult{
			Median: 2, Shifts: []Span{}, Trends: []Span{}}},
		{"two points, even-count median", []float64{3, 7}, 0, RunChartResult{
			Median: 5, NUseful: 2, LongestRun: 1, LongestRunMax: intp(4), Crossings: 1, CrossingsMin: intp(0),
			Shifts: []Span{}, Trends: []Span{}}},
		// Up five points then down five: the turning point (index 4) ends one trend and
		// starts the next. Indices 2 and 6 lie on the median: n = 7, sides − − + + + − −;
		// round(log2 7 + 3) = 6 and P(X ≤ 0) = 1/64 < 0.05 ≤ P(X ≤ 1) = 7/64.
		{"trend up then down", []float64{1, 2, 3, 4, 5, 4, 3, 2, 1}, 0, RunChartResult{
			Median: 3, NUseful: 7, LongestRun: 3, LongestRunMax: intp(6), Crossings: 2, CrossingsMin: intp(1),
			Shifts: []Span{}, Trends: []Span{{0, 4}, {4, 8}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RunChart(tt.values, tt.baseline)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tt.want)
				t.Errorf("got  %s\nwant %s", g, w)
			}
		})
	}
}

// Ties are skipped in trends: they neither count nor break one. The length counts
// points including the first.
func TestTrends(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		want   []Span
	}{
		{"five rising points", []float64{1, 2, 3, 4, 5}, []Span{{0, 4}}},
		{"four rising points are not a trend", []float64{1, 2, 3, 4, 1}, []Span{}},
		{"a tie inside is skipped", []float64{1, 2, 2, 3, 4, 4, 5, 3}, []Span{{0, 6}}},
		{"ties do not make up the count", []float64{1, 2, 2, 3, 3, 4}, []Span{}},
		{"falling, trailing tie not included", []float64{9, 8, 7, 6, 5, 5, 9}, []Span{{0, 4}}},
		{"leading tie", []float64{1, 1, 2, 3, 4, 5}, []Span{{0, 5}}},
		{"single point", []float64{1}, []Span{}},
		{"two maximal trends", []float64{1, 2, 3, 4, 5, 6, 0, 9, 8, 7, 6, 5}, []Span{{0, 5}, {7, 11}}},
	}
	for _, tt := range tests {
		if got := trends(tt.values); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: trends(%v) = %v, want %v", tt.name, tt.values, got, tt.want)
		}
	}
}

// Anhøj & Olesen (2014) Table 1, and the definition at small n.
func TestRunLimits(t *testing.T) {
	tests := []struct{ n, maxRun, minCross int }{
		{1, 3, 0}, {2, 4, 0}, {4, 5, 0}, {9, 6, 2}, {10, 6, 2}, {11, 6, 2}, {12, 7, 3},
		{20, 7, 6}, {23, 8, 7}, {30, 8, 10}, {50, 9, 19}, {100, 10, 41},
	}
	for _, tt := range tests {
		if got := int(math.Round(math.Log2(float64(tt.n)) + 3)); got != tt.maxRun {
			t.Errorf("n=%d: longest run max %d, want %d", tt.n, got, tt.maxRun)
		}
		if got := binomialQuantile05(tt.n - 1); got != tt.minCross {
			t.Errorf("n=%d: crossings min %d, want %d", tt.n, got, tt.minCross)
		}
	}
}

func TestRunChartInvalid(t *testing.T) {
	tests := []struct {
		values   []float64
		baseline int
		field    string
	}{
		{nil, 0, "values"},
		{[]float64{1, 2}, 3, "baseline_points"},
		{[]float64{1, 2}, -1, "baseline_points"},
		{[]float64{1, math.NaN()}, 0, "values[1]"},
	}
	for _, tt := range tests {
		_, err := RunChart(tt.values, tt.baseline)
		f := mesh.ErrorFields(err)
		if len(f) != 1 || f[0].Field != tt.field {
			t.Errorf("RunChart(%v, %d) error = %v, want field %s", tt.values, tt.baseline, err, tt.field)
		}
	}
}

// FuzzRunChart checks the analysis never panics and its counts stay consistent.
func FuzzRunChart(f *testing.F) {
	f.Add([]byte{1, 2, 3, 3, 2, 1, 9, 9}, 0)
	f.Add([]byte{}, 1)
	f.Fuzz(func(t *testing.T, raw []byte, baseline int) {
		values := make([]float64, len(raw))
		for i, b := range raw {
			values[i] = float64(b % 7)
		}
		r, err := RunChart(values, baseline)
		if err != nil {
			return
		}
		if r.NUseful > len(values) || r.LongestRun > r.NUseful || (r.NUseful > 0 && r.Crossings != countRuns(values, r.Median)-1) {
			t.Errorf("inconsistent result %+v for %v", r, values)
		}
	})
}

func countRuns(values []float64, median float64) int {
	sides, _ := usefulSides(values, median)
	return len(runsOf(sides))
}
