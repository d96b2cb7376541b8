package imci

import (
	"encoding/json"
	"strconv"
)

// Result is the engine's answer for one child (spec §4).
type Result struct {
	SchemaVersion             string           `json:"schema_version"`
	Ruleset                   string           `json:"ruleset"`
	Protocol                  ProtocolRef      `json:"protocol"`
	EngineVersion             string           `json:"engine_version"`
	CaseID                    *string          `json:"case_id"`
	AgeGroup                  string           `json:"age_group"`
	Classifications           []Classification `json:"classifications"`
	UrgentReferral            bool             `json:"urgent_referral"`
	Referral                  string           `json:"referral"`
	ReferralReasons           []string         `json:"referral_reasons"`
	Treatments                []Treatment      `json:"treatments"`
	DeferredTreatments        []Treatment      `json:"deferred_treatments"`
	FollowUpDays              OptInt           `json:"follow_up_days"`
	FollowUp                  []FollowUp       `json:"follow_up"`
	Preventive                PreventiveResult `json:"preventive"`
	FeedingAssessmentRequired bool             `json:"feeding_assessment_required"`
	Incomplete                []IncompleteBox  `json:"incomplete"`
	Warnings                  []string         `json:"warnings"`
}

// ProtocolRef names the protocol file that produced a result.
type ProtocolRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// Classification is one classification that applies, with the signs that led to it.
type Classification struct {
	Code    string   `json:"code"`
	Colour  string   `json:"colour"`
	Box     string   `json:"box"`
	Reasons []string `json:"reasons"`
}

// Treatment is one treatment to give, with its numeric dose and the acceptable band
// (the *_min/*_max fields) that the observation scorer checks a worker's dose against.
type Treatment struct {
	Code            string   `json:"code"`
	For             []string `json:"for"`
	Timing          string   `json:"timing"`
	Drug            OptStr   `json:"drug"`
	Route           OptStr   `json:"route"`
	UnitsPerDose    OptFloat `json:"units_per_dose"`
	Unit            OptStr   `json:"unit"`
	DoseMg          OptFloat `json:"dose_mg"`
	DoseMl          OptFloat `json:"dose_ml"`
	DoseIU          OptFloat `json:"dose_iu"`
	VolumeMl        OptFloat `json:"volume_ml"`
	Alternative     OptStr   `json:"alternative"`
	FrequencyPerDay OptInt   `json:"frequency_per_day"`
	DurationDays    OptInt   `json:"duration_days"`
	DosesTotal      OptInt   `json:"doses_total"`
	Band            OptStr   `json:"band"`
	BandBasis       OptStr   `json:"band_basis"`
	UnitsMin        OptFloat `json:"units_min"`
	UnitsMax        OptFloat `json:"units_max"`
	DoseMgMin       OptFloat `json:"dose_mg_min"`
	DoseMgMax       OptFloat `json:"dose_mg_max"`
	DoseMlMin       OptFloat `json:"dose_ml_min"`
	DoseMlMax       OptFloat `json:"dose_ml_max"`
	DoseText        string   `json:"dose_text"`
}

// FollowUp is one follow-up visit the mother is asked to make.
type FollowUp struct {
	Days      int    `json:"days"`
	For       string `json:"for"`
	Condition string `json:"condition"`
}

// PreventiveResult lists the preventive items due today.
type PreventiveResult struct {
	VitaminADue  bool     `json:"vitamin_a_due"`
	DewormingDue bool     `json:"deworming_due"`
	VaccinesDue  []string `json:"vaccines_due"`
}

// IncompleteBox names a box that could not be classified and the signs it lacks.
type IncompleteBox struct {
	Box     string   `json:"box"`
	Missing []string `json:"missing"`
}

// OptFloat is a number that may be absent; absent marshals as null. Being a value
// type, it keeps results free of small allocations.
type OptFloat struct {
	V  float64
	OK bool
}

// OptInt is an integer that may be absent; absent marshals as null.
type OptInt struct {
	V  int
	OK bool
}

// OptStr is a string that may be absent; absent marshals as null.
type OptStr struct {
	V  string
	OK bool
}

func someF(v float64) OptFloat { return OptFloat{v, true} }
func someI(v int) OptInt       { return OptInt{v, true} }
func someS(v string) OptStr    { return OptStr{v, true} }

// MarshalJSON writes the number or null.
func (o OptFloat) MarshalJSON() ([]byte, error) {
	if !o.OK {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, o.V, 'f', -1, 64), nil
}

// MarshalJSON writes the integer or null.
func (o OptInt) MarshalJSON() ([]byte, error) {
	if !o.OK {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, int64(o.V), 10), nil
}

// MarshalJSON writes the string or null.
func (o OptStr) MarshalJSON() ([]byte, error) {
	if !o.OK {
		return []byte("null"), nil
	}
	return json.Marshal(o.V)
}

// UnmarshalJSON reads a number or null.
func (o *OptFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = OptFloat{}
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	*o = OptFloat{v, err == nil}
	return err
}

// UnmarshalJSON reads an integer or null.
func (o *OptInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = OptInt{}
		return nil
	}
	v, err := strconv.Atoi(string(b))
	*o = OptInt{v, err == nil}
	return err
}

// UnmarshalJSON reads a string or null.
func (o *OptStr) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = OptStr{}
		return nil
	}
	var v string
	err := json.Unmarshal(b, &v)
	*o = OptStr{v, err == nil}
	return err
}
