package stats

import (
	"math"
	"testing"

	"mesh"
)

// near reports whether got agrees with want to a relative 1e-6 (absolute 1e-9
// near zero): tighter than the 4 significant digits the acceptance checks need.
func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9+1e-6*math.Abs(want)
}

func ptr(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// Expected values: Wilson limits from (p̂ + z²/2n ± z√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)
// with z = qnorm(0.975); Newcombe's Table II (1998) examples (a), (b), (d) with
// difference reversed because MESH reports follow-up minus baseline; chi-square and
// Fisher's p from the 2×2 formulas (checked with 30-digit arithmetic), including the
// worked examples of stack.md §4.5 and Fisher's tea-tasting table.
func TestCompareProportions(t *testing.T) {
	tests := []struct {
		name                 string
		a, n, b, m           int
		ci1, ci2             [2]float64
		diff                 float64
		diffCI               [2]float64
		chi, chiP, yat, yatP float64
		fisher               float64
	}{
		{"Newcombe (a) 56/70 vs 48/80", 56, 70, 48, 80,
			[2]float64{0.691833555, 0.8769526075}, [2]float64{0.4904546501, 0.700381724},
			-0.2, [2]float64{-0.333872654, -0.0524314724},
			7.023411371, 0.008045081368, 6.11427041, 0.01340947518, 0.01252112975},
		{"stack.md 40/100 vs 62/100", 40, 100, 62, 100,
			[2]float64{0.3094012864, 0.4979974132}, [2]float64{0.522097553, 0.7090240075},
			0.22, [2]float64{0.0814778641, 0.3470173248},
			9.683873549, 0.001858923172, 8.823529412, 0.002973709436, 0.002880059034},
		{"Newcombe (b) 9/10 vs 3/10", 9, 10, 3, 10,
			[2]float64{0.5958499732, 0.9821237869}, [2]float64{0.1077912674, 0.6032218525},
			-0.6, [2]float64{-0.8090179735, -0.1705227239},
			7.5, 0.006169899321, 5.208333333, 0.02247887337, 0.0197666111},
		{"Newcombe (d) 5/56 vs 0/29", 5, 56, 0, 29,
			[2]float64{0.03874214845, 0.1925600139}, [2]float64{0, 0.1169697985},
			-0.08928571429, [2]float64{-0.1925600139, 0.0381371479},
			2.751116071, 0.09718656817, 1.374740225, 0.2409991142, 0.1606214432},
		{"tea tasting 3/4 vs 1/4", 3, 4, 1, 4,
			[2]float64{0.3006418426, 0.9544127392}, [2]float64{0.04558726081, 0.6993581574},
			-0.5, [2]float64{-0.7890832681, 0.1354884006},
			2, 0.1572992071, 0.5, 0.4795001222, 0.4857142857},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := CompareProportions(tt.a, tt.n, tt.b, tt.m)
			if err != nil {
				t.Fatal(err)
			}
			checks := []struct {
				what      string
				got, want float64
			}{
				{"baseline lo", c.Baseline.CI95[0], tt.ci1[0]}, {"baseline hi", c.Baseline.CI95[1], tt.ci1[1]},
				{"followup lo", c.Followup.CI95[0], tt.ci2[0]}, {"followup hi", c.Followup.CI95[1], tt.ci2[1]},
				{"difference", ptr(c.Difference), tt.diff},
				{"difference lo", c.DifferenceCI95[0], tt.diffCI[0]}, {"difference hi", c.DifferenceCI95[1], tt.diffCI[1]},
				{"chi-square", ptr(c.ChiSquare.Statistic), tt.chi}, {"chi-square p", ptr(c.ChiSquare.P), tt.chiP},
				{"Yates", ptr(c.ChiSquareYates.Statistic), tt.yat}, {"Yates p", ptr(c.ChiSquareYates.P), tt.yatP},
				{"Fisher p", c.FisherExact.P, tt.fisher},
			}
			for _, ch := range checks {
				if !near(ch.got, ch.want) {
					t.Errorf("%s = %.10g, want %.10g", ch.what, ch.got, ch.want)
				}
			}
			if c.ChiSquare.DF != 1 {
				t.Errorf("df = %d, want 1", c.ChiSquare.DF)
			}
		})
	}
}

