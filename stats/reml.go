package stats

import "math"

// profile is the REML criterion at one variance ratio θ = σ²_g/σ²_e with σ²_e and β
// profiled out.
type profile struct {
	theta    float64
	deviance float64 // −2 log REML likelihood
	chol     [][]float64
	rss      float64
}

// evaluate profiles the REML criterion at θ. For a random intercept Vᵢ = σ²_e(I + θJ),
// whose inverse is (I − J/nᵢ) + J/(nᵢ(1+nᵢθ)); hence the augmented cross-product
// [X y]ᵀH⁻¹[X y] is the within-group scatter plus Σ nᵢ/(1+nᵢθ)·m̄ᵢm̄ᵢᵀ, and
// log|H| = Σ log(1+nᵢθ). Its Cholesky factor gives log|XᵀH⁻¹X| on the diagonal of the
// X block and the GLS residual sum of squares as the square of the last diagonal.
func (d *design) evaluate(theta float64) (profile, bool) {
	p := len(d.terms)
	m := square(p + 1)
	logH := 0.0
	for i, size := range d.sizes {
		w := size / (1 + size*theta)
		logH += math.Log1p(size * theta)
		for j := range m {
			for k := range m {
				m[j][k] += w * d.means[i][j] * d.means[i][k]
			}
		}
	}
	for j := range m {
		for k := range m {
			m[j][k] += d.within[j][k]
		}
	}
	l, ok := cholesky(m)
	if !ok {
		return profile{}, false
	}
	rss := l[p][p] * l[p][p]
	df := float64(d.n - p)
	dev := logH + df*(1+math.Log(2*math.Pi*rss/df))
	for k := range p {
		dev += 2 * math.Log(l[k][k])
	}
	return profile{theta: theta, deviance: dev, chol: l, rss: rss}, rss > 0
}

// cholesky returns the lower factor of a symmetric matrix, or false when a pivot of
// the X block is not clearly positive relative to its diagonal, which marks collinear
// columns. The last pivot (the outcome's) may be 0: an exact fit, caught by the caller.
func cholesky(a [][]float64) ([][]float64, bool) {
	n := len(a)
	l := square(n)
	for j := range n {
		s := a[j][j]
		for k := range j {
			s -= l[j][k] * l[j][k]
		}
		if j < n-1 && !(s > 1e-10*a[j][j]) {
			return nil, false
		}
		l[j][j] = math.Sqrt(math.Max(s, 0))
		for i := j + 1; i < n; i++ {
			t := a[i][j]
			for k := range j {
				t -= l[i][k] * l[j][k]
			}
			if l[j][j] > 0 {
				l[i][j] = t / l[j][j]
			}
		}
	}
	return l, true
}

// Search range of log10 θ: below 1e-8 the group variance is indistinguishable from 0;
// an optimum beyond 1e8 means the residual variance is zero (an exact fit).
const (
	logThetaMin  = -8.0
	logThetaMax  = 8.0
	logThetaStep = 0.25
)

// optimise finds the θ ≥ 0 minimising the REML criterion: a grid over log10 θ to
// bracket the global minimum (the criterion may have more than one local one), golden
// section inside the bracket, and the boundary θ = 0 as lme4 allows.
func (d *design) optimise() (profile, error) {
	best, ok := d.evaluate(0)
	if !ok {
		return profile{}, invalid("fixed", "singular design: the fixed columns are collinear with each other or the intercept, or the outcome is fitted exactly")
	}
	f := func(u float64) float64 {
		pr, ok := d.evaluate(math.Pow(10, u))
		if !ok {
			return math.Inf(1)
		}
		return pr.deviance
	}
	bestU, bestF := math.NaN(), math.Inf(1)
	for u := logThetaMin; u <= logThetaMax+1e-9; u += logThetaStep {
		if v := f(u); v < bestF {
			bestU, bestF = u, v
		}
	}
	if bestU >= logThetaMax {
		return profile{}, invalid("outcome", "the residual variance is zero: the outcome is fitted exactly by group and fixed effects")
	}
	if bestU > logThetaMin {
		u := goldenSection(f, bestU-logThetaStep, bestU+logThetaStep)
		if pr, ok := d.evaluate(math.Pow(10, u)); ok && pr.deviance < best.deviance {
			best = pr
		}
	}
	return best, nil
}

// goldenSection minimises f on [a, b] to a width of 1e-10.
func goldenSection(f func(float64) float64, a, b float64) float64 {
	const r = 0.6180339887498949 // (√5 − 1)/2
	c, e := b-r*(b-a), a+r*(b-a)
	fc, fe := f(c), f(e)
	for b-a > 1e-10 {
		if fc <= fe {
			b, e, fe = e, c, fc
			c = b - r*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, e, fe
			e = a + r*(b-a)
			fe = f(e)
		}
	}
	return (a + b) / 2
}

// fit optimises θ and reads β, its standard errors and the variances off the
// Cholesky factor at the optimum: β solves L_Xᵀβ = l_y and Cov(β) = σ²_e(XᵀH⁻¹X)⁻¹,
// with σ²_e = RSS/(n − p), the REML estimate lme4 reports.
func (d *design) fit() (MixedFit, error) {
	pr, err := d.optimise()
	if err != nil {
		return MixedFit{}, err
	}
	p := len(d.terms)
	sigma2 := pr.rss / float64(d.n-p)
	beta := backSubstitute(pr.chol, p)
	inv := lowerInverse(pr.chol, p)
	fit := MixedFit{
		VarianceGroup:    pr.theta * sigma2,
		VarianceResidual: sigma2,
		ICC:              pr.theta / (1 + pr.theta),
		Observations:     d.n,
		Groups:           len(d.sizes),
		REMLCriterion:    pr.deviance,
		Singular:         pr.theta == 0,
	}
	for k, term := range d.terms {
		v := 0.0
		for i := k; i < p; i++ {
			v += inv[i][k] * inv[i][k]
		}
		fit.Estimates = append(fit.Estimates, Estimate{Term: term, Estimate: beta[k], StdError: math.Sqrt(sigma2 * v)})
	}
	return fit, nil
}

// backSubstitute solves L_Xᵀβ = l_y where L_X is the leading p×p block of l and l_y
// the first p entries of its last row.
func backSubstitute(l [][]float64, p int) []float64 {
	beta := make([]float64, p)
	for k := p - 1; k >= 0; k-- {
		s := l[p][k]
		for i := k + 1; i < p; i++ {
			s -= l[i][k] * beta[i]
		}
		beta[k] = s / l[k][k]
	}
	return beta
}

// lowerInverse inverts the leading p×p lower-triangular block of l; (XᵀH⁻¹X)⁻¹ is
// then invᵀ·inv.
func lowerInverse(l [][]float64, p int) [][]float64 {
	inv := square(p)
	for j := range p {
		inv[j][j] = 1 / l[j][j]
		for i := j + 1; i < p; i++ {
			s := 0.0
			for k := j; k < i; k++ {
				s -= l[i][k] * inv[k][j]
			}
			inv[i][j] = s / l[i][i]
		}
	}
	return inv
}
