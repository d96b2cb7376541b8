// Package growth computes WHO Child Growth Standards z-scores (weight-for-age,
// length/height-for-age, weight-for-length/height) the way WHO's own anthro software
// (R package anthro, anthro_zscores) does, and draws growth charts as SVG.
//
// The LMS tables are WHO's 2006 standards as shipped by jsgrowup (growth/data/NOTICE);
// between their weekly and monthly rows the LMS values are interpolated with cubic
// splines in age^0.35, which reproduces WHO's by-day tables within about 0.001 z
// (docs/growth.md). The package is pure Go with the tables embedded, so it also builds
// for js/wasm.
package growth

import "math"

// Measurement is one child's visit: sex "male" or "female", age in completed days,
// and whichever measurements were taken (nil when not taken).
type Measurement struct {
	Sex      string
	AgeDays  int
	WeightKg *float64
	LengthCm *float64
	MuacMm   *float64
	Measured string // "lying" (recumbent length) or "standing" (height); "" when unknown
	Oedema   bool   // bilateral pitting oedema: weight-based z-scores are not computed
}

// ZScores are the z-scores of one measurement rounded to 2 decimals; nil where they
// cannot be computed (missing input, outside the standard's range, or oedema).
type ZScores struct {
	WFA  *float64 `json:"wfa_z"`
	LHFA *float64 `json:"lhfa_z"`
	WFH  *float64 `json:"wfh_z"`
	MUAC *float64 `json:"muac_z"`
}

// Age limits of the standards as anthro applies them: 0–1856 days and, since anthro
// 0.9.3, only under 60 months (age/30.4375 < 60), so the last day is 1826.
const (
	MaxAgeDays = 1826
	// heightFromDays is the age from which WHO uses height (standing) tables: 24 months.
	heightFromDays = 731
	// lyingStandingCm is WHO's average difference between recumbent length and height.
	lyingStandingCm = 0.7
	// youngStandingMonths: anthro (≥ 1.0) ignores a "standing" position under 9 months
	// as implausible and then leaves the length unadjusted.
	youngStandingMonths = 9
)

// Measurement positions.
const (
	Lying    = "lying"
	Standing = "standing"
)

// Compute returns the z-scores of m per WHO anthro's method.
func Compute(m Measurement) ZScores {
	var z ZScores
	if m.Sex != Male && m.Sex != Female || m.AgeDays < 0 || m.AgeDays > MaxAgeDays {
		return z
	}
	day := float64(m.AgeDays)
	clen, hasLen := adjustedLength(m)
	if hasLen {
		z.LHFA = round2(lengthForAge(m.Sex, day, clen))
	}
	if m.Oedema || !positive(m.WeightKg) {
		return z
	}
	w := *m.WeightKg
	if c, ok := lookup("wfa", m.Sex, day); ok {
		z.WFA = round2(restrictedZ(w, c))
	}
	if hasLen {
		z.WFH = round2(weightForLength(m.Sex, m.AgeDays, clen, w))
	}
	return z
}

// Sexes as the API spells them.
const (
	Male   = "male"
	Female = "female"
)

// adjustedLength converts the measured length/height to the one the tables expect at
// this age: +0.7 cm for a child under 731 days measured standing, −0.7 cm for a child
// of 731 days or more measured lying.
func adjustedLength(m Measurement) (float64, bool) {
	if !positive(m.LengthCm) {
		return 0, false
	}
	l := *m.LengthCm
	months := float64(m.AgeDays) / daysPerMonth
	switch {
	case m.AgeDays < heightFromDays && m.Measured == Standing && months >= youngStandingMonths:
		l += lyingStandingCm
	case m.AgeDays >= heightFromDays && m.Measured == Lying:
		l -= lyingStandingCm
	}
	return l, true
}

// lengthForAge is the plain LMS z-score (no restriction beyond ±3 for a length).
func lengthForAge(sex string, day, clen float64) float64 {
	c, ok := lookup("lhfa", sex, day)
	if !ok {
		return math.NaN()
	}
	return lmsZ(clen, c)
}

// weightForLength uses the length table below 731 days (45–110 cm) and the height
// table from 731 days (65–120 cm), like anthro; NaN outside the table.
func weightForLength(sex string, ageDays int, clen, w float64) float64 {
	table, lo, hi := "wfl", 45.0, 110.0
	if ageDays >= heightFromDays {
		table, lo, hi = "wfh", 65.0, 120.0
	}
	if clen < lo || clen > hi {
		return math.NaN()
	}
	c, ok := lengthLMS(table, sex, clen)
	if !ok {
		return math.NaN()
	}
	return restrictedZ(w, c)
}

// lengthLMS reproduces anthro's lookup: WHO's tables step by 0.1 cm and anthro
// interpolates linearly between the two tenths around the length.
func lengthLMS(table, sex string, cm float64) (lms, bool) {
	c := curves[curveKey{table, sex}]
	low := math.Trunc(cm*10) / 10
	frac := (cm - low) / 0.1
	a, ok := c.atClamped(low)
	if !ok || frac <= 0 {
		return a, ok
	}
	b, _ := c.atClamped(math.Trunc(cm*10+1) / 10)
	return lms{lerp(a.l, b.l, frac), lerp(a.m, b.m, frac), lerp(a.s, b.s, frac)}, true
}

// atClamped is at with x pulled onto the table's ends; used for the upper tenth of a
// length that is itself within the table.
func (c *curve) atClamped(x float64) (lms, bool) {
	if c == nil {
		return lms{}, false
	}
	return c.at(min(max(x, c.lo), c.hi))
}

func positive(p *float64) bool { return p != nil && *p > 0 && !math.IsInf(*p, 1) }

// round2 rounds to 2 decimals as anthro reports; nil for NaN, never −0.
func round2(z float64) *float64 {
	if math.IsNaN(z) || math.IsInf(z, 0) {
		return nil
	}
	r := math.Round(z*100) / 100
	if r == 0 {
		r = 0
	}
	return &r
}
