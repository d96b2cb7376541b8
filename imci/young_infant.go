package imci

import (
	"fmt"
	"slices"
)

// yiFeedingState keeps the young infant's feeding findings for treatment and follow-up.
type yiFeedingState struct {
	lowWeight, thrush, otherProblem bool
}

// youngInfant classifies an infant aged 0–59 days (spec §7).
func (e *eval) youngInfant() {
	y := e.in.YoungInfant
	e.yiInfection(y)
	e.yiJaundice(y)
	e.yiDiarrhoea(y)
	e.hiv(BoxHIV)
	e.yiFeeding(y)
}

func (e *eval) edition2019() bool { return e.set.edition == "WHO_2019" }

// yiInfection applies §7.1 (and the 2019 differences of §7.6).
func (e *eval) yiInfection(y *YoungInfant) {
	rr := *y.RespiratoryRate
	if y.RespiratoryRateRepeat != nil {
		rr = *y.RespiratoryRateRepeat // the repeat count decides when given
	}
	fast := rr >= 60
	feverAt := 37.5
	if e.edition2019() {
		feverAt = 38.0
	}
	var reasons []string
	add := func(cond bool, r string) {
		if cond {
			reasons = append(reasons, r)
		}
	}
	add(isTrue(y.NotFeedingWell), "not_feeding_well")
	add(isTrue(y.Convulsions), "convulsions")
	add(isTrue(y.SevereChestIndrawing), "severe_chest_indrawing")
	add(e.temp >= feverAt, fmt.Sprintf("temperature %s >= %s", fmtNum(e.temp), fmtNum(feverAt)))
	add(e.temp < 35.5, fmt.Sprintf("temperature %s < 35.5", fmtNum(e.temp)))
	add(y.Movement != "normal", "movement "+y.Movement)
	fastPink := fast && (!e.edition2019() || e.days < 7)
	add(fastPink, fmt.Sprintf("respiratory_rate %d >= 60", rr))
	switch {
	case len(reasons) > 0:
		if e.edition2019() {
			e.classify("POSSIBLE_SERIOUS_BACTERIAL_INFECTION_OR_VERY_SEVERE_DISEASE", reasons...)
		} else {
			e.classify("VERY_SEVERE_DISEASE", reasons...)
		}
	case fast:
		e.classify("PNEUMONIA", fmt.Sprintf("respiratory_rate %d >= 60 at 7-59 days", rr))
	case isTrue(y.UmbilicusRedOrDrainingPus) || isTrue(y.SkinPustules):
		e.classify("LOCAL_BACTERIAL_INFECTION", "umbilicus red or draining pus, or skin pustules")
	case e.edition2019():
		e.classify("INFECTION_UNLIKELY", "no sign of bacterial infection")
	default:
		e.classify("SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY", "no sign of bacterial infection")
	}
}

// yiJaundice applies §7.2; jaundice is always checked.
func (e *eval) yiJaundice(y *YoungInfant) {
	j, palms := triOf(y.Jaundice), triOf(y.YellowPalmsAndSoles)
	switch {
	case palms == yes:
		e.classify("SEVERE_JAUNDICE", "yellow_palms_and_soles")
	case j == yes && e.days == 0:
		e.classify("SEVERE_JAUNDICE", "jaundice in the first 24 hours of life")
	case j == unknown:
		e.incomplete(BoxJaundice, "young_infant.jaundice")
	case j == no:
		// Palms are not blocking without jaundice (§7.2).
		e.classify("NO_JAUNDICE", "no jaundice")
	case palms == unknown:
		e.incomplete(BoxJaundice, "young_infant.yellow_palms_and_soles")
	default:
		e.classify("JAUNDICE", "jaundice, palms and soles not yellow")
	}
}

// yiDiarrhoea applies §7.3, with the protocol's rows for blood and persistence.
func (e *eval) yiDiarrhoea(y *YoungInfant) {
	d := y.Diarrhoea
	if d == nil || !isTrue(d.Present) {
		return
	}
	abnormal := triB(y.Movement != "normal")
	sunken := triOf(d.SunkenEyes)
	severe := atLeastTwo(abnormal, sunken, enumTri(d.SkinPinch, "very_slowly"))
	some := atLeastTwo(abnormal.or(triOf(d.RestlessIrritable)), sunken, enumTri(d.SkinPinch, "slowly", "very_slowly"))
	e.dehydration(BoxDiarrhoea, severe, some,
		field{"young_infant.diarrhoea.restless_irritable", abnormal.or(triOf(d.RestlessIrritable))},
		field{"young_infant.diarrhoea.sunken_eyes", sunken},
		field{"young_infant.diarrhoea.skin_pinch", enumTri(d.SkinPinch, "slowly", "very_slowly")})
	if e.p.Rules.YIPersistentDiarrhoeaRow {
		switch intCmp(d.DurationDays, func(v int) bool { return v >= 14 }) {
		case yes:
			e.classify("YI_PERSISTENT_DIARRHOEA", "diarrhoea for 14 days or more in a young infant")
		case unknown:
			e.incomplete(BoxDiarrhoea, "young_infant.diarrhoea.duration_days")
		}
	}
	if e.p.Rules.YIBloodInStoolRow {
		switch triOf(d.BloodInStool) {
		case yes:
			e.classify("YI_BLOOD_IN_STOOL", "blood in the stool of a young infant")
		case unknown:
			e.incomplete(BoxDiarrhoea, "young_infant.diarrhoea.blood_in_stool")
		}
	}
}

// yiFeeding applies §7.4. When the infant is referred urgently the breastfeeding
// observation is skipped, so its signs do not block.
func (e *eval) yiFeeding(y *YoungInfant) {
	f := y.Feeding
	if f == nil {
		return
	}
	urgent := false
	for _, c := range e.res.Classifications {
		urgent = urgent || slices.Contains(urgentClasses, c.Code)
	}
	notBF := triOf(f.Breastfed).not()
	attach, suck := triOf(f.WellAttached).not(), triOf(f.SucklingEffectively).not()
	if urgent || notBF == yes {
		attach, suck = orNo(attach), orNo(suck)
	}
	few := intCmp(f.BreastfeedsPer24h, func(v int) bool { return v < 8 })
	if notBF == yes {
		few = orNo(few)
	}
	low := triOf(f.LowWeightForAge)
	if f.LowWeightForAge == nil && f.WAZ != nil {
		low = triB(*f.WAZ < -2)
	}
	other, thrush := triOf(f.ReceivesOtherFoodsOrDrinks), triOf(f.Thrush)
	e.yf = yiFeedingState{lowWeight: low == yes, thrush: thrush == yes,
		otherProblem: anyOf(attach, suck, few, other, notBF) == yes}
	switch anyOf(attach, suck, few, other, low, thrush, notBF) {
	case yes:
		e.classify("FEEDING_PROBLEM_OR_LOW_WEIGHT", "feeding problem or low weight for age")
	case unknown:
		p := "young_infant.feeding."
		e.incomplete(BoxYIFeeding, unknownPaths(field{p + "well_attached", attach}, field{p + "suckling_effectively", suck},
			field{p + "breastfeeds_per_24h", few}, field{p + "receives_other_foods_or_drinks", other},
			field{p + "low_weight_for_age", low}, field{p + "thrush", thrush})...)
	default:
		e.classify("NO_FEEDING_PROBLEM", "no feeding problem and weight not low for age")
	}
}

// orNo turns unknown into no, for signs that do not apply.
func orNo(t tri) tri {
	if t == unknown {
		return no
	}
	return t
}
