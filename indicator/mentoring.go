package indicator

// Mentoring indicators that depend on the day they are asked (a facility falls off
// its cadence as days pass with no write at all) or on several record types at once;
// they are computed on read (Source "mentoring_read").
func init() {
	names := func(en, fr, rw string) map[string]string { return map[string]string{"en": en, "fr": fr, "rw": rw} }
	register(&Indicator{ID: "mentoring.on_cadence", Names: names("Facilities visited on cadence", "Établissements visités à temps", "Amavuriro yasuwe ku gihe"),
		Kind: Proportion, Numerator: "facilities whose last visit is within their cadence target at month end (today for the current month)",
		Denominator: "facilities with a mentor assigned", HigherBetter: true, Goal: goal(0.9), Source: "mentoring_read"})
	register(&Indicator{ID: "mentoring.visits_12m", Names: names("Visits in the last 12 months", "Visites sur 12 mois", "Gusura mu mezi 12 ashize"),
		Kind: Count, Numerator: "mentoring visits done in the 12 months ending at month end (MESH split facilities at 12)", HigherBetter: true, Source: "mentoring_read"})
	register(&Indicator{ID: "mentoring.observations_per_visit", Names: names("Case observations per visit", "Observations de cas par visite", "Abana barebwe kuri buri gusura"),
		Kind: Mean, Numerator: "case observations recorded in the month", Denominator: "visits done in the month", HigherBetter: true, Source: "mentoring_read"})
	register(&Indicator{ID: "sys.trained_staff", Names: names("IMCI-trained staff in post", "Personnel formé PCIME en poste", "Abakozi batojwe IMCI bari mu kazi"),
		Kind: Proportion, Numerator: "health workers in post at month end trained in IMCI on or before it", Denominator: "health workers in post at month end",
		HigherBetter: true, Goal: goal(0.8), Source: "mentoring_read"})
}
