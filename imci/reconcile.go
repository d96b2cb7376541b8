package imci

import (
	"slices"
	"sort"
)

// keepBeforeReferral are the treatments of non-pink rows still given before an
// urgent referral (§9.3); everything else waits.
var keepBeforeReferral = []string{
	"ORS_SIPS_ON_WAY", "CONTINUE_BREASTFEEDING", "PARACETAMOL", "VITAMIN_A_TREATMENT",
	"TETRACYCLINE_EYE_OINTMENT", "PREVENT_LOW_BLOOD_SUGAR", "AMOXICILLIN_FIRST_DOSE",
}

// nonUrgentReferralCodes are classifications or treatments that refer without urgency.
var nonUrgentReferralCodes = []string{
	"SEVERE_PERSISTENT_DIARRHOEA", "YI_PERSISTENT_DIARRHOEA", "REFER_TB_ASTHMA_ASSESSMENT",
	"REFER_FOR_ASSESSMENT_PROLONGED_FEVER", "REFER_JAUNDICE_ASSESSMENT", "AMOXICILLIN_FIRST_DOSE",
}

// reconcile decides the referral (§9.1–9.2) and splits pre-referral from deferred
// treatments (§9.3).
func (e *eval) reconcile() {
	urgent := e.urgentReasons()
	e.res.UrgentReferral = len(urgent) > 0
	switch {
	case e.res.UrgentReferral:
		e.res.Referral, e.res.ReferralReasons = "URGENT", urgent
	default:
		e.res.ReferralReasons = e.nonUrgentReasons()
		e.res.Referral = "NONE"
		if len(e.res.ReferralReasons) > 0 {
			e.res.Referral = "NON_URGENT"
		}
	}
	if !e.res.UrgentReferral {
		e.res.Treatments = make([]Treatment, 0, len(e.tx))
	}
	for _, it := range e.tx {
		t := it.t
		if !e.res.UrgentReferral {
			e.res.Treatments = append(e.res.Treatments, t)
			continue
		}
		pink := e.forPink(t.For)
		if !pink && !slices.Contains(keepBeforeReferral, t.Code) {
			e.res.DeferredTreatments = append(e.res.DeferredTreatments, t)
			continue
		}
		if !pink && (t.Code == "PARACETAMOL" || t.Code == "VITAMIN_A_TREATMENT") {
			// Only the first dose is given before the child leaves.
			t = e.build(t.Code, txOpt{key: it.opt.key, single: true})
			t.For = it.t.For
		}
		t.Timing = TimingPreReferral
		e.res.Treatments = append(e.res.Treatments, t)
	}
}

// urgentReasons lists why the child must be referred urgently, if at all.
func (e *eval) urgentReasons() []string {
	out := []string{}
	dehydrationRefer := e.severeOther(true, "SEVERE_DEHYDRATION", "SEVERE_PERSISTENT_DIARRHOEA", "YI_PERSISTENT_DIARRHOEA") ||
		(e.has("SEVERE_DEHYDRATION") && (e.ns.samRange || e.ns.oedema))
	for _, c := range e.res.Classifications {
		switch {
		case slices.Contains(urgentClasses, c.Code):
			out = append(out, c.Code)
		case (c.Code == "SEVERE_DEHYDRATION" || c.Code == "SOME_DEHYDRATION") && dehydrationRefer:
			out = append(out, c.Code)
		case c.Code == "PNEUMONIA" && e.hivCIRef && e.p.Rules.HIVChestIndrawingReferral == "URGENT":
			out = append(out, c.Code)
		}
	}
	if e.o2Low {
		out = append(out, "LOW_OXYGEN_SATURATION")
	}
	return out
}

func (e *eval) nonUrgentReasons() []string {
	out := []string{}
	for _, c := range e.res.Classifications {
		if slices.Contains(nonUrgentReferralCodes, c.Code) {
			out = append(out, c.Code)
		}
	}
	for _, it := range e.tx {
		if slices.Contains(nonUrgentReferralCodes, it.t.Code) && !slices.Contains(out, it.t.Code) {
			out = append(out, it.t.Code)
		}
	}
	return out
}

// forPink reports whether any classification a treatment is for is pink.
func (e *eval) forPink(codes []string) bool {
	for _, c := range e.res.Classifications {
		if c.Colour == Pink && slices.Contains(codes, c.Code) {
			return true
		}
	}
	return false
}

// preventive fills vitamin A, deworming and vaccines due (§6.9); only when the
// preventive block was given, except vaccines which need only the age.
func (e *eval) preventive() {
	p := e.in.Preventive
	if p == nil {
		return
	}
	r := e.p.Rules
	if !e.yi && e.ageAtLeast(6) && !e.onRUTF() && !e.hasTx("VITAMIN_A_TREATMENT") &&
		(p.MonthsSinceLastVitaminA == nil || *p.MonthsSinceLastVitaminA >= r.VitaminAIntervalMonths) {
		e.res.Preventive.VitaminADue = true
		e.give("VITAMIN_A_SUPPLEMENT", "", txOpt{})
	}
	if !e.yi && e.ageAtLeast(12) && e.dewormingDue() {
		e.res.Preventive.DewormingDue = true
		e.give(e.dewormingCode(), "", txOpt{})
	}
	for _, v := range e.p.VaccineSchedule {
		if e.days >= v.AgeDays && (v.MaxAgeDays == nil || e.days <= *v.MaxAgeDays) &&
			!slices.Contains(p.VaccinesReceived, v.Code) {
			e.res.Preventive.VaccinesDue = append(e.res.Preventive.VaccinesDue, v.Code)
		}
	}
}

func (e *eval) hasTx(code string) bool {
	for _, it := range e.tx {
		if it.t.Code == code {
			return true
		}
	}
	return false
}

// finish sets follow-up (§10) and the feeding-assessment flag, and orders lists.
func (e *eval) finish() {
	if e.res.UrgentReferral {
		e.res.FollowUp = []FollowUp{}
	}
	for _, f := range e.res.FollowUp {
		if !e.res.FollowUpDays.OK || f.Days < e.res.FollowUpDays.V {
			e.res.FollowUpDays = someI(f.Days)
		}
	}
	if e.yi {
		e.res.FeedingAssessmentRequired = !e.res.UrgentReferral
	} else {
		e.res.FeedingAssessmentRequired = !e.ageAtLeast(24) || e.has("MODERATE_ACUTE_MALNUTRITION") ||
			(e.p.Rules.AnaemiaTriggersFeedingAssessment && e.has("ANAEMIA"))
	}
	sort.Strings(e.res.Warnings)
	for i := range e.res.Incomplete {
		sort.Strings(e.res.Incomplete[i].Missing)
	}
}
