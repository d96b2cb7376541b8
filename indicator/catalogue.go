package indicator

import "strings"

var byID = map[string]*Indicator{}

func goal(x float64) *float64 { return &x }

// imciQuality are the IMCI-quality indicators of spec/indicators.md. Each exists for
// children 2–59 months (imci.*) and young infants 0–59 days (yi.*); an observation
// counts in the family of its age group.
var imciQuality = []struct {
	suffix, en, fr, rw string
	num, den           string
	kind               string
	higherBetter       bool
	goal               *float64
}{
	{"trained_provider", "Seen by an IMCI-trained provider", "Vu par un prestataire formé en PCIME", "Yavuwe n'umukozi watojwe IMCI",
		"seen by a worker whose IMCI training date is on or before the observation", "observations", Proportion, true, goal(0.9)},
	{"recording_form_used", "Case recording form used", "Fiche de prise en charge utilisée", "Ifishi y'umurwayi yakoreshejwe",
		"case recording form used", "observations", Proportion, true, goal(0.9)},
	{"danger_signs_all", "All danger signs checked", "Tous les signes de danger vérifiés", "Ibimenyetso byose by'akaga byarebwe",
		"all four general danger signs checked", "observations", Proportion, true, goal(0.9)},
	{"main_symptoms_all", "All main symptoms asked", "Tous les symptômes principaux demandés", "Ibimenyetso by'ingenzi byose byabajijwe",
		"all four main symptoms asked", "observations", Proportion, true, goal(0.9)},
	{"breaths_counted", "Breaths counted for one minute", "Respirations comptées pendant une minute", "Guhumeka kwabazwe umunota wose",
		"breaths counted for one minute", "observations with cough or difficult breathing", Proportion, true, goal(0.9)},
	{"dehydration_assessed", "Dehydration fully assessed", "Déshydratation bien évaluée", "Gutakaza amazi byasuzumwe neza",
		"all dehydration tasks done", "observations with diarrhoea", Proportion, true, goal(0.9)},
	{"malaria_tested", "Malaria test done when needed", "Test du paludisme fait si nécessaire", "Gupima malariya byakozwe bikenewe",
		"malaria test done", "observations with fever where a test is required", Proportion, true, goal(0.9)},
	{"weighed", "Child weighed", "Enfant pesé", "Umwana yapimwe ibiro",
		"child weighed", "observations", Proportion, true, goal(0.9)},
	{"growth_chart_used", "Weight plotted on the growth chart", "Poids reporté sur la courbe de croissance", "Ibiro byashyizwe ku ifishi y'imikurire",
		"weight plotted on the growth chart", "observations", Proportion, true, goal(0.8)},
	{"muac_measured", "MUAC measured", "PB mesuré", "Umuzenguruko w'ukuboko wapimwe",
		"MUAC measured", "observations of children 6–59 months", Proportion, true, goal(0.9)},
	{"pallor_checked", "Palmar pallor checked", "Pâleur palmaire vérifiée", "Ibara ry'ibiganza ryarebwe",
		"palmar pallor checked", "observations", Proportion, true, goal(0.9)},
	{"immunization_checked", "Immunization card checked", "Carte de vaccination vérifiée", "Ikarita y'inkingo yarebwe",
		"immunization card checked", "observations", Proportion, true, goal(0.9)},
	{"assessment_index", "Assessment index (mean)", "Indice d'évaluation (moyenne)", "Igipimo cy'isuzuma (impuzandengo)",
		"sum of assessment indices", "observations", Mean, true, goal(0.9)},
	{"correct_classification", "Correct classification", "Classification correcte", "Gushyira mu cyiciro neza",
		"classification correct", "observations", Proportion, true, goal(0.9)},
	{"correct_treatment", "Correct treatment", "Traitement correct", "Kuvura neza",
		"treatment correct", "observations", Proportion, true, goal(0.9)},
	{"antibiotic_not_indicated", "Antibiotic given without indication", "Antibiotique donné sans indication", "Antibiyotike yatanzwe idakenewe",
		"antibiotic given with no classification that calls for one", "observations with no such classification", Proportion, false, goal(0.1)},
	{"correct_dose", "Correct dose of every drug", "Dose correcte de chaque médicament", "Doze nyayo ya buri muti",
		"every drug given at a correct dose", "observations where any drug was given", Proportion, true, goal(0.9)},
	{"referred_when_needed", "Referred urgently when needed", "Référé d'urgence si nécessaire", "Yoherejwe byihutirwa bikenewe",
		"referred urgently", "observations with a pink classification expected", Proportion, true, goal(0.95)},
	{"return_advice", "Told when to return at once", "Conseillé quand revenir immédiatement", "Yabwiwe igihe agomba kugaruka vuba",
		"advised when to return immediately", "observations", Proportion, true, goal(0.9)},
	{"follow_up_correct", "Follow-up day correct", "Jour de suivi correct", "Umunsi wo kugaruka ni wo",
		"follow-up correct", "observations whose expected result needs follow-up", Proportion, true, goal(0.9)},
	{"correctly_managed", "Correctly managed (all parts)", "Prise en charge entièrement correcte", "Yakurikiranywe neza muri byose",
		"correctly managed (all domains)", "observations", Proportion, true, goal(0.8)},
}

