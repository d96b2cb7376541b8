package evaluation

import (
	"encoding/json"
	"math"
)

// daysPerMonth is the IMCI engine's month length, so "under 24 months" means here
// what it means to the classification rules.
const daysPerMonth = 30.4375

// assessment is the part of an IMCI input the covariates read.
type assessment struct {
	AgeDays         *int     `json:"age_days"`
	AgeMonths       *float64 `json:"age_months"`
	Sex             string   `json:"sex"`
	TemperatureC    *float64 `json:"temperature_c"`
	TemperatureSite string   `json:"temperature_site"`
	Cough           *struct {
		Present *bool `json:"present"`
	} `json:"cough"`
	Fever *struct {
		Reported *bool `json:"reported"`
	} `json:"fever"`
}

// CovariatesOf reads the model covariates from a stored IMCI assessment. A covariate
// the mentor did not record is nil, never false: "not asked" must not count as "no".
// Fever means presenting with fever as MESH's Table 1 counts it: reported by the
// caregiver or a measured temperature of 37.5 °C or more (rectal readings less 0.5 °C,
// as the engine adjusts them).
func CovariatesOf(raw json.RawMessage) map[string]*bool {
	out := map[string]*bool{AgeUnder24m: nil, Male: nil, Cough: nil, Fever: nil}
	var a assessment
	if json.Unmarshal(raw, &a) != nil {
		return out
	}
	switch {
	case a.AgeDays != nil:
		out[AgeUnder24m] = ptr(*a.AgeDays < int(math.Floor(24*daysPerMonth)))
	case a.AgeMonths != nil:
		out[AgeUnder24m] = ptr(*a.AgeMonths < 24)
	}
	if a.Sex == "male" || a.Sex == "female" {
		out[Male] = ptr(a.Sex == "male")
	}
	if a.Cough != nil && a.Cough.Present != nil {
		out[Cough] = ptr(*a.Cough.Present)
	}
	reported := a.Fever != nil && a.Fever.Reported != nil && *a.Fever.Reported
	measured := false
	if a.TemperatureC != nil {
		t := *a.TemperatureC
		if a.TemperatureSite == "rectal" {
			t -= 0.5
		}
		measured = t >= 37.5
	}
	switch {
	case reported || measured:
		out[Fever] = ptr(true)
	case a.Fever != nil && a.Fever.Reported != nil, a.TemperatureC != nil:
		out[Fever] = ptr(false)
	}
	return out
}

func ptr(b bool) *bool { return &b }
