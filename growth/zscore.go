package growth

import "math"

// lmsZ is the LMS z-score of y: ((y/M)^L − 1) / (L·S), or ln(y/M)/S when L is 0.
func lmsZ(y float64, c lms) float64 {
	if math.Abs(c.l) < 1e-12 {
		return math.Log(y/c.m) / c.s
	}
	return (math.Pow(y/c.m, c.l) - 1) / (c.s * c.l)
}

// lmsValue is the measurement at z-score z: M·(1 + L·S·z)^(1/L).
func lmsValue(z float64, c lms) float64 {
	if math.Abs(c.l) < 1e-12 {
		return c.m * math.Exp(c.s*z)
	}
	return c.m * math.Pow(1+c.l*c.s*z, 1/c.l)
}

// restrictedZ is WHO's z-score for weight-based indicators: beyond ±3 the LMS
// distribution is not trusted, so the distance past the ±3 SD value is measured in
// units of the gap between the 2 and 3 SD values.
func restrictedZ(y float64, c lms) float64 {
	z := lmsZ(y, c)
	switch {
	case z > 3:
		sd3, sd2 := lmsValue(3, c), lmsValue(2, c)
		return 3 + (y-sd3)/(sd3-sd2)
	case z < -3:
		sd3, sd2 := lmsValue(-3, c), lmsValue(-2, c)
		return -3 + (y-sd3)/(sd2-sd3)
	}
	return z
}

// LMS returns WHO's L, M and S for an indicator and sex at x: "wfa" and "lhfa" take x as
// age in days (0–1826.25; lhfa is length up to 730.5 days, height after), "wfl" and "wfh"
// take length or height in cm (45–110 and 65–120). ok is false outside the table.
func LMS(indicator, sex string, x float64) (l, m, s float64, ok bool) {
	c, ok := lookup(indicator, sex, x)
	return c.l, c.m, c.s, ok
}

func lookup(indicator, sex string, x float64) (lms, bool) {
	table := indicator
	if indicator == "lhfa" {
		table = "lfa"
		if x > heightFromDays-0.5 {
			table = "hfa"
		}
	}
	return curves[curveKey{table, sex}].at(x)
}

// SD returns the measurement at z-score z (e.g. −2 for the "−2 SD" curve of a chart)
// for an indicator and sex at x, with x as for LMS.
func SD(indicator, sex string, x, z float64) (float64, bool) {
	c, ok := lookup(indicator, sex, x)
	if !ok {
		return 0, false
	}
	return lmsValue(z, c), true
}
