package imci

// ear classifies an ear problem (spec §6.5). Ear pain with discharge for 14 days or
// more gives both the acute and the chronic row, so the chronic treatment is kept.
func (e *eval) ear() {
	r := e.in.Ear
	if r == nil {
		e.incomplete(BoxEar, "ear")
		return
	}
	if !isTrue(r.Present) {
		return
	}
	switch triOf(r.TenderSwellingBehindEar) {
	case yes:
		e.classify("MASTOIDITIS", "tender_swelling_behind_ear")
		return
	case unknown:
		e.incomplete(BoxEar, "ear.tender_swelling_behind_ear")
		return
	}
	pain, pus := triOf(r.EarPain), triOf(r.PusSeenDraining)
	short := intCmp(r.DischargeDurationDays, func(d int) bool { return d < 14 })
	chronic := pus.and(short.not())
	missing := unknownPaths(field{"ear.ear_pain", pain}, field{"ear.pus_seen_draining", pus})
	if pus == yes && r.DischargeDurationDays == nil {
		missing = append(missing, "ear.discharge_duration_days")
	}
	switch pain.or(pus.and(short)) {
	case yes:
		e.classify("ACUTE_EAR_INFECTION", earReasons(pain, pus, short)...)
		if chronic == yes {
			e.classify("CHRONIC_EAR_INFECTION", "pus seen draining for 14 days or more")
		} else if chronic == unknown {
			e.incomplete(BoxEar, missing...)
		}
	case unknown:
		e.incomplete(BoxEar, missing...)
	default:
		switch chronic {
		case yes:
			e.classify("CHRONIC_EAR_INFECTION", "pus seen draining for 14 days or more")
		case unknown:
			e.incomplete(BoxEar, missing...)
		default:
			e.classify("NO_EAR_INFECTION", "no ear pain and no pus seen draining")
		}
	}
}

func earReasons(pain, pus, short tri) []string {
	var r []string
	if pain == yes {
		r = append(r, "ear_pain")
	}
	if pus == yes && short == yes {
		r = append(r, "pus seen draining for less than 14 days")
	}
	return r
}
