package stats

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"mesh"
)

// rowsOf builds rows with columns g, y and optionally x.
func rowsOf(groups []string, y []float64, x []float64) []Row {
	rows := make([]Row, len(y))
	for i := range y {
		rows[i] = Row{"g": groups[i], "y": fmt.Sprint(y[i])}
		if x != nil {
			rows[i]["x"] = fmt.Sprint(x[i])
		}
	}
	return rows
}

// balanced lays out k groups of equal size from data[group][member].
func balanced(data [][]float64) ([]string, []float64) {
	var g []string
	var y []float64
	for i, members := range data {
		for _, v := range members {
			g, y = append(g, fmt.Sprintf("g%d", i)), append(y, v)
		}
	}
	return g, y
}

// anova returns the one-way ANOVA mean squares of a balanced design, computed
// directly from their definitions.
func anova(data [][]float64) (msb, msw float64, n int) {
	k, n := len(data), len(data[0])
	grand, means := 0.0, make([]float64, k)
	for i, members := range data {
		for _, v := range members {
			means[i] += v / float64(n)
			grand += v / float64(n*k)
		}
	}
	for i, members := range data {
		msb += float64(n) * (means[i] - grand) * (means[i] - grand) / float64(k-1)
		for _, v := range members {
			msw += (v - means[i]) * (v - means[i]) / float64(k*(n-1))
		}
	}
	return msb, msw, n
}

// In a balanced one-way design REML equals the ANOVA estimator: σ²_e = MSW,
// σ²_g = (MSB − MSW)/n truncated at 0 (then σ²_e is the total mean square), and the
// intercept's standard error is √(MSB/(kn)) (√(σ²_e/N) when truncated).
func TestMixedBalancedANOVA(t *testing.T) {
	tests := map[string][][]float64{
		"group effect":  {{10, 12, 11}, {15, 17, 16}, {8, 9, 10}, {13, 12, 14}},
		"Dyestuff":      {{1545, 1440, 1440, 1520, 1580}, {1540, 1555, 1490, 1560, 1495}, {1595, 1550, 1605, 1510, 1560}, {1445, 1440, 1595, 1465, 1545}, {1595, 1630, 1515, 1635, 1625}, {1520, 1455, 1450, 1480, 1445}},
		"MSB below MSW": {{1, 5, 3}, {2, 6, 4}, {5, 1, 3.5}},
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			g, y := balanced(data)
			fit, err := FitMixed(rowsOf(g, y, nil), "y", "g", nil)
			if err != nil {
				t.Fatal(err)
			}
			msb, msw, n := anova(data)
			N := float64(len(y))
			wantG, wantE, wantSE := (msb-msw)/float64(n), msw, math.Sqrt(msb/N)
			if wantG < 0 {
				total := (msb*float64(len(data)-1) + msw*float64(len(data)*(n-1))) / (N - 1)
				wantG, wantE, wantSE = 0, total, math.Sqrt(total/N)
			}
			mean := 0.0
			for _, v := range y {
				mean += v / N
			}
			expect(t, "variance_group", fit.VarianceGroup, wantG, 1e-6*wantE)
			expect(t, "variance_residual", fit.VarianceResidual, wantE, 0)
			expect(t, "intercept", fit.Estimates[0].Estimate, mean, 0)
			expect(t, "std_error", fit.Estimates[0].StdError, wantSE, 0)
			expect(t, "icc", fit.ICC, wantG/(wantG+wantE), 1e-6)
			if fit.Singular != (wantG == 0) {
				t.Errorf("singular = %v", fit.Singular)
			}
		})
	}
}

// expect checks got against want to a relative 1e-6, or the absolute tolerance abs.
func expect(t *testing.T, what string, got, want, abs float64) {
	t.Helper()
	if math.Abs(got-want) > abs+1e-6*math.Abs(want) {
		t.Errorf("%s = %.10g, want %.10g", what, got, want)
	}
}

