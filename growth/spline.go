package growth

import (
	"math"
	"sort"
)

// spline is an interpolating cubic spline through (x[i], y[i]), x strictly increasing,
// stored as the knot values and their second derivatives.
type spline struct {
	x, y, y2 []float64
}

// newSpline builds the cubic spline through the knots. With a NaN leftSlope the left
// end is natural (zero curvature), as in WHO's own smoothing splines at birth; otherwise
// the first derivative there is clamped to leftSlope. The right end is always natural.
func newSpline(x, y []float64, leftSlope float64) spline {
	n := len(x)
	y2 := make([]float64, n)
	u := make([]float64, n)
	if !math.IsNaN(leftSlope) {
		y2[0] = -0.5
		u[0] = 3 / (x[1] - x[0]) * ((y[1]-y[0])/(x[1]-x[0]) - leftSlope)
	}
	for i := 1; i < n-1; i++ {
		sig := (x[i] - x[i-1]) / (x[i+1] - x[i-1])
		p := sig*y2[i-1] + 2
		y2[i] = (sig - 1) / p
		d := (y[i+1]-y[i])/(x[i+1]-x[i]) - (y[i]-y[i-1])/(x[i]-x[i-1])
		u[i] = (6*d/(x[i+1]-x[i-1]) - sig*u[i-1]) / p
	}
	for k := n - 2; k >= 0; k-- {
		y2[k] = y2[k]*y2[k+1] + u[k]
	}
	return spline{x: x, y: y, y2: y2}
}

// at evaluates the spline at v; outside the knots it continues the end pieces.
func (s spline) at(v float64) float64 {
	i := sort.SearchFloat64s(s.x, v)
	i = min(max(i, 1), len(s.x)-1)
	h := s.x[i] - s.x[i-1]
	a := (s.x[i] - v) / h
	b := (v - s.x[i-1]) / h
	return a*s.y[i-1] + b*s.y[i] + ((a*a*a-a)*s.y2[i-1]+(b*b*b-b)*s.y2[i])*h*h/6
}

// parabolaSlope estimates the first derivative at x[0] from the parabola through the
// first three knots; it clamps a spline whose curve goes on to the left of its first knot.
func parabolaSlope(x, y []float64) float64 {
	h0, h1 := x[1]-x[0], x[2]-x[1]
	d0, d1 := (y[1]-y[0])/h0, (y[2]-y[1])/h1
	return ((2*h0+h1)*d0 - h0*d1) / (h0 + h1)
}
