package imci

// Input is one sick child's assessment (spec §3). Pointers and empty strings mean
// "not given": a nil sign is "not assessed", never "absent".
type Input struct {
	SchemaVersion   string       `json:"schema_version"`
	CaseID          *string      `json:"case_id,omitempty"`
	AgeDays         *int         `json:"age_days,omitempty"`
	AgeMonths       *float64     `json:"age_months,omitempty"`
	Sex             string       `json:"sex,omitempty"`
	WeightKg        *float64     `json:"weight_kg,omitempty"`
	TemperatureC    *float64     `json:"temperature_c,omitempty"`
	TemperatureSite string       `json:"temperature_site,omitempty"`
	Setting         Setting      `json:"setting"`
	DangerSigns     *DangerSigns `json:"danger_signs,omitempty"`
	Cough           *Cough       `json:"cough,omitempty"`
	Diarrhoea       *Diarrhoea   `json:"diarrhoea,omitempty"`
	Fever           *Fever       `json:"fever,omitempty"`
	Ear             *Ear         `json:"ear,omitempty"`
	Nutrition       *Nutrition   `json:"nutrition,omitempty"`
	Anaemia         *Anaemia     `json:"anaemia,omitempty"`
	HIV             *HIV         `json:"hiv,omitempty"`
	Preventive      *Preventive  `json:"preventive,omitempty"`
	YoungInfant     *YoungInfant `json:"young_infant,omitempty"`

	// validated is set by Decode so Classify need not validate again.
	validated bool
}

// Setting holds facility-level facts; empty values take the protocol's defaults.
type Setting struct {
	MalariaRisk             string `json:"malaria_risk,omitempty"`
	HIVPrevalence           string `json:"hiv_prevalence,omitempty"`
	CholeraInArea           *bool  `json:"cholera_in_area,omitempty"`
	YoungInfantEdition      string `json:"young_infant_edition,omitempty"`
	Amoxicillin3DaysLowHIV  *bool  `json:"amoxicillin_3_days_low_hiv,omitempty"`
	DewormingDrug           string `json:"deworming_drug,omitempty"`
	PrereferralAntimalarial string `json:"prereferral_antimalarial,omitempty"`
}

// DangerSigns are the five general danger signs of a child; all are required.
type DangerSigns struct {
	NotAbleToDrinkOrBreastfeed *bool `json:"not_able_to_drink_or_breastfeed,omitempty"`
	VomitsEverything           *bool `json:"vomits_everything,omitempty"`
	ConvulsionsThisIllness     *bool `json:"convulsions_this_illness,omitempty"`
	LethargicOrUnconscious     *bool `json:"lethargic_or_unconscious,omitempty"`
	ConvulsingNow              *bool `json:"convulsing_now,omitempty"`
}

// Cough is the "cough or difficult breathing" block.
type Cough struct {
	Present             *bool                `json:"present,omitempty"`
	DurationDays        *int                 `json:"duration_days,omitempty"`
	RespiratoryRate     *int                 `json:"respiratory_rate,omitempty"`
	ChestIndrawing      *bool                `json:"chest_indrawing,omitempty"`
	StridorWhenCalm     *bool                `json:"stridor_when_calm,omitempty"`
	Wheeze              *bool                `json:"wheeze,omitempty"`
	RecurrentWheeze     *bool                `json:"recurrent_wheeze,omitempty"`
	SpO2Percent         *float64             `json:"spo2_percent,omitempty"`
	BronchodilatorTrial *BronchodilatorTrial `json:"bronchodilator_trial,omitempty"`
}

// BronchodilatorTrial records the recount after a rapid-acting bronchodilator.
type BronchodilatorTrial struct {
	Done                 *bool `json:"done,omitempty"`
	RespiratoryRateAfter *int  `json:"respiratory_rate_after,omitempty"`
	ChestIndrawingAfter  *bool `json:"chest_indrawing_after,omitempty"`
	WheezeAfter          *bool `json:"wheeze_after,omitempty"`
}

// Diarrhoea is the diarrhoea block; the young-infant block has no Drinking.
type Diarrhoea struct {
	Present           *bool  `json:"present,omitempty"`
	DurationDays      *int   `json:"duration_days,omitempty"`
	BloodInStool      *bool  `json:"blood_in_stool,omitempty"`
	RestlessIrritable *bool  `json:"restless_irritable,omitempty"`
	SunkenEyes        *bool  `json:"sunken_eyes,omitempty"`
	Drinking          string `json:"drinking,omitempty"`
	SkinPinch         string `json:"skin_pinch,omitempty"`
}

