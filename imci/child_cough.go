package imci

import "fmt"

// coughState keeps what the cough box found for later rules (treatments, nutrition).
type coughState struct {
	chestIndrawing tri // effective, after a bronchodilator trial
	fast           tri
	wheeze         tri
}

// cough classifies "cough or difficult breathing" (spec §6.2).
func (e *eval) cough() {
	c := e.in.Cough
	if c == nil {
		e.incomplete(BoxCough, "cough")
		return
	}
	if c.SpO2Percent != nil && *c.SpO2Percent < e.p.Rules.LowOxygenSaturationPercent {
		e.o2Low = true // a referral instruction, not a classification sign
	}
	if !isTrue(c.Present) {
		return
	}
	limit, band := 50, "2-<12 months"
	if e.ageAtLeast(12) {
		limit, band = 40, "12-<60 months"
	}
	rr, ci := c.RespiratoryRate, triOf(c.ChestIndrawing)
	fast0 := intCmp(rr, func(v int) bool { return v >= limit })
	trial := c.BronchodilatorTrial
	trialDone := trial != nil && isTrue(trial.Done)
	wheeze := triOf(c.Wheeze)
	if wheeze == yes && fast0.or(ci) == yes && !trialDone {
		e.warn("BRONCHODILATOR_TRIAL_NOT_DONE")
	}
	rrPath, ciPath := "cough.respiratory_rate", "cough.chest_indrawing"
	if trialDone {
		rr, ci = trial.RespiratoryRateAfter, triOf(trial.ChestIndrawingAfter)
		rrPath, ciPath = "cough.bronchodilator_trial.respiratory_rate_after", "cough.bronchodilator_trial.chest_indrawing_after"
	}
	fast := intCmp(rr, func(v int) bool { return v >= limit })
	e.cs = coughState{chestIndrawing: ci, fast: fast, wheeze: wheeze}

	stridor := triOf(c.StridorWhenCalm)
	switch triB(e.anyDS).or(stridor) {
	case yes:
		e.classify("SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", coughReasons(e.anyDS, stridor)...)
		return
	case unknown:
		e.incomplete(BoxCough, "cough.stridor_when_calm")
		return
	}
	switch ci.or(fast) {
	case unknown:
		e.incomplete(BoxCough, unknownPaths(field{rrPath, fast}, field{ciPath, ci})...)
	case yes:
		if !trialDone && wheeze == unknown {
			// A bronchodilator trial could change the row, so wheeze must be known.
			e.incomplete(BoxCough, "cough.wheeze")
			return
		}
		var reasons []string
		if fast == yes {
			reasons = append(reasons, fmt.Sprintf("respiratory_rate %d >= %d (age %s)", *rr, limit, band))
		}
		if ci == yes {
			reasons = append(reasons, "chest_indrawing")
		}
		e.classify("PNEUMONIA", reasons...)
		if ci == yes && e.in.HIV == nil {
			e.warn("HIV_STATUS_NOT_RECORDED")
		}
	default:
		e.classify("COUGH_OR_COLD", "no danger sign, stridor, chest indrawing or fast breathing")
	}
}

func coughReasons(ds bool, stridor tri) []string {
	var r []string
	if ds {
		r = append(r, "general danger sign")
	}
	if stridor == yes {
		r = append(r, "stridor_when_calm")
	}
	return r
}
