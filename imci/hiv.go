package imci

// hiv classifies HIV status for both age groups (spec §6.8, §7.5).
func (e *eval) hiv(box string) {
	h := e.in.HIV
	if h == nil {
		return
	}
	viroPos := h.ChildVirologicalTest == "positive"
	seroPos := h.ChildSerologicalTest == "positive"
	m18 := !e.yi && e.ageAtLeast(18)
	switch {
	case viroPos || (seroPos && m18):
		e.classify("CONFIRMED_HIV_INFECTION", "positive virological test, or positive serological test at 18 months or more")
		return
	case seroPos:
		e.classify("HIV_EXPOSED", "positive serological test under 18 months")
		return
	}
	// A negative test is conclusive only when the child was not breastfed in the
	// 6 weeks before it.
	conclusive := no
	if h.ChildVirologicalTest == "negative" || h.ChildSerologicalTest == "negative" {
		conclusive = triOf(h.BreastfedWithin6WeeksBeforeTest).not()
	}
	bfPath := "hiv.breastfed_within_6_weeks_before_test"
	switch {
	case h.MotherStatus == "positive":
		switch conclusive {
		case no:
			e.classify("HIV_EXPOSED", "mother HIV-positive and no conclusive negative test")
		case yes:
			e.classify("HIV_INFECTION_UNLIKELY", "conclusive negative test")
		default:
			e.incomplete(box, bfPath)
		}
	case h.MotherStatus == "negative":
		e.classify("HIV_INFECTION_UNLIKELY", "mother HIV-negative")
	default:
		switch conclusive {
		case yes:
			e.classify("HIV_INFECTION_UNLIKELY", "conclusive negative test")
		case unknown:
			e.incomplete(box, bfPath)
		default:
			e.hivUnknown = true
			e.warn("HIV_STATUS_UNKNOWN")
		}
	}
}
