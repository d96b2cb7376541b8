package imci

import (
	"slices"
	"sort"
)

// Colours of IMCI classifications, most severe first.
const (
	Pink   = "PINK"
	Yellow = "YELLOW"
	Green  = "GREEN"
)

// Boxes of the chart, as reported in Classification.Box and IncompleteBox.Box.
const (
	BoxDangerSigns        = "DANGER_SIGNS"
	BoxCough              = "COUGH"
	BoxDiarrhoea          = "DIARRHOEA"
	BoxFever              = "FEVER"
	BoxMeasles            = "MEASLES"
	BoxEar                = "EAR"
	BoxNutrition          = "NUTRITION"
	BoxAnaemia            = "ANAEMIA"
	BoxHIV                = "HIV"
	BoxBacterialInfection = "BACTERIAL_INFECTION"
	BoxJaundice           = "JAUNDICE"
	BoxYIFeeding          = "FEEDING"
)

// classDef is one classification of the catalogue: its box and colour.
type classDef struct{ box, colour string }

// classes is the classification catalogue (spec §6–§7). VERY_SEVERE_DISEASE of a young
// infant is reported in BACTERIAL_INFECTION; ClassificationInfo gives the child's box.
var classes = map[string]classDef{
	"VERY_SEVERE_DISEASE":                     {BoxDangerSigns, Pink},
	"SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE": {BoxCough, Pink},
	"PNEUMONIA":                   {BoxCough, Yellow},
	"COUGH_OR_COLD":               {BoxCough, Green},
	"SEVERE_DEHYDRATION":          {BoxDiarrhoea, Pink},
	"SOME_DEHYDRATION":            {BoxDiarrhoea, Yellow},
	"NO_DEHYDRATION":              {BoxDiarrhoea, Green},
	"SEVERE_PERSISTENT_DIARRHOEA": {BoxDiarrhoea, Pink},
	"PERSISTENT_DIARRHOEA":        {BoxDiarrhoea, Yellow},
	"DYSENTERY":                   {BoxDiarrhoea, Yellow},
	"VERY_SEVERE_FEBRILE_DISEASE": {BoxFever, Pink},
	"MALARIA":                     {BoxFever, Yellow},
	"FEVER_NO_MALARIA":            {BoxFever, Green},
	"FEVER":                       {BoxFever, Green},
	"SEVERE_COMPLICATED_MEASLES":  {BoxMeasles, Pink},
	"MEASLES_WITH_EYE_OR_MOUTH_COMPLICATIONS": {BoxMeasles, Yellow},
	"MEASLES":                                 {BoxMeasles, Green},
	"MASTOIDITIS":                             {BoxEar, Pink},
	"ACUTE_EAR_INFECTION":                     {BoxEar, Yellow},
	"CHRONIC_EAR_INFECTION":                   {BoxEar, Yellow},
	"NO_EAR_INFECTION":                        {BoxEar, Green},
	"COMPLICATED_SEVERE_ACUTE_MALNUTRITION":   {BoxNutrition, Pink},
	"UNCOMPLICATED_SEVERE_ACUTE_MALNUTRITION": {BoxNutrition, Yellow},
	"MODERATE_ACUTE_MALNUTRITION":             {BoxNutrition, Yellow},
	"NO_ACUTE_MALNUTRITION":                   {BoxNutrition, Green},
	"SEVERE_ANAEMIA":                          {BoxAnaemia, Pink},
	"ANAEMIA":                                 {BoxAnaemia, Yellow},
	"NO_ANAEMIA":                              {BoxAnaemia, Green},
	"CONFIRMED_HIV_INFECTION":                 {BoxHIV, Yellow},
	"HIV_EXPOSED":                             {BoxHIV, Yellow},
	"HIV_INFECTION_UNLIKELY":                  {BoxHIV, Green},
	"POSSIBLE_SERIOUS_BACTERIAL_INFECTION_OR_VERY_SEVERE_DISEASE": {BoxBacterialInfection, Pink},
	"LOCAL_BACTERIAL_INFECTION":                                   {BoxBacterialInfection, Yellow},
	"SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY":                  {BoxBacterialInfection, Green},
	"INFECTION_UNLIKELY":                                          {BoxBacterialInfection, Green},
	"SEVERE_JAUNDICE":                                             {BoxJaundice, Pink},
	"JAUNDICE":                                                    {BoxJaundice, Yellow},
	"NO_JAUNDICE":                                                 {BoxJaundice, Green},
	"YI_BLOOD_IN_STOOL":                                           {BoxDiarrhoea, Pink},
	"YI_PERSISTENT_DIARRHOEA":                                     {BoxDiarrhoea, Pink},
	"FEEDING_PROBLEM_OR_LOW_WEIGHT":                               {BoxYIFeeding, Yellow},
	"NO_FEEDING_PROBLEM":                                          {BoxYIFeeding, Green},
}

