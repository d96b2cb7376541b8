package imci

import "slices"

// nutritionState keeps the anthropometry for the Plan C guard and RUTF rules.
type nutritionState struct {
	samRange, oedema bool
}

// nutrition classifies acute malnutrition (spec §6.6); it runs last because danger
// signs, severe classifications and chest indrawing are its medical complications.
func (e *eval) nutrition() {
	n := e.in.Nutrition
	if n == nil {
		e.incomplete(BoxNutrition, "nutrition")
		return
	}
	m6 := e.ageAtLeast(6)
	sam, mam, reasons := e.anthropometry(n, m6)
	e.ns = nutritionState{samRange: sam == yes, oedema: isTrue(n.OedemaBothFeet)}
	if sam == yes && e.in.HIV == nil {
		e.warn("HIV_STATUS_NOT_RECORDED")
	}
	compl := triB(e.anyDS || e.severeOther(false)).or(e.cs.chestIndrawing.and(e.coughPresent()))
	extra, extraPath := triB(n.AppetiteTest == "failed"), "nutrition.appetite_test"
	if n.AppetiteTest == "" || n.AppetiteTest == "not_done" {
		extra = unknown
	}
	if !m6 {
		extra, extraPath = triOf(n.BreastfeedingProblem), "nutrition.breastfeeding_problem"
	}
	oedema := triOf(n.OedemaBothFeet)
	missing := func() []string {
		var out []string
		if oedema == unknown {
			out = append(out, "nutrition.oedema_both_feet")
		}
		if sam == unknown {
			out = append(out, anthropometryPaths(m6)...)
		}
		if sam != no && compl == unknown {
			out = append(out, "cough.chest_indrawing")
		}
		if sam != no && compl != yes && extra == unknown {
			out = append(out, extraPath)
		}
		return out
	}
	switch oedema.or(sam.and(compl.or(extra))) {
	case yes:
		if oedema == yes {
			reasons = append(reasons, "oedema_both_feet")
		}
		e.classify("COMPLICATED_SEVERE_ACUTE_MALNUTRITION", reasons...)
		return
	case unknown:
		e.incomplete(BoxNutrition, missing()...)
		return
	}
	switch sam.and(compl.not()).and(extra.not()) {
	case yes:
		e.classify("UNCOMPLICATED_SEVERE_ACUTE_MALNUTRITION", reasons...)
		return
	case unknown:
		e.incomplete(BoxNutrition, missing()...)
		return
	}
	switch mam {
	case yes:
		e.classify("MODERATE_ACUTE_MALNUTRITION", reasons...)
	case unknown:
		e.incomplete(BoxNutrition, missing()...)
	default:
		e.classify("NO_ACUTE_MALNUTRITION", "no oedema and no SAM- or MAM-range anthropometry")
	}
}

// anthropometry returns whether the child is in the SAM or MAM range; the worse of
// WFH z and MUAC decides, and MUAC counts only from 6 months.
func (e *eval) anthropometry(n *Nutrition, m6 bool) (sam, mam tri, reasons []string) {
	have, samB, mamB := false, false, false
	if z := n.WFHz; z != nil {
		have = true
		switch {
		case *z < -3:
			samB, reasons = true, append(reasons, "wfh_z "+fmtNum(*z)+" < -3")
		case *z < -2:
			mamB, reasons = true, append(reasons, "wfh_z "+fmtNum(*z)+" < -2")
		}
	}
	if mu := n.MUACmm; mu != nil && m6 {
		have = true
		switch {
		case *mu < 115:
			samB, reasons = true, append(reasons, "muac_mm "+fmtNum(*mu)+" < 115")
		case *mu < 125:
			mamB, reasons = true, append(reasons, "muac_mm "+fmtNum(*mu)+" < 125")
		}
	}
	if !have {
		return unknown, unknown, nil
	}
	return triB(samB), triB(mamB && !samB), reasons
}

func anthropometryPaths(m6 bool) []string {
	if m6 {
		return []string{"nutrition.muac_mm", "nutrition.wfh_z"}
	}
	return []string{"nutrition.wfh_z"}
}

func (e *eval) coughPresent() tri {
	if e.in.Cough == nil {
		return no
	}
	return triOf(e.in.Cough.Present)
}

// severeOther reports any classification of the severe list (§9.1) other than those
// excluded. planC applies the danger_sign_only_blocks_plan_c setting.
func (e *eval) severeOther(planC bool, exclude ...string) bool {
	for _, c := range e.res.Classifications {
		if !slices.Contains(severeList, c.Code) || slices.Contains(exclude, c.Code) {
			continue
		}
		if planC && c.Code == "VERY_SEVERE_DISEASE" && !e.yi && !e.p.Rules.DangerSignOnlyBlocksPlanC {
			continue
		}
		return true
	}
	return false
}
