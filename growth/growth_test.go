package growth

import (
	"math"
	"testing"
)

func f(v float64) *float64 { return &v }

func val(t *testing.T, name string, p *float64) float64 {
	t.Helper()
	if p == nil {
		t.Fatalf("%s: got null, want a z-score", name)
	}
	return *p
}

func wantZ(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if g := val(t, name, got); math.Abs(g-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", name, g, want)
	}
}

func wantNull(t *testing.T, name string, got *float64) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want null", name, *got)
	}
}

// WHO's day-0 rows (weianthro/lenanthro day 0, equal to jsgrowup's week 0).
func TestKnownWHOValues(t *testing.T) {
	boy := lms{0.3487, 3.3464, 0.14602}
	z := Compute(Measurement{Sex: Male, AgeDays: 0, WeightKg: f(3.3464), LengthCm: f(49.8842), Measured: Lying})
	wantZ(t, "boy day 0 median wfa", z.WFA, 0)
	wantZ(t, "boy day 0 median lhfa", z.LHFA, 0)
	for _, sd := range []float64{-2, -1, 1, 2} {
		w := boy.m * math.Pow(1+boy.l*boy.s*sd, 1/boy.l)
		wantZ(t, "boy day 0 wfa at SD", Compute(Measurement{Sex: Male, AgeDays: 0, WeightKg: &w}).WFA, sd)
	}
	wantZ(t, "girl day 0 median wfa", Compute(Measurement{Sex: Female, AgeDays: 0, WeightKg: f(3.2322)}).WFA, 0)
	// Height-for-age at 60 months (day 1826.25 row): a girl of M + 2·M·S cm is at +2.
	girl := Compute(Measurement{Sex: Female, AgeDays: 1826, LengthCm: f(109.4233 * (1 + 2*0.04347)), Measured: Standing})
	wantZ(t, "girl 60 mo lhfa +2", girl.LHFA, 2)
	// Weight-for-length 45 cm boy, WHO row L=-0.3521 M=2.441 S=0.09182.
	wantZ(t, "wfl 45 cm median", Compute(Measurement{Sex: Male, AgeDays: 10, WeightKg: f(2.441), LengthCm: f(45), Measured: Lying}).WFH, 0)
}

func TestLengthAdjustment(t *testing.T) {
	lhfa := func(day int, cm float64, pos string) float64 {
		return val(t, "lhfa", Compute(Measurement{Sex: Male, AgeDays: day, LengthCm: &cm, Measured: pos}).LHFA)
	}
	if a, b := lhfa(730, 85, Standing), lhfa(730, 85.7, Lying); a != b {
		t.Errorf("730 days standing 85 cm = %v, want as lying 85.7 cm = %v", a, b)
	}
	if a, b := lhfa(731, 85, Lying), lhfa(731, 84.3, Standing); a != b {
		t.Errorf("731 days lying 85 cm = %v, want as standing 84.3 cm = %v", a, b)
	}
	if a, b := lhfa(730, 85, Lying), lhfa(731, 85, Standing); a == b {
		t.Errorf("730 lying and 731 standing should use different curves, both %v", a)
	}
	// anthro ≥ 1.0 treats "standing" under 9 months as implausible: no +0.7 cm.
	if a, b := lhfa(273, 68, Standing), lhfa(273, 68, Lying); a != b {
		t.Errorf("273 days standing = %v, want unadjusted %v", a, b)
	}
	if a, b := lhfa(274, 68, Standing), lhfa(274, 68.7, Lying); a != b {
		t.Errorf("274 days standing = %v, want adjusted %v", a, b)
	}
}

func TestWeightForLengthOrHeight(t *testing.T) {
	wfh := func(day int, cm float64, pos string) *float64 {
		return Compute(Measurement{Sex: Female, AgeDays: day, WeightKg: f(12), LengthCm: &cm, Measured: pos}).WFH
	}
	// Same child, same adjusted length 88 cm: day 730 reads the length table, day 731 the height one.
	lenZ := val(t, "730", wfh(730, 88, Lying))
	heiZ := val(t, "731", wfh(731, 88, Standing))
	cl, _ := lengthLMS("wfl", Female, 88)
	ch, _ := lengthLMS("wfh", Female, 88)
	wantZ(t, "wfl 88", f(lenZ), *round2(restrictedZ(12, cl)))
	wantZ(t, "wfh 88", f(heiZ), *round2(restrictedZ(12, ch)))
	for _, c := range []struct {
		day  int
		cm   float64
		pos  string
		null bool
	}{
		{730, 44.9, Lying, true}, {730, 45, Lying, false}, {730, 110, Lying, false}, {730, 110.1, Lying, true},
		{731, 64.9, Standing, true}, {731, 65, Standing, false}, {731, 120, Standing, false}, {731, 120.1, Standing, true},
		{730, 109.5, Standing, true}, // +0.7 → 110.2 cm, beyond the length table
		{731, 65.6, Lying, true},     // −0.7 → 64.9 cm, below the height table
	} {
		got := wfh(c.day, c.cm, c.pos)
		if (got == nil) != c.null {
			t.Errorf("day %d %v cm %s: got %v, want null=%v", c.day, c.cm, c.pos, got, c.null)
		}
	}
}

