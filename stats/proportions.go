package stats

import "math"

// z975 is qnorm(0.975), the normal quantile for a two-sided 95% interval; a constant
// so the Wilson limits match R to the last digit.
const z975 = 1.959963984540054

// Proportion is one observed proportion with its Wilson 95% interval. Proportion and
// CI95 are null when Total is 0.
type Proportion struct {
	N          int         `json:"n"`
	Total      int         `json:"total"`
	Proportion *float64    `json:"proportion"`
	CI95       *[2]float64 `json:"ci95"`
}

// ChiSquare is Pearson's statistic without continuity correction; null when an
// expected count is zero (R gives NaN there).
type ChiSquare struct {
	Statistic *float64 `json:"statistic"`
	DF        int      `json:"df"`
	P         *float64 `json:"p"`
}

// ChiSquareYates is Pearson's statistic with Yates's continuity correction as R
// applies it.
type ChiSquareYates struct {
	Statistic *float64 `json:"statistic"`
	P         *float64 `json:"p"`
}

// FisherExact is the two-sided p-value of Fisher's exact test.
type FisherExact struct {
	P float64 `json:"p"`
}

// Comparison compares a baseline proportion with a follow-up one.
type Comparison struct {
	Baseline       Proportion     `json:"baseline"`
	Followup       Proportion     `json:"followup"`
	Difference     *float64       `json:"difference"`
	DifferenceCI95 *[2]float64    `json:"difference_ci95"`
	ChiSquare      ChiSquare      `json:"chi_square"`
	ChiSquareYates ChiSquareYates `json:"chi_square_yates"`
	FisherExact    FisherExact    `json:"fisher_exact"`
	Notes          []string       `json:"notes,omitempty"`
}

// CompareProportions compares baseline a/n with follow-up b/m: Wilson intervals,
// Newcombe's hybrid score interval for the difference (follow-up minus baseline),
// Pearson's chi-square with and without Yates's correction and Fisher's exact test
// on the 2×2 table [[a, n−a], [b, m−b]].
func CompareProportions(a, n, b, m int) (Comparison, error) {
	if err := checkCount("baseline", a, n); err != nil {
		return Comparison{}, err
	}
	if err := checkCount("followup", b, m); err != nil {
		return Comparison{}, err
	}
	c := Comparison{Baseline: newProportion(a, n), Followup: newProportion(b, m)}
	if n > 0 && m > 0 {
		d, ci := newcombe(a, n, b, m)
		c.Difference, c.DifferenceCI95 = &d, &ci
	} else {
		c.Notes = append(c.Notes, "a total is zero: proportion, difference and chi-square are undefined")
	}
	table := [2][2]float64{{float64(a), float64(n - a)}, {float64(b), float64(m - b)}}
	c.ChiSquare, c.ChiSquareYates = chiSquare(table)
	if c.ChiSquare.Statistic == nil && n > 0 && m > 0 {
		c.Notes = append(c.Notes, "an expected count is zero (no successes or no failures at all): chi-square is undefined")
	}
	c.FisherExact.P = fisherExact(a, n-a, b, m-b)
	return c, nil
}

// checkCount rejects negative counts and successes above the total.
func checkCount(field string, x, total int) error {
	switch {
	case total < 0:
		return invalid(field+".total", "must not be negative (got %d)", total)
	case x < 0:
		return invalid(field+".n", "must not be negative (got %d)", x)
	case x > total:
		return invalid(field+".n", "%d is larger than the total %d", x, total)
	}
	return nil
}

func newProportion(x, n int) Proportion {
	p := Proportion{N: x, Total: n}
	if n > 0 {
		lo, hi := Wilson(x, n)
		prop := float64(x) / float64(n)
		p.Proportion, p.CI95 = &prop, &[2]float64{lo, hi}
	}
	return p
}

