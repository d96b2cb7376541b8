// Package observation holds the case observation of observation.md: a mentor's record
// of one consultation, its strict decoding, the assessment tasks a case requires, the
// score against the IMCI engine's expected result, the coaching feedback and the
// per-domain competency of a health worker. It is pure (no database, no HTTP, no
// clock), so a score can be recomputed from stored inputs and compiles to WebAssembly.
package observation

import (
	"encoding/json"
	"time"

	"mesh/imci"
)

// Observation is one case observation as PUT /api/v1/observations/{id} carries it.
// The assessment is kept raw, exactly as the mentor sent it, so a hand-typed z-score
// survives even when scoring uses the computed one (observation.md §1.2).
type Observation struct {
	ID                string          `json:"id,omitempty"`
	VisitID           string          `json:"visit_id"`
	HealthWorkerID    int64           `json:"health_worker_id"`
	ObservedAt        time.Time       `json:"observed_at"`
	Protocol          string          `json:"protocol"`
	RecordingFormUsed bool            `json:"recording_form_used"`
	Assessment        json.RawMessage `json:"assessment"`
	Measurements      *Measurements   `json:"measurements,omitempty"`
	Worker            WorkerActions   `json:"worker"`
	Notes             string          `json:"notes,omitempty"`
	NextSteps         string          `json:"next_steps,omitempty"`

	// decoded is the assessment as Decode checked it, so Prepare need not decode
	// the same bytes again; it counts only while Assessment is still those bytes.
	decoded *decodedAssessment
}

type decodedAssessment struct {
	raw json.RawMessage
	in  imci.Input
}

// decodedInput returns the input Decode made of o.Assessment, if o.Assessment is
// still the very slice it decoded.
func (o Observation) decodedInput() (imci.Input, bool) {
	d := o.decoded
	if d == nil || len(d.raw) == 0 || len(d.raw) != len(o.Assessment) || &d.raw[0] != &o.Assessment[0] {
		return imci.Input{}, false
	}
	return d.in, true
}

// Measurements are the raw anthropometry the growth package needs beyond the
// assessment's sex, age and weight.
type Measurements struct {
	LengthCm float64 `json:"length_cm"`
	Measured string  `json:"measured"` // "lying" or "standing"
}

// WorkerActions is what the health worker did during the consultation.
type WorkerActions struct {
	Tasks           map[string]bool   `json:"tasks"`
	Classifications []string          `json:"classifications"`
	Treatments      []WorkerTreatment `json:"treatments"`
	Referred        bool              `json:"referred"`
	FollowUpDays    *int              `json:"follow_up_days"`
	Counselling     Counselling       `json:"counselling"`
}

// WorkerTreatment is one treatment the worker gave, in the engine's treatment shape;
// nil numbers were not written down.
type WorkerTreatment struct {
	Code            string   `json:"code"`
	UnitsPerDose    *float64 `json:"units_per_dose"`
	Unit            string   `json:"unit,omitempty"`
	FrequencyPerDay *int     `json:"frequency_per_day"`
	DurationDays    *int     `json:"duration_days"`
	DoseMg          *float64 `json:"dose_mg,omitempty"`
	DoseMl          *float64 `json:"dose_ml,omitempty"`
}

// Counselling records the advice the worker gave the caregiver.
type Counselling struct {
	AdvisedWhenToReturnImmediately bool `json:"advised_when_to_return_immediately"`
	TaughtHowToGiveOralDrugs       bool `json:"taught_how_to_give_oral_drugs"`
	FirstDoseGivenAtFacility       bool `json:"first_dose_given_at_facility"`
	FeedingCounselled              bool `json:"feeding_counselled"`
	FluidsAndFeedingAdvised        bool `json:"fluids_and_feeding_advised"`
}