// Published lme4 results (see testdata/README.md), to the digits printed.
func TestMixedPublished(t *testing.T) {
	tests := []struct {
		file, outcome, group string
		fixed                []string
		est, se              []float64
		varG, varE, crit     float64
		digits               []float64 // rounding unit of est, se, varG, varE, crit
	}{
		{"sleepstudy.csv", "Reaction", "Subject", []string{"Days"},
			[]float64{251.4051, 10.4673}, []float64{9.7467, 0.8042}, 1378.2, 960.5, 1786.5,
			[]float64{1e-4, 1e-4, 0.1, 0.1, 0.1}},
		{"dyestuff.csv", "Yield", "Batch", nil,
			[]float64{1527.5}, []float64{19.38}, 42.0010 * 42.0010, 49.5101 * 49.5101, 319.7,
			[]float64{0.1, 0.01, 0.1, 0.1, 0.1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := ReadCSV(f, tt.outcome, tt.group, tt.fixed)
			if err != nil {
				t.Fatal(err)
			}
			fit, err := FitMixed(rows, tt.outcome, tt.group, tt.fixed)
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range fit.Estimates {
				expect(t, e.Term, e.Estimate, tt.est[i], tt.digits[0]/2)
				expect(t, e.Term+" SE", e.StdError, tt.se[i], tt.digits[1]/2)
			}
			expect(t, "variance_group", fit.VarianceGroup, tt.varG, tt.digits[2]/2)
			expect(t, "variance_residual", fit.VarianceResidual, tt.varE, tt.digits[3]/2)
			expect(t, "reml_criterion", fit.REMLCriterion, tt.crit, tt.digits[4]/2)
		})
	}
}

// An unbalanced design with a covariate: the fit must maximise an independent,
// brute-force REML log-likelihood built from dense N×N matrices, and its β and
// standard errors must equal dense GLS at the fitted variances.
func TestMixedUnbalancedBruteForce(t *testing.T) {
	g := strings.Split("a a a b b c c c c c d d e e e e", " ")
	x := []float64{1, 2, 3, 1, 4, 2, 2, 5, 6, 1, 3, 4, 1, 2, 3, 7}
	y := []float64{3.1, 4.0, 5.2, 6.3, 8.1, 2.0, 3.4, 5.1, 5.5, 1.2, 7.7, 8.9, 2.2, 2.4, 3.9, 7.1}
	fixed := []string{"x"}
	fit, err := FitMixed(rowsOf(g, y, x), "y", "g", fixed)
	if err != nil {
		t.Fatal(err)
	}
	X := make([][]float64, len(y))
	for i := range y {
		X[i] = []float64{1, x[i]}
	}
	m := denseModel{g: g, X: X, y: y}
	best, _, _ := m.remlLogLik(fit.VarianceGroup, fit.VarianceResidual)
	expect(t, "reml_criterion", fit.REMLCriterion, -2*best, 0)
	if fit.VarianceGroup <= 0 {
		t.Fatalf("variance_group = %v, want an interior optimum for this design", fit.VarianceGroup)
	}
	// A fine multiplicative grid (±40% in 1% steps) around the fit: nothing beats it.
	for i := -40; i <= 40; i++ {
		for j := -40; j <= 40; j++ {
			vg, ve := fit.VarianceGroup*(1+0.01*float64(i)), fit.VarianceResidual*(1+0.01*float64(j))
			if l, _, _ := m.remlLogLik(vg, ve); l > best+1e-9 {
				t.Fatalf("grid point (%g, %g) has REML log-likelihood %.12g > fit's %.12g", vg, ve, l, best)
			}
		}
	}
	_, beta, se := m.remlLogLik(fit.VarianceGroup, fit.VarianceResidual)
	for k, e := range fit.Estimates {
		expect(t, e.Term, e.Estimate, beta[k], 1e-9)
		expect(t, e.Term+" SE", e.StdError, se[k], 1e-9)
	}
	if fit.Estimates[1].Term != "x" || fit.Estimates[0].Term != "(Intercept)" {
		t.Errorf("terms = %v", fit.Estimates)
	}
}

// denseModel evaluates the REML log-likelihood the slow, obvious way.
type denseModel struct {
	g []string
	X [][]float64
	y []float64
}