// Wilson returns the Wilson score 95% interval for x successes out of n > 0, written
// as R's prop.test(correct = FALSE) does, so 0/n has lower limit exactly 0 and n/n
// upper limit exactly 1.
func Wilson(x, n int) (lo, hi float64) {
	p, nf := float64(x)/float64(n), float64(n)
	z22n := z975 * z975 / (2 * nf)
	half := z975 * math.Sqrt(p*(1-p)/nf+z22n/(2*nf))
	lo, hi = 0, 1
	if x > 0 {
		lo = (p + z22n - half) / (1 + 2*z22n)
	}
	if x < n {
		hi = (p + z22n + half) / (1 + 2*z22n)
	}
	return lo, hi
}

// newcombe returns p2 − p1 and its 95% interval by Newcombe's (1998) method 10, the
// hybrid score interval built from the two Wilson intervals.
func newcombe(a, n, b, m int) (float64, [2]float64) {
	p1, p2 := float64(a)/float64(n), float64(b)/float64(m)
	l1, u1 := Wilson(a, n)
	l2, u2 := Wilson(b, m)
	d := p2 - p1
	lower := d - math.Sqrt((p2-l2)*(p2-l2)+(u1-p1)*(u1-p1))
	upper := d + math.Sqrt((u2-p2)*(u2-p2)+(p1-l1)*(p1-l1))
	return d, [2]float64{lower, upper}
}

// chiSquare computes Pearson's statistic on a 2×2 table with and without Yates's
// correction. R's correction subtracts min(0.5, |O−E|), so it never overshoots
// when the table already fits its expectation.
func chiSquare(t [2][2]float64) (ChiSquare, ChiSquareYates) {
	rows := [2]float64{t[0][0] + t[0][1], t[1][0] + t[1][1]}
	cols := [2]float64{t[0][0] + t[1][0], t[0][1] + t[1][1]}
	total := rows[0] + rows[1]
	var plain, yates float64
	for i := range 2 {
		for j := range 2 {
			e := rows[i] * cols[j] / total
			dev := math.Abs(t[i][j] - e)
			corr := dev - math.Min(0.5, dev)
			plain += dev * dev / e
			yates += corr * corr / e
		}
	}
	return ChiSquare{Statistic: finite(plain), DF: 1, P: finite(chiSquare1P(plain))},
		ChiSquareYates{Statistic: finite(yates), P: finite(chiSquare1P(yates))}
}

// chiSquare1P is the upper tail of the chi-square distribution with 1 degree of
// freedom: P(χ²₁ > x) = erfc(√(x/2)), exact and accurate for tiny p.
func chiSquare1P(x float64) float64 {
	return math.Erfc(math.Sqrt(x / 2))
}

// fisherExact returns the two-sided p-value of Fisher's exact test for the table
// [[x11, x12], [x21, x22]]: the sum of the hypergeometric probabilities of the tables
// with the same margins that are no more likely than the observed one. As R's
// fisher.test, a relative tolerance of 1e-7 keeps tables equal in probability to the
// observed one from being lost to rounding.
func fisherExact(x11, x12, x21, x22 int) float64 {
	m, n, k := x11+x21, x12+x22, x11+x12 // column 1, column 2, row 1 totals
	lo, hi := max(0, k-n), min(k, m)
	logd := func(x int) float64 { return lchoose(m, x) + lchoose(n, k-x) }
	mode := min(hi, max(lo, int(float64(k+1)*float64(m+1)/float64(m+n+2))))
	top := logd(mode)
	obs := math.Exp(logd(x11) - top)
	var sum, p float64
	// Walk out from the mode until the probabilities underflow, as R's exp(d − max(d))
	// does: this keeps huge totals (millions) fast without changing the result.
	add := func(x int) bool {
		d := math.Exp(logd(x) - top)
		sum += d
		if d <= obs*(1+1e-7) {
			p += d
		}
		return d > 0
	}
	for x := mode; x <= hi && add(x); x++ {
	}
	for x := mode - 1; x >= lo && add(x); x-- {
	}
	return math.Min(1, p/sum)
}

// lchoose is log C(n, k).
func lchoose(n, k int) float64 {
	return lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1)
}

func lgamma(x int) float64 {
	v, _ := math.Lgamma(float64(x))
	return v
}
