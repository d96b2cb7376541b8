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