// Degenerate tables must never panic; undefined statistics are nil (JSON null).
func TestCompareProportionsEdges(t *testing.T) {
	t.Run("no successes anywhere", func(t *testing.T) {
		c := mustCompare(t, 0, 10, 0, 20)
		if c.ChiSquare.Statistic != nil || c.ChiSquareYates.P != nil {
			t.Errorf("chi-square = %v, want null (expected count zero)", c.ChiSquare)
		}
		if c.FisherExact.P != 1 || len(c.Notes) == 0 {
			t.Errorf("fisher = %v notes = %v, want 1 and a note", c.FisherExact.P, c.Notes)
		}
		// Newcombe for 0/10 vs 0/20: difference 0, limits −u₁ and u₂ of the Wilson intervals.
		if *c.Difference != 0 || !near(c.DifferenceCI95[0], -0.2775327999) || !near(c.DifferenceCI95[1], 0.1611251581) {
			t.Errorf("difference = %v %v", *c.Difference, *c.DifferenceCI95)
		}
		if c.Baseline.CI95[0] != 0 {
			t.Errorf("0/10 lower limit = %v, want exactly 0", c.Baseline.CI95[0])
		}
	})
	t.Run("all successes", func(t *testing.T) {
		c := mustCompare(t, 10, 10, 10, 10)
		if c.Baseline.CI95[1] != 1 || !near(c.Baseline.CI95[0], 0.7224672001) {
			t.Errorf("10/10 ci = %v", *c.Baseline.CI95)
		}
		if c.ChiSquare.Statistic != nil || c.FisherExact.P != 1 {
			t.Errorf("chi %v fisher %v", c.ChiSquare, c.FisherExact)
		}
	})
	t.Run("zero total", func(t *testing.T) {
		c := mustCompare(t, 0, 0, 3, 7)
		if c.Baseline.Proportion != nil || c.Baseline.CI95 != nil || c.Difference != nil || c.DifferenceCI95 != nil {
			t.Errorf("zero total gave %+v", c)
		}
		if c.ChiSquare.Statistic != nil || c.FisherExact.P != 1 {
			t.Errorf("chi %v fisher %v", c.ChiSquare, c.FisherExact)
		}
	})
	t.Run("both totals zero", func(t *testing.T) { mustCompare(t, 0, 0, 0, 0) })
}

func mustCompare(t *testing.T, a, n, b, m int) Comparison {
	t.Helper()
	c, err := CompareProportions(a, n, b, m)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCompareProportionsInvalid(t *testing.T) {
	tests := []struct {
		a, n, b, m int
		field      string
	}{
		{-1, 10, 1, 10, "baseline.n"},
		{1, -10, 1, 10, "baseline.total"},
		{11, 10, 1, 10, "baseline.n"},
		{1, 10, 12, 10, "followup.n"},
		{1, 10, 1, -1, "followup.total"},
	}
	for _, tt := range tests {
		_, err := CompareProportions(tt.a, tt.n, tt.b, tt.m)
		fields := mesh.ErrorFields(err)
		if mesh.ErrorCode(err) != mesh.EINVALID || len(fields) != 1 || fields[0].Field != tt.field {
			t.Errorf("CompareProportions(%d, %d, %d, %d) error = %v, want field %s", tt.a, tt.n, tt.b, tt.m, err, tt.field)
		}
	}
}

// The tea-tasting table has two tables as likely as the observed one (p = 8/35 each
// side); without the relative tolerance rounding could drop one of them.
func TestFisherTies(t *testing.T) {
	if p := fisherExact(3, 1, 1, 3); !near(p, 17.0/35) {
		t.Errorf("tea tasting p = %v, want 17/35", p)
	}
	if p := fisherExact(5, 5, 5, 5); p != 1 {
		t.Errorf("symmetric table p = %v, want 1", p)
	}
}

// Totals in the millions stay fast (the walk stops where probabilities underflow) and
// agree with the chi-square test, which is accurate at that size.
func TestCompareProportionsLarge(t *testing.T) {
	c := mustCompare(t, 400_000, 1_000_000, 401_000, 1_000_000)
	if c.FisherExact.P <= 0 || math.Abs(c.FisherExact.P-*c.ChiSquare.P) > 0.01*(*c.ChiSquare.P) {
		t.Errorf("fisher p = %g, chi-square p = %g", c.FisherExact.P, *c.ChiSquare.P)
	}
	if c := mustCompare(t, 1_000_000_000, 2_000_000_000, 0, 2_000_000_000); c.FisherExact.P != 0 {
		t.Errorf("extreme table: fisher p = %g, want 0 (underflow, as R)", c.FisherExact.P)
	}
}
