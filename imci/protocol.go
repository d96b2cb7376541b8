package imci

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

//go:embed protocols/who-2014.json
var defaultProtocolJSON []byte

// Protocol is a versioned set of the settings the spec leaves to national adaptation
// ([ADAPT], [UNSURE] and open questions): drug bands, durations, edition choices and
// the vaccine schedule. It is read-only once loaded and safe for concurrent use.
type Protocol struct {
	ID              string              `json:"id"`
	Version         string              `json:"version"`
	Ruleset         string              `json:"ruleset"`
	Description     string              `json:"description"`
	SettingDefaults SettingDefaults     `json:"setting_defaults"`
	Rules           Rules               `json:"rules"`
	Drugs           map[string]*DrugDef `json:"drugs"`
	VaccineSchedule []VaccineDose       `json:"vaccine_schedule"`
}

// SettingDefaults are used when an input's setting block omits a value (spec §3.2).
type SettingDefaults struct {
	HIVPrevalence           string `json:"hiv_prevalence"`
	CholeraInArea           bool   `json:"cholera_in_area"`
	YoungInfantEdition      string `json:"young_infant_edition"`
	Amoxicillin3DaysLowHIV  bool   `json:"amoxicillin_3_days_low_hiv"`
	DewormingDrug           string `json:"deworming_drug"`
	PrereferralAntimalarial string `json:"prereferral_antimalarial"`
}

// Rules are the protocol's choices on ambiguous or adaptable rules; docs/imci.md
// explains each one.
type Rules struct {
	CoughReferMoreThanDays           int     `json:"cough_refer_more_than_days"`
	DangerSignOnlyBlocksPlanC        bool    `json:"danger_sign_only_blocks_plan_c"`
	ConfirmedHIVColour               string  `json:"confirmed_hiv_colour"`
	HIVChestIndrawingReferral        string  `json:"hiv_chest_indrawing_referral"`
	AnaemiaTriggersFeedingAssessment bool    `json:"anaemia_triggers_feeding_assessment"`
	VitaminATreatmentDoses           int     `json:"vitamin_a_treatment_doses"`
	VitaminAForPersistentDiarrhoea   bool    `json:"vitamin_a_for_persistent_diarrhoea"`
	YIBloodInStoolRow                bool    `json:"yi_blood_in_stool_row"`
	YIPersistentDiarrhoeaRow         bool    `json:"yi_persistent_diarrhoea_row"`
	YISomeDehydrationFollowUpDays    int     `json:"yi_some_dehydration_follow_up_days"`
	YINoDehydrationFollowUpDays      int     `json:"yi_no_dehydration_follow_up_days"`
	FeverNoRiskFollowUpDays          int     `json:"fever_no_risk_follow_up_days"`
	AmoxicillinDays                  int     `json:"amoxicillin_days"`
	AmoxicillinShortDays             int     `json:"amoxicillin_short_days"`
	YIPneumoniaAmoxicillinDays       int     `json:"yi_pneumonia_amoxicillin_days"`
	ZincDays                         int     `json:"zinc_days"`
	HighFeverC                       float64 `json:"high_fever_c"`
	ProlongedFeverDays               int     `json:"prolonged_fever_days"`
	MAMFollowUpDays                  int     `json:"mam_follow_up_days"`
	FeedingProblemFollowUpDays       int     `json:"feeding_problem_follow_up_days"`
	DewormingIntervalMonths          float64 `json:"deworming_interval_months"`
	VitaminAIntervalMonths           float64 `json:"vitamin_a_interval_months"`
	YIGentamicinLowDoseUnderDays     int     `json:"yi_gentamicin_low_dose_under_days"`
	CotrimoxazoleFromDays            int     `json:"cotrimoxazole_from_days"`
	LowOxygenSaturationPercent       float64 `json:"low_oxygen_saturation_percent"`
}

// DrugDef is one entry of the drug catalogue: how to compute a dose and its band.
type DrugDef struct {
	Drug            string  `json:"drug"`
	Route           string  `json:"route"`
	Unit            string  `json:"unit"`
	FrequencyPerDay int     `json:"frequency_per_day"`
	DurationDays    int     `json:"duration_days"`
	DosesTotal      int     `json:"doses_total"`
	MgPerKg         float64 `json:"mg_per_kg"`
	MlPerKg         float64 `json:"ml_per_kg"`
	MgPerMl         float64 `json:"mg_per_ml"`
	RoundMlTo       float64 `json:"round_ml_to"`
	Bands           []Band  `json:"bands"`
	Text            string  `json:"text"`
}

