package stats

import (
	"errors"
	"math"
	"strconv"
)

// Row is one record keyed by column name, as read from a CSV file.
type Row map[string]string

// Estimate is one fixed effect with its standard error.
type Estimate struct {
	Term     string  `json:"term"`
	Estimate float64 `json:"estimate"`
	StdError float64 `json:"std_error"`
}

// MixedFit is a random-intercept linear mixed model fitted by REML.
type MixedFit struct {
	Estimates        []Estimate `json:"estimates"`
	VarianceGroup    float64    `json:"variance_group"`
	VarianceResidual float64    `json:"variance_residual"`
	ICC              float64    `json:"icc"`
	Observations     int        `json:"observations"`
	Groups           int        `json:"groups"`
	// REMLCriterion is −2 × the REML log-likelihood, as lme4's REMLcrit().
	REMLCriterion float64 `json:"reml_criterion"`
	// Singular is true when the group variance is on its boundary, 0.
	Singular bool `json:"singular"`
}

// FitMixed fits y = Xβ + b_group + e with b ~ N(0, σ²_g) and e ~ N(0, σ²_e) by REML,
// as lme4::lmer(outcome ~ fixed… + (1|group), REML = TRUE). Estimates list
// "(Intercept)" first, then the fixed columns in the order given.
func FitMixed(rows []Row, outcome, group string, fixed []string) (MixedFit, error) {
	d, err := designFromRows(rows, outcome, group, fixed)
	if err != nil {
		return MixedFit{}, err
	}
	return d.fit()
}

// design holds the sufficient statistics of the model: per group its size and the
// means of the augmented row [x…, y]; and the pooled within-group scatter matrix.
// Working with centred quantities avoids the cancellation of XᵀX − Σ c·sᵢsᵢᵀ when
// the group variance is large.
type design struct {
	terms  []string
	n      int
	sizes  []float64
	means  [][]float64 // per group, length p+1 (last = outcome)
	within [][]float64 // (p+1)×(p+1)
}

// designFromRows parses the columns and builds the design; errors name column and row.
func designFromRows(rows []Row, outcome, group string, fixed []string) (*design, error) {
	p := len(fixed) + 1
	index := map[string]int{}
	var members [][][]float64
	for i, r := range rows {
		g, ok := r[group]
		if !ok || g == "" {
			return nil, invalid(group, "row %d: missing group label", i+1)
		}
		v := make([]float64, p+1)
		v[0] = 1
		for j, col := range append(append([]string{}, fixed...), outcome) {
			x, err := parseNumber(r, col)
			if err != nil {
				return nil, invalid(col, "row %d: %v", i+1, err)
			}
			v[j+1] = x
		}
		k, seen := index[g]
		if !seen {
			k = len(members)
			index[g] = k
			members = append(members, nil)
		}
		members[k] = append(members[k], v)
	}
	return newDesign(append([]string{"(Intercept)"}, fixed...), members, group)
}

// parseNumber reads a finite number from column col of r.
func parseNumber(r Row, col string) (float64, error) {
	s, ok := r[col]
	if !ok || s == "" {
		return 0, errors.New("missing value")
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, errors.New("not a finite number: " + strconv.Quote(s))
	}
	return x, nil
}

// newDesign computes group means and the pooled within-group scatter in two passes.
func newDesign(terms []string, members [][][]float64, group string) (*design, error) {
	p := len(terms)
	d := &design{terms: terms, within: square(p + 1)}
	for _, rows := range members {
		mean := make([]float64, p+1)
		for _, v := range rows {
			for j := range v {
				mean[j] += v[j] / float64(len(rows))
			}
		}
		for _, v := range rows {
			for j := range v {
				for k := range v {
					d.within[j][k] += (v[j] - mean[j]) * (v[k] - mean[k])
				}
			}
		}
		d.n += len(rows)
		d.sizes = append(d.sizes, float64(len(rows)))
		d.means = append(d.means, mean)
	}
	switch {
	case len(members) < 2:
		return nil, invalid(group, "need at least 2 groups, found %d", len(members))
	case len(members) >= d.n:
		// lme4 refuses this too: with one row per group the two variances are confounded.
		return nil, invalid(group, "every group has a single row: group and residual variance cannot be separated")
	case d.n <= p:
		return nil, invalid("fixed", "%d rows are too few for %d coefficients", d.n, p)
	}
	return d, nil
}

func square(n int) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
	}
	return m
}