// urgentClasses call for urgent referral by themselves (spec §9.1).
var urgentClasses = []string{
	"VERY_SEVERE_DISEASE", "SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", "VERY_SEVERE_FEBRILE_DISEASE",
	"SEVERE_COMPLICATED_MEASLES", "MASTOIDITIS", "COMPLICATED_SEVERE_ACUTE_MALNUTRITION",
	"SEVERE_ANAEMIA", "SEVERE_JAUNDICE", "POSSIBLE_SERIOUS_BACTERIAL_INFECTION_OR_VERY_SEVERE_DISEASE",
	"YI_BLOOD_IN_STOOL",
}

// severeList is the explicit "severe list" of §9.1, used instead of colours so that an
// unresolved colour cannot change the Plan C and complication rules.
var severeList = append(append([]string{}, urgentClasses...),
	"SEVERE_DEHYDRATION", "SEVERE_PERSISTENT_DIARRHOEA", "YI_PERSISTENT_DIARRHOEA")

// treatmentCodes is every treatment code the engine can emit (spec §8).
var treatmentCodes = []string{
	"AMOXICILLIN_ORAL", "AMOXICILLIN_FIRST_DOSE", "PARACETAMOL", "CIPROFLOXACIN",
	"ARTEMETHER_LUMEFANTRINE", "ZINC", "IRON", "MEBENDAZOLE", "ALBENDAZOLE",
	"VITAMIN_A_TREATMENT", "VITAMIN_A_SUPPLEMENT", "COTRIMOXAZOLE_PROPHYLAXIS", "SALBUTAMOL_INHALED",
	"MULTIVITAMINS_MINERALS", "QUINOLONE_EAR_DROPS", "TETRACYCLINE_EYE_OINTMENT",
	"GENTIAN_VIOLET_MOUTH_ULCERS", "ORS_PLAN_A", "ORS_PLAN_B", "PLAN_C_IV_FLUIDS", "ORS_SIPS_ON_WAY",
	"CONTINUE_BREASTFEEDING", "IM_AMPICILLIN", "IM_GENTAMICIN", "PREREFERRAL_ANTIMALARIAL",
	"DIAZEPAM_RECTAL", "PREVENT_LOW_BLOOD_SUGAR", "SOOTHE_THROAT_SAFE_REMEDY",
	"REFER_TB_ASTHMA_ASSESSMENT", "TREAT_DEHYDRATION_BEFORE_REFERRAL",
	"PERSISTENT_DIARRHOEA_FEEDING_ADVICE", "CHOLERA_ANTIBIOTIC", "REFER_FOR_ASSESSMENT_PROLONGED_FEVER",
	"TREAT_IDENTIFIED_BACTERIAL_CAUSE", "DRY_EAR_BY_WICKING", "RUTF", "COUNSEL_FEEDING", "ASSESS_TB",
	"KEEP_WARM", "KEEP_WARM_ON_WAY", "KEEP_WARM_AT_HOME", "REFER_OR_START_ART", "HIV_VIROLOGICAL_TEST",
	"HIV_TEST_OFFER", "HOME_CARE_YOUNG_INFANT", "TREAT_LOCAL_INFECTION_AT_HOME",
	"REFER_JAUNDICE_ASSESSMENT", "BREASTFEEDING_COUNSEL", "TREAT_THRUSH_AT_HOME",
}