// Band is one row of a dose table. Weight bands are [min_kg, max_kg) unless
// max_kg_inclusive; age bands are [min_months, max_months) with the day edges of §2.
type Band struct {
	MinKg          *float64 `json:"min_kg"`
	MaxKg          *float64 `json:"max_kg"`
	MaxKgInclusive bool     `json:"max_kg_inclusive"`
	MinMonths      *float64 `json:"min_months"`
	MaxMonths      *float64 `json:"max_months"`
	Units          float64  `json:"units"`
	Mg             float64  `json:"mg"`
	Ml             float64  `json:"ml"`
	MlMin          float64  `json:"ml_min"`
	MlMax          float64  `json:"ml_max"`
	IU             float64  `json:"iu"`
	Alternative    string   `json:"alternative"`

	// Labels computed once at load, as formatting floats per dose is costly.
	weightLabel, ageLabel string
}

// VaccineDose is one row of the vaccine schedule: a code due from an age in days.
type VaccineDose struct {
	Code       string `json:"code"`
	AgeDays    int    `json:"age_days"`
	MaxAgeDays *int   `json:"max_age_days"`
}

// requiredDrugs are the catalogue keys the engine looks up; a protocol must define all.
var requiredDrugs = []string{
	"AMOXICILLIN_ORAL", "AMOXICILLIN_ORAL.young_infant", "AMOXICILLIN_FIRST_DOSE",
	"PARACETAMOL", "CIPROFLOXACIN", "ARTEMETHER_LUMEFANTRINE", "ZINC", "IRON",
	"MEBENDAZOLE", "ALBENDAZOLE", "VITAMIN_A_TREATMENT", "VITAMIN_A_SUPPLEMENT",
	"COTRIMOXAZOLE_PROPHYLAXIS", "SALBUTAMOL_INHALED", "MULTIVITAMINS_MINERALS",
	"QUINOLONE_EAR_DROPS", "TETRACYCLINE_EYE_OINTMENT", "GENTIAN_VIOLET_MOUTH_ULCERS",
	"ORS_PLAN_A", "ORS_PLAN_B", "PLAN_C_IV_FLUIDS", "IM_AMPICILLIN", "IM_AMPICILLIN.young_infant",
	"IM_GENTAMICIN", "IM_GENTAMICIN.young_infant", "IM_GENTAMICIN.young_infant_under_7_days",
	"PREREFERRAL_ANTIMALARIAL.im_artesunate", "PREREFERRAL_ANTIMALARIAL.rectal_artesunate",
	"PREREFERRAL_ANTIMALARIAL.im_quinine", "DIAZEPAM_RECTAL",
}

var defaultProtocol = mustLoad(defaultProtocolJSON)

func mustLoad(data []byte) *Protocol {
	p, err := LoadProtocol(data)
	if err != nil {
		panic("imci: embedded protocol invalid: " + err.Error())
	}
	return p
}

// DefaultProtocol returns the embedded generic WHO 2014 protocol ("who-2014").
func DefaultProtocol() *Protocol { return defaultProtocol }

// LoadProtocol parses and checks a protocol file strictly: unknown keys, missing
// drugs and out-of-vocabulary values are errors, so a typo never silently falls back.
func LoadProtocol(data []byte) (*Protocol, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Protocol
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("protocol: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("protocol: trailing data after the JSON object")
	}
	if problems := p.check(); len(problems) > 0 {
		return nil, fmt.Errorf("protocol: %s", strings.Join(problems, "; "))
	}
	for _, d := range p.Drugs {
		for i := range d.Bands {
			b := &d.Bands[i]
			if b.MinKg != nil {
				b.weightLabel = weightLabel(b)
			}
			if b.MinMonths != nil {
				b.ageLabel = ageLabel(b)
			}
		}
	}
	return &p, nil
}