// The young-infant family has no danger-sign, main-symptom, MUAC, malaria or pallor
// indicators (those tasks do not apply under two months) and one of its own:
// yi.breastfeed_observed.
var notForYoungInfants = map[string]bool{"danger_signs_all": true, "main_symptoms_all": true, "muac_measured": true, "malaria_tested": true, "pallor_checked": true}

func init() {
	for _, q := range imciQuality {
		register(&Indicator{ID: "imci." + q.suffix, Names: map[string]string{"en": q.en, "fr": q.fr, "rw": q.rw},
			Kind: q.kind, Numerator: q.num, Denominator: q.den, HigherBetter: q.higherBetter, Goal: q.goal, Source: "observations"})
		if !notForYoungInfants[q.suffix] {
			register(&Indicator{ID: "yi." + q.suffix, Names: map[string]string{"en": q.en + " (young infant)", "fr": q.fr + " (nourrisson)", "rw": q.rw + " (uruhinja)"},
				Kind: q.kind, Numerator: q.num, Denominator: strings.Replace(q.den, "observations", "young-infant observations", 1),
				HigherBetter: q.higherBetter, Goal: q.goal, Source: "observations"})
		}
	}
}

func init() {
	register(&Indicator{ID: "yi.breastfeed_observed", Names: map[string]string{"en": "Breastfeed observed (young infant)",
		"fr": "Tétée observée (nourrisson)", "rw": "Konsa byarebwe (uruhinja)"}, Kind: Proportion,
		Numerator: "breastfeed observed", Denominator: "young-infant observations where it is required", HigherBetter: true, Goal: goal(0.9), Source: "observations"})
}

func register(ind *Indicator) { byID[ind.ID] = ind }

// tracerCommodities are the default IMCI tracer items of spec/indicators.md, each with
// a sys.stockout_days.{code} series. The codes match readiness.DefaultChecklist (a
// test there keeps the two in step).
var tracerCommodities = []struct{ code, en, fr, rw string }{
	{"amoxicillin_dt", "amoxicillin DT", "amoxicilline CD", "amogisiline"},
	{"ors", "ORS", "SRO", "ORS"},
	{"zinc", "zinc", "zinc", "zinc"},
	{"artemether_lumefantrine", "artemether-lumefantrine", "artéméther-luméfantrine", "Coartem"},
	{"malaria_rdt", "malaria RDTs", "TDR paludisme", "ibipimo bya malariya"},
	{"paracetamol", "paracetamol", "paracétamol", "parasetamolo"},
	{"vitamin_a", "vitamin A", "vitamine A", "vitamini A"},
	{"deworming", "mebendazole/albendazole", "mébendazole/albendazole", "mebendazole/albendazole"},
	{"iron", "iron", "fer", "ubutare"},
	{"ciprofloxacin", "ciprofloxacin", "ciprofloxacine", "siprofulogisasine"},
	{"ampicillin_gentamicin_inj", "injectable ampicillin and gentamicin", "ampicilline et gentamicine inj.", "ampisiline na jentamisine"},
	{"artesunate", "artesunate", "artésunate", "artesunate"},
	{"tetracycline_eye", "tetracycline eye ointment", "pommade tétracycline", "umuti w'amaso wa tetrasikline"},
	{"rutf", "RUTF", "ATPE", "RUTF"},
}