// Fever is the fever block, including the measles questions.
type Fever struct {
	Reported                      *bool  `json:"reported,omitempty"`
	DurationDays                  *int   `json:"duration_days,omitempty"`
	PresentEveryDay               *bool  `json:"present_every_day,omitempty"`
	StiffNeck                     *bool  `json:"stiff_neck,omitempty"`
	TravelToMalariaAreaLast15Days *bool  `json:"travel_to_malaria_area_last_15_days,omitempty"`
	MalariaTest                   string `json:"malaria_test,omitempty"`
	RunnyNose                     *bool  `json:"runny_nose,omitempty"`
	OtherObviousCause             *bool  `json:"other_obvious_cause,omitempty"`
	GeneralizedRash               *bool  `json:"generalized_rash,omitempty"`
	RedEyes                       *bool  `json:"red_eyes,omitempty"`
	MeaslesLast3Months            *bool  `json:"measles_last_3_months,omitempty"`
	MouthUlcers                   string `json:"mouth_ulcers,omitempty"`
	PusDrainingFromEye            *bool  `json:"pus_draining_from_eye,omitempty"`
	CloudingOfCornea              *bool  `json:"clouding_of_cornea,omitempty"`
}

// Ear is the ear-problem block.
type Ear struct {
	Present                 *bool `json:"present,omitempty"`
	EarPain                 *bool `json:"ear_pain,omitempty"`
	PusSeenDraining         *bool `json:"pus_seen_draining,omitempty"`
	DischargeDurationDays   *int  `json:"discharge_duration_days,omitempty"`
	TenderSwellingBehindEar *bool `json:"tender_swelling_behind_ear,omitempty"`
}

// Nutrition is the acute-malnutrition block (z-scores arrive precomputed).
type Nutrition struct {
	OedemaBothFeet       *bool    `json:"oedema_both_feet,omitempty"`
	MUACmm               *float64 `json:"muac_mm,omitempty"`
	WFHz                 *float64 `json:"wfh_z,omitempty"`
	AppetiteTest         string   `json:"appetite_test,omitempty"`
	FeedingProblem       *bool    `json:"feeding_problem,omitempty"`
	BreastfeedingProblem *bool    `json:"breastfeeding_problem,omitempty"`
	OnRUTF               *bool    `json:"on_rutf,omitempty"`
}

// Anaemia is the palmar-pallor block.
type Anaemia struct {
	PalmarPallor string `json:"palmar_pallor,omitempty"`
}

// HIV holds the mother's status and the child's tests.
type HIV struct {
	MotherStatus                    string `json:"mother_status,omitempty"`
	ChildVirologicalTest            string `json:"child_virological_test,omitempty"`
	ChildSerologicalTest            string `json:"child_serological_test,omitempty"`
	BreastfedWithin6WeeksBeforeTest *bool  `json:"breastfed_within_6_weeks_before_test,omitempty"`
}

// Preventive holds the vitamin A, deworming and vaccine history.
type Preventive struct {
	MonthsSinceLastVitaminA  *float64 `json:"months_since_last_vitamin_a,omitempty"`
	MonthsSinceLastDeworming *float64 `json:"months_since_last_deworming,omitempty"`
	VaccinesReceived         []string `json:"vaccines_received,omitempty"`
}

// YoungInfant holds the signs of an infant aged 0–59 days.
type YoungInfant struct {
	NotFeedingWell            *bool      `json:"not_feeding_well,omitempty"`
	Convulsions               *bool      `json:"convulsions,omitempty"`
	RespiratoryRate           *int       `json:"respiratory_rate,omitempty"`
	RespiratoryRateRepeat     *int       `json:"respiratory_rate_repeat,omitempty"`
	SevereChestIndrawing      *bool      `json:"severe_chest_indrawing,omitempty"`
	Movement                  string     `json:"movement,omitempty"`
	UmbilicusRedOrDrainingPus *bool      `json:"umbilicus_red_or_draining_pus,omitempty"`
	SkinPustules              *bool      `json:"skin_pustules,omitempty"`
	Jaundice                  *bool      `json:"jaundice,omitempty"`
	YellowPalmsAndSoles       *bool      `json:"yellow_palms_and_soles,omitempty"`
	Diarrhoea                 *Diarrhoea `json:"diarrhoea,omitempty"`
	Feeding                   *YIFeeding `json:"feeding,omitempty"`
}

// YIFeeding is the young infant's feeding and weight assessment.
type YIFeeding struct {
	Breastfed                  *bool    `json:"breastfed,omitempty"`
	BreastfeedsPer24h          *int     `json:"breastfeeds_per_24h,omitempty"`
	ReceivesOtherFoodsOrDrinks *bool    `json:"receives_other_foods_or_drinks,omitempty"`
	WAZ                        *float64 `json:"waz,omitempty"`
	LowWeightForAge            *bool    `json:"low_weight_for_age,omitempty"`
	Thrush                     *bool    `json:"thrush,omitempty"`
	WellAttached               *bool    `json:"well_attached,omitempty"`
	SucklingEffectively        *bool    `json:"suckling_effectively,omitempty"`
}