// antimicrobials are the treatment codes the scorer treats as antibiotics or
// antimalarials (observation.md §3 "antibiotic not indicated").
var antimicrobials = []string{
	"AMOXICILLIN_ORAL", "AMOXICILLIN_FIRST_DOSE", "CIPROFLOXACIN", "ARTEMETHER_LUMEFANTRINE",
	"COTRIMOXAZOLE_PROPHYLAXIS", "QUINOLONE_EAR_DROPS", "TETRACYCLINE_EYE_OINTMENT", "IM_AMPICILLIN",
	"IM_GENTAMICIN", "PREREFERRAL_ANTIMALARIAL", "CHOLERA_ANTIBIOTIC",
}

// ClassificationInfo returns the box and colour (PINK, YELLOW, GREEN) of a
// classification code under the default protocol; ok is false for an unknown code.
func ClassificationInfo(code string) (box, colour string, ok bool) {
	d, ok := classes[code]
	return d.box, d.colour, ok
}

// ColourRank orders colours by severity: PINK 3, YELLOW 2, GREEN 1, anything else 0.
func ColourRank(colour string) int {
	switch colour {
	case Pink:
		return 3
	case Yellow:
		return 2
	case Green:
		return 1
	}
	return 0
}

// ClassificationCodes lists every classification code, sorted.
func ClassificationCodes() []string {
	out := make([]string, 0, len(classes))
	for c := range classes {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// TreatmentCodes lists every treatment code, sorted.
func TreatmentCodes() []string {
	out := append([]string(nil), treatmentCodes...)
	sort.Strings(out)
	return out
}

// IsAntimicrobial reports whether a treatment code is an antibiotic or antimalarial.
func IsAntimicrobial(code string) bool { return slices.Contains(antimicrobials, code) }

// IsUrgentClassification reports whether a classification by itself calls for urgent referral.
func IsUrgentClassification(code string) bool { return slices.Contains(urgentClasses, code) }

// Input vocabularies (spec §3.3).
var (
	enumMalariaRisk   = []string{"high", "low", "none"}
	enumHIVPrevalence = []string{"high", "low"}
	enumEdition       = []string{"WHO_2014", "WHO_2019"}
	enumDeworming     = []string{"mebendazole", "albendazole"}
	enumAntimalarial  = []string{"im_artesunate", "rectal_artesunate", "im_quinine"}
	enumSex           = []string{"female", "male"}
	enumTempSite      = []string{"axillary", "rectal"}
	enumDrinking      = []string{"not_able_or_drinks_poorly", "drinks_eagerly_thirsty", "drinks_normally"}
	enumSkinPinch     = []string{"very_slowly", "slowly", "immediately"}
	enumMalariaTest   = []string{"positive", "negative", "not_available", "not_done"}
	enumMouthUlcers   = []string{"none", "present", "deep_or_extensive"}
	enumAppetite      = []string{"passed", "failed", "not_done"}
	enumPallor        = []string{"severe", "some", "none"}
	enumMother        = []string{"positive", "negative", "unknown"}
	enumChildTest     = []string{"positive", "negative", "not_done"}
	enumMovement      = []string{"normal", "only_when_stimulated", "none"}
	enumVaccines      = []string{"BCG", "OPV0", "HEPB0", "OPV1", "OPV2", "OPV3", "IPV", "PENTA1", "PENTA2", "PENTA3", "PCV1", "PCV2", "PCV3", "ROTA1", "ROTA2", "ROTA3", "MEASLES1", "MEASLES2"}
)
