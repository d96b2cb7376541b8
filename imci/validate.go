package imci

import (
	"encoding/json"
	"fmt"

	"mesh"
)

// crossCheck applies the rules a JSON schema cannot express (spec §3.3 end, §11):
// exactly one age field, and which blocks a child or a young infant must or must not have.
func (r *reader) crossCheck(in *Input, m map[string]any) {
	_, hasDays := m["age_days"]
	_, hasMonths := m["age_months"]
	switch {
	case hasDays && hasMonths:
		r.add(ErrConflictingFields, "age", "give exactly one of age_days and age_months, not both")
		return
	case !hasDays && !hasMonths:
		r.add(ErrMissingRequired, "age", "is required: give age_days or age_months")
		return
	case in.AgeDays == nil && in.AgeMonths == nil:
		return // the age field itself was wrong; its group is unknown
	}
	if isYoungInfant(in) {
		r.youngInfantBlocks(in, m)
	} else {
		r.childBlocks(in, m)
	}
	if c := in.Cough; c != nil && c.BronchodilatorTrial != nil && isTrue(c.BronchodilatorTrial.Done) {
		t := c.BronchodilatorTrial
		if t.RespiratoryRateAfter == nil {
			r.add(ErrMissingRequired, "cough.bronchodilator_trial.respiratory_rate_after", "is required when the trial was done")
		}
		if t.ChestIndrawingAfter == nil {
			r.add(ErrMissingRequired, "cough.bronchodilator_trial.chest_indrawing_after", "is required when the trial was done")
		}
	}
}

func (r *reader) childBlocks(in *Input, m map[string]any) {
	if v, present := m["danger_signs"]; !present || v == nil {
		r.set(ErrMissingRequired, "danger_signs", "is required for a child aged 2 months or more")
	}
	if _, present := m["young_infant"]; present {
		r.set(ErrFieldNotApplicable, "young_infant", "applies only to a young infant (0-59 days); this child is 2 months or older")
	}
}

func (r *reader) youngInfantBlocks(in *Input, m map[string]any) {
	if _, present := m["danger_signs"]; present {
		r.set(ErrFieldNotApplicable, "danger_signs", "applies only to a child aged 2 months or more; use young_infant for an infant under 2 months")
	}
	if v, present := m["young_infant"]; !present || v == nil {
		r.set(ErrMissingRequired, "young_infant", "is required for a young infant (0-59 days)")
	}
	if v, present := m["temperature_c"]; !present || v == nil {
		r.set(ErrMissingRequired, "temperature_c", "is required for a young infant (0-59 days)")
	}
}

// set records an error for field, replacing a less specific one already there (a
// null danger_signs block is "missing" for a child, not merely a wrong type).
func (r *reader) set(code, field, msg string) {
	f := r.path(field)
	for i := range r.errs {
		if r.errs[i].Field == f {
			r.errs[i] = mesh.RuleError(code, f, "%s "+msg, f)
			return
		}
	}
	r.add(code, field, msg)
}

// isYoungInfant applies §2: age_days ≤ 59 or age_months < 2.
func isYoungInfant(in *Input) bool {
	if in.AgeDays != nil {
		return *in.AgeDays <= 59
	}
	return in.AgeMonths != nil && *in.AgeMonths < 2
}

// Validate checks an Input built in Go (not by Decode) against the same rules as
// Decode, by round-tripping it through JSON so there is one set of rules.
func Validate(in Input) []mesh.FieldError {
	if in.validated {
		return nil
	}
	data, err := json.Marshal(in)
	if err != nil {
		return []mesh.FieldError{{Code: ErrWrongType, Field: "$", Message: fmt.Sprintf("input cannot be encoded: %v", err)}}
	}
	_, errs := Decode(data)
	return errs
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }
