package indicator

// The mentee's voice: each default feedback statement's mean rating (1–5) per month.
// They are computed when asked from the anonymous responses (Source "voice"), never
// kept in indicator_counts, because a month is shown only once it is over and only
// when enough answers fall in it (voice.IndicatorMonths). The keys match
// voice.DefaultItems; a test there keeps the two in step (voice imports this package,
// so this one cannot import it).
var voiceItems = []struct{ key, en, fr, rw string }{
	{"listened", "Mentees: the mentor listened", "Mentorés : le mentor a écouté", "Abajyanamwa: umujyanama yarumvise"},
	{"learned", "Mentees: learned something usable today", "Mentorés : appris quelque chose d'utile", "Abajyanamwa: bize ikintu cy'ingirakamaro"},
	{"helped_not_judged", "Mentees: feedback helped, not judged", "Mentorés : aidés, pas jugés", "Abajyanamwa: inama zarafashije aho guca urubanza"},
	{"fixed_problem", "Mentees: mentor helped fix a facility problem", "Mentorés : problème du centre résolu avec le mentor", "Abajyanamwa: umujyanama yafashije gukemura ikibazo"},
	{"can_ask", "Mentees: can ask questions between visits", "Mentorés : peuvent poser des questions entre les visites", "Abajyanamwa: bashobora kubaza hagati y'uruzinduko"},
}

func init() {
	for _, it := range voiceItems {
		register(&Indicator{ID: "voice." + it.key, Names: map[string]string{"en": it.en, "fr": it.fr, "rw": it.rw}, Kind: Mean,
			Numerator:   "sum of mentees' ratings (1–5) of the statement, in months that are over and hold at least the anonymity threshold of answers",
			Denominator: "anonymous answers rating the statement", HigherBetter: true, Goal: goal(4), Source: "voice"})
	}
}