// Restricted z beyond ±3, checked against values worked by hand from WHO's formula with
// the boy's day-0 row: SD3pos = 3.3464·(1+0.3487·0.14602·3)^(1/0.3487) = 5.03064, SD2pos =
// 4.41935 → 6.0 kg is 3 + (6.0−5.03064)/(5.03064−4.41935) = 4.5858; SD3neg = 2.08031, SD2neg
// = 2.45931 → 1.8 kg is −3 + (1.8−2.08031)/(2.45931−2.08031) = −3.7396.
func TestRestrictedBeyondThreeSD(t *testing.T) {
	wantZ(t, "+", Compute(Measurement{Sex: Male, AgeDays: 0, WeightKg: f(6.0)}).WFA, 4.59)
	wantZ(t, "-", Compute(Measurement{Sex: Male, AgeDays: 0, WeightKg: f(1.8)}).WFA, -3.74)
	// Weight-for-length, boy 60 cm (L −0.3521, M 5.9907, S 0.08342): 4.0 kg → −4.8723, 9 kg → 4.8127.
	wantZ(t, "wfl-", Compute(Measurement{Sex: Male, AgeDays: 100, WeightKg: f(4), LengthCm: f(60), Measured: Lying}).WFH, -4.87)
	wantZ(t, "wfl+", Compute(Measurement{Sex: Male, AgeDays: 100, WeightKg: f(9), LengthCm: f(60), Measured: Lying}).WFH, 4.81)
	// Length is never restricted: plain LMS far beyond 3 SD (L = 1: (y−M)/(M·S)).
	wantZ(t, "lhfa", Compute(Measurement{Sex: Male, AgeDays: 0, LengthCm: f(40), Measured: Lying}).LHFA,
		math.Round((40-49.8842)/(49.8842*0.03795)*100)/100)
}

func TestOedema(t *testing.T) {
	z := Compute(Measurement{Sex: Female, AgeDays: 400, WeightKg: f(8), LengthCm: f(74), Measured: Lying, Oedema: true})
	wantNull(t, "wfa", z.WFA)
	wantNull(t, "wfh", z.WFH)
	val(t, "lhfa", z.LHFA)
}

func TestRoundingAndNulls(t *testing.T) {
	// Boy day 0, 3.5 kg: ((3.5/3.3464)^0.3487 − 1)/(0.3487·0.14602) = 0.3086… → 0.31.
	wantZ(t, "rounded", Compute(Measurement{Sex: Male, AgeDays: 0, WeightKg: f(3.5)}).WFA, 0.31)
	for day := 0; day <= MaxAgeDays; day += 97 {
		z := Compute(Measurement{Sex: Female, AgeDays: day, WeightKg: f(3 + float64(day)/150), LengthCm: f(50 + float64(day)/30), Measured: Lying})
		for _, p := range []*float64{z.WFA, z.LHFA, z.WFH} {
			if p != nil && (math.Round(*p*100)/100 != *p || math.Signbit(*p) && *p == 0) {
				t.Errorf("day %d: %v not rounded to 2 decimals", day, *p)
			}
		}
		wantNull(t, "muac", z.MUAC)
	}
	wantNull(t, "no weight", Compute(Measurement{Sex: Male, AgeDays: 10}).WFA)
	wantNull(t, "no sex", Compute(Measurement{AgeDays: 10, WeightKg: f(3)}).WFA)
	wantNull(t, "muac", Compute(Measurement{Sex: Male, AgeDays: 300, MuacMm: f(140)}).MUAC)
}

func TestAgeLimits(t *testing.T) {
	for _, c := range []struct {
		day  int
		null bool
	}{{-1, true}, {0, false}, {1826, false}, {1827, true}, {1856, true}} {
		z := Compute(Measurement{Sex: Male, AgeDays: c.day, WeightKg: f(15), LengthCm: f(100), Measured: Standing})
		if (z.WFA == nil) != c.null || (z.LHFA == nil) != c.null || (z.WFH == nil) != c.null {
			t.Errorf("day %d: %+v, want null=%v", c.day, z, c.null)
		}
	}
	if _, _, _, ok := LMS("wfa", Male, 1827); ok {
		t.Error("LMS beyond 60 months should not be ok")
	}
	if _, _, _, ok := LMS("bmi", Male, 10); ok {
		t.Error("unknown indicator should not be ok")
	}
	if v, ok := SD("wfa", Male, 0, 0); !ok || v != 3.3464 {
		t.Errorf("SD(wfa, male, 0, 0) = %v, %v; want the median 3.3464", v, ok)
	}
}

func BenchmarkCompute(b *testing.B) {
	m := Measurement{Sex: Female, AgeDays: 400, WeightKg: f(8.7), LengthCm: f(74.2), Measured: Lying}
	for b.Loop() {
		Compute(m)
	}
}