// Facility systems, mentoring and QI (spec/indicators.md). Source says where counts
// come from; "stock_log", "issues" and "qi_projects" are computed when asked (they
// depend on the day asked), the others are kept in indicator_counts on write.
func init() {
	names := func(en, fr, rw string) map[string]string { return map[string]string{"en": en, "fr": fr, "rw": rw} }
	register(&Indicator{ID: "sys.tracer_availability", Names: names("Tracer commodities in stock", "Produits traceurs disponibles", "Imiti y'ingenzi ihari"),
		Kind: Proportion, Numerator: "tracer items in stock at the check", Denominator: "tracer items checked", HigherBetter: true, Goal: goal(0.9), Source: "readiness"})
	register(&Indicator{ID: "sys.equipment_functional", Names: names("IMCI equipment functional", "Équipement PCIME fonctionnel", "Ibikoresho bya IMCI bikora"),
		Kind: Proportion, Numerator: "equipment items present and functional", Denominator: "required equipment items checked (scale, timer, thermometer, MUAC tape, growth charts, chart booklet, recording forms, ORS corner)",
		HigherBetter: true, Goal: goal(0.9), Source: "readiness"})
	register(&Indicator{ID: "sys.infrastructure", Names: names("Basic infrastructure present", "Infrastructure de base présente", "Ibikorwa remezo by'ibanze bihari"),
		Kind: Proportion, Numerator: "running water, electricity, consultation room with privacy present", Denominator: "infrastructure items checked", HigherBetter: true, Goal: goal(1), Source: "readiness"})
	register(&Indicator{ID: "sys.open_issues", Names: names("System issues open at month end", "Problèmes ouverts en fin de mois", "Ibibazo bitarakemuka mu mpera z'ukwezi"),
		Kind: Count, Numerator: "system issues unresolved at the end of the month (or today for the current month)", HigherBetter: false, Source: "issues"})
	for _, c := range tracerCommodities {
		register(&Indicator{ID: "sys.stockout_days." + c.code, Names: names("Stock-out days: "+c.en, "Jours de rupture : "+c.fr, "Iminsi byabuze: "+c.rw),
			Kind: Count, Numerator: "days in the month " + c.en + " was out of stock, from the stock-out log", HigherBetter: false, Source: "stock_log"})
	}
	register(&Indicator{ID: "mentoring.visits", Names: names("Mentoring visits", "Visites de mentorat", "Gusura kw'abajyanama"),
		Kind: Count, Numerator: "mentoring visits done at the facility in the month", HigherBetter: true, Source: "visits"})
	register(&Indicator{ID: "qi.pdsa_cycles", Names: names("PDSA cycles completed", "Cycles PDSA terminés", "Inzinguzingo za PDSA zarangiye"),
		Kind: Count, Numerator: "PDSA cycles ended with a result in the month", HigherBetter: true, Source: "qi"})
	register(&Indicator{ID: "qi.active_projects", Names: names("Active QI projects", "Projets AQ actifs", "Imishinga ya QI ikora"),
		Kind: Count, Numerator: "QI projects running during the month", HigherBetter: true, Source: "qi_projects"})
}

// ComputedOnRead reports whether ind is computed from its records when asked instead
// of kept in indicator_counts: stock-out days and open issues change every day with no
// write at all (an open stock-out gains a day at midnight), so counts kept on write
// would be stale by the next morning.
func ComputedOnRead(ind *Indicator) bool {
	return ind.Source == "stock_log" || ind.Source == "issues" || ind.Source == "qi_projects" || ind.Source == "voice" || ind.Source == "mentoring_read"
}