// remlLogLik returns −½[(N−p)log 2π + log|V| + log|XᵀV⁻¹X| + rᵀV⁻¹r] with
// V = σ²_e I + σ²_g ZZᵀ, and the GLS β with its standard errors.
func (m denseModel) remlLogLik(vg, ve float64) (float64, []float64, []float64) {
	N, p := len(m.y), len(m.X[0])
	V := square(N)
	for i := range N {
		for j := range N {
			if m.g[i] == m.g[j] {
				V[i][j] = vg
			}
		}
		V[i][i] += ve
	}
	Vinv, logV := invert(V)
	XtVX, XtVy := square(p), make([]float64, p)
	for a := range p {
		for i := range N {
			for j := range N {
				XtVy[a] += m.X[i][a] * Vinv[i][j] * m.y[j]
				for b := range p {
					XtVX[a][b] += m.X[i][a] * Vinv[i][j] * m.X[j][b]
				}
			}
		}
	}
	cov, logXVX := invert(XtVX)
	beta, se := make([]float64, p), make([]float64, p)
	for a := range p {
		for b := range p {
			beta[a] += cov[a][b] * XtVy[b]
		}
		se[a] = math.Sqrt(cov[a][a])
	}
	r := make([]float64, N)
	for i := range N {
		r[i] = m.y[i]
		for a := range p {
			r[i] -= m.X[i][a] * beta[a]
		}
	}
	quad := 0.0
	for i := range N {
		for j := range N {
			quad += r[i] * Vinv[i][j] * r[j]
		}
	}
	return -0.5 * (float64(N-p)*math.Log(2*math.Pi) + logV + logXVX + quad), beta, se
}

// invert returns the inverse and log-determinant of a positive definite matrix by
// Gauss–Jordan elimination with partial pivoting.
func invert(a [][]float64) ([][]float64, float64) {
	n := len(a)
	m := square(n)
	inv := square(n)
	for i := range n {
		copy(m[i], a[i])
		inv[i][i] = 1
	}
	logdet := 0.0
	for c := range n {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[piv][c]) {
				piv = r
			}
		}
		m[c], m[piv], inv[c], inv[piv] = m[piv], m[c], inv[piv], inv[c]
		d := m[c][c]
		logdet += math.Log(math.Abs(d))
		for j := range n {
			m[c][j] /= d
			inv[c][j] /= d
		}
		for r := range n {
			if r != c {
				f := m[r][c]
				for j := range n {
					m[r][j] -= f * m[c][j]
					inv[r][j] -= f * inv[c][j]
				}
			}
		}
	}
	return inv, logdet
}

func TestMixedErrors(t *testing.T) {
	g := []string{"a", "a", "b", "b", "c"}
	y := []float64{1, 2, 3, 5, 4}
	tests := []struct {
		name  string
		rows  []Row
		fixed []string
		field string
	}{
		{"one group", rowsOf([]string{"a", "a", "a"}, []float64{1, 2, 3}, nil), nil, "g"},
		{"one row per group", rowsOf([]string{"a", "b", "c"}, []float64{1, 2, 3}, nil), nil, "g"},
		{"constant covariate", rowsOf(g, y, []float64{2, 2, 2, 2, 2}), []string{"x"}, "fixed"},
		{"collinear covariate", []Row{
			{"g": "a", "y": "1", "x": "1", "z": "2"}, {"g": "a", "y": "2", "x": "2", "z": "4"},
			{"g": "b", "y": "3", "x": "3", "z": "6"}, {"g": "b", "y": "5", "x": "4", "z": "8"},
			{"g": "c", "y": "4", "x": "5", "z": "10"}}, []string{"x", "z"}, "fixed"},
		{"missing column", rowsOf(g, y, nil), []string{"x"}, "x"},
		{"non-numeric", []Row{{"g": "a", "y": "1"}, {"g": "b", "y": "two"}}, nil, "y"},
		{"exact fit", rowsOf(g, []float64{1, 1, 1, 1, 1}, nil), nil, "fixed"},
		{"no residual variation", rowsOf(g, []float64{1, 1, 3, 3, 5}, nil), nil, "outcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FitMixed(tt.rows, "y", "g", tt.fixed)
			f := mesh.ErrorFields(err)
			if mesh.ErrorCode(err) != mesh.EINVALID || len(f) != 1 || f[0].Field != tt.field {
				t.Errorf("error = %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, csv, field, inMessage string
	}{
		{"missing column", "g,y\na,1\n", "x", "no column"},
		{"non-numeric", "g,y,x\na,1,2\nb,oops,3\n", "y", "line 3"},
		{"missing value", "g,y,x\na,1,\n", "x", "line 2: missing value"},
		{"missing group", "g,y,x\n,1,2\n", "g", "line 2"},
		{"ragged", "g,y,x\na,1\n", "file", "line 2"},
		{"empty", "", "file", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tt.csv), "y", "g", []string{"x"})
			f := mesh.ErrorFields(err)
			if len(f) != 1 || f[0].Field != tt.field || !strings.Contains(f[0].Message, tt.inMessage) {
				t.Errorf("error = %v (%v), want field %s with %q", err, f, tt.field, tt.inMessage)
			}
		})
	}
}
