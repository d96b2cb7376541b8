package imci

import "slices"

// enumTri is yes when s is one of vals, unknown when s was not given, else no.
func enumTri(s string, vals ...string) tri {
	if s == "" {
		return unknown
	}
	return triB(slices.Contains(vals, s))
}

// diarrhoea classifies the child's diarrhoea (spec §6.3): dehydration, persistent
// diarrhoea and dysentery are independent sub-tables.
func (e *eval) diarrhoea() {
	d := e.in.Diarrhoea
	if d == nil {
		e.incomplete(BoxDiarrhoea, "diarrhoea")
		return
	}
	if !isTrue(d.Present) {
		return
	}
	ds := e.in.DangerSigns
	lethargic := triOf(ds.LethargicOrUnconscious)
	sunken := triOf(d.SunkenEyes)
	notDrink := enumTri(d.Drinking, "not_able_or_drinks_poorly")
	if isTrue(ds.NotAbleToDrinkOrBreastfeed) {
		notDrink = yes // the danger sign already answers the drinking question
	}
	pinch := "diarrhoea.skin_pinch"
	// Each severe-list sign also counts as its some-list sign (§6.3 counting convention).
	severe := atLeastTwo(lethargic, sunken, notDrink, enumTri(d.SkinPinch, "very_slowly"))
	some := atLeastTwo(lethargic.or(triOf(d.RestlessIrritable)), sunken,
		notDrink.or(enumTri(d.Drinking, "drinks_eagerly_thirsty")), enumTri(d.SkinPinch, "slowly", "very_slowly"))
	dehydration := e.dehydration(BoxDiarrhoea, severe, some,
		field{"diarrhoea.restless_irritable", triOf(d.RestlessIrritable).or(lethargic)},
		field{"diarrhoea.sunken_eyes", sunken}, field{"diarrhoea.drinking", notDrink.or(enumTri(d.Drinking, "drinks_eagerly_thirsty"))},
		field{pinch, enumTri(d.SkinPinch, "slowly", "very_slowly")})
	e.persistent(d, dehydration)
	switch triOf(d.BloodInStool) {
	case yes:
		e.classify("DYSENTERY", "blood_in_stool")
	case unknown:
		e.incomplete(BoxDiarrhoea, "diarrhoea.blood_in_stool")
	}
}

// dehydration applies rows D1–D3 (both ages) and returns the code chosen, "" if unknown.
func (e *eval) dehydration(box string, severe, some tri, signs ...field) string {
	switch {
	case severe == yes:
		e.classify("SEVERE_DEHYDRATION", "two or more signs of severe dehydration")
		return "SEVERE_DEHYDRATION"
	case severe == unknown, some == unknown:
		e.incomplete(box, unknownPaths(signs...)...)
		return ""
	case some == yes:
		e.classify("SOME_DEHYDRATION", "two or more signs of some dehydration")
		return "SOME_DEHYDRATION"
	}
	e.classify("NO_DEHYDRATION", "not enough signs to classify as some or severe dehydration")
	return "NO_DEHYDRATION"
}

// persistent applies rows P1/P2: 14 days or more (day 14 is persistent, day 13 not).
func (e *eval) persistent(d *Diarrhoea, dehydration string) {
	if d.DurationDays == nil {
		e.incomplete(BoxDiarrhoea, "diarrhoea.duration_days")
		return
	}
	if *d.DurationDays < 14 || dehydration == "" {
		return // an unknown dehydration row is already reported incomplete
	}
	if dehydration == "NO_DEHYDRATION" {
		e.classify("PERSISTENT_DIARRHOEA", "diarrhoea for 14 days or more, no dehydration")
	} else {
		e.classify("SEVERE_PERSISTENT_DIARRHOEA", "diarrhoea for 14 days or more with dehydration")
	}
}