// check lists every problem of a parsed protocol.
func (p *Protocol) check() []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if p.ID == "" || p.Version == "" || p.Ruleset == "" {
		bad("id, version and ruleset are required")
	}
	d := p.SettingDefaults
	checkEnum := func(name, v string, allowed []string) {
		if !slices.Contains(allowed, v) {
			bad("%s %q must be one of %s", name, v, strings.Join(allowed, ", "))
		}
	}
	checkEnum("setting_defaults.hiv_prevalence", d.HIVPrevalence, enumHIVPrevalence)
	checkEnum("setting_defaults.young_infant_edition", d.YoungInfantEdition, enumEdition)
	checkEnum("setting_defaults.deworming_drug", d.DewormingDrug, enumDeworming)
	checkEnum("setting_defaults.prereferral_antimalarial", d.PrereferralAntimalarial, enumAntimalarial)
	r := p.Rules
	checkEnum("rules.confirmed_hiv_colour", r.ConfirmedHIVColour, []string{Pink, Yellow, Green})
	checkEnum("rules.hiv_chest_indrawing_referral", r.HIVChestIndrawingReferral, []string{"URGENT", "NON_URGENT"})
	for name, v := range map[string]int{
		"amoxicillin_days": r.AmoxicillinDays, "amoxicillin_short_days": r.AmoxicillinShortDays,
		"yi_pneumonia_amoxicillin_days": r.YIPneumoniaAmoxicillinDays, "zinc_days": r.ZincDays,
		"vitamin_a_treatment_doses": r.VitaminATreatmentDoses, "mam_follow_up_days": r.MAMFollowUpDays,
		"feeding_problem_follow_up_days":     r.FeedingProblemFollowUpDays,
		"fever_no_risk_follow_up_days":       r.FeverNoRiskFollowUpDays,
		"yi_some_dehydration_follow_up_days": r.YISomeDehydrationFollowUpDays,
		"yi_no_dehydration_follow_up_days":   r.YINoDehydrationFollowUpDays,
		"cough_refer_more_than_days":         r.CoughReferMoreThanDays,
		"prolonged_fever_days":               r.ProlongedFeverDays,
	} {
		if v <= 0 {
			bad("rules.%s must be a positive integer", name)
		}
	}
	if r.HighFeverC < 37 || r.HighFeverC > 41 {
		bad("rules.high_fever_c must be between 37 and 41")
	}
	if r.LowOxygenSaturationPercent < 50 || r.LowOxygenSaturationPercent > 100 {
		bad("rules.low_oxygen_saturation_percent must be between 50 and 100")
	}
	for _, k := range requiredDrugs {
		if p.Drugs[k] == nil {
			bad("drugs.%s is required", k)
		}
	}
	keys := make([]string, 0, len(p.Drugs))
	for k := range p.Drugs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, p.Drugs[k].check("drugs."+k)...)
	}
	for i, v := range p.VaccineSchedule {
		if !slices.Contains(enumVaccines, v.Code) {
			bad("vaccine_schedule[%d].code %q is not a known vaccine", i, v.Code)
		}
		if v.AgeDays < 0 {
			bad("vaccine_schedule[%d].age_days must not be negative", i)
		}
	}
	return out
}

// check lists the problems of one drug definition.
func (d *DrugDef) check(path string) []string {
	var out []string
	if d == nil {
		return []string{path + " must be an object"}
	}
	if d.FrequencyPerDay < 0 || d.DurationDays < 0 || d.DosesTotal < 0 || d.MgPerKg < 0 || d.MlPerKg < 0 || d.MgPerMl < 0 {
		out = append(out, path+": numbers must not be negative")
	}
	for i, b := range d.Bands {
		bp := fmt.Sprintf("%s.bands[%d]", path, i)
		if (b.MinKg == nil) != (b.MaxKg == nil) || (b.MinMonths == nil) != (b.MaxMonths == nil) {
			out = append(out, bp+": give both ends of a weight or age range")
		}
		if b.MinKg == nil && b.MinMonths == nil {
			out = append(out, bp+": needs a weight or an age range")
		}
		if b.MinKg != nil && b.MaxKg != nil && *b.MinKg >= *b.MaxKg {
			out = append(out, bp+": min_kg must be below max_kg")
		}
		if b.MinMonths != nil && b.MaxMonths != nil && *b.MinMonths >= *b.MaxMonths {
			out = append(out, bp+": min_months must be below max_months")
		}
	}
	return out
}
