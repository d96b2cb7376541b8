package observation

import (
	"fmt"
	"math"

	"mesh"
	"mesh/growth"
	"mesh/imci"
)

// Warning codes of Case.Warnings and Score.Warnings.
const (
	// WarnZScoreDisagrees: a hand-typed z-score differs from the computed one by more
	// than ZTolerance; the computed one is scored, the typed one stays in the raw input.
	WarnZScoreDisagrees = "ZSCORE_DISAGREES"
	// WarnZScoreNotComputed: measurements were given but a z-score could not be
	// computed (sex or weight missing, or outside the WHO tables); any typed value is scored.
	WarnZScoreNotComputed = "ZSCORE_NOT_COMPUTED"
	// WarnExpectedIncomplete: the mentor's assessment left a box unclassified, so the
	// worker's classifications in that box are not judged.
	WarnExpectedIncomplete = "EXPECTED_INCOMPLETE"
)

// ZTolerance is how far a typed z-score may be from the computed one before it is
// flagged (observation.md §1.2).
const ZTolerance = 0.1

// Warning is a note on how a case was scored; it never changes a score by itself.
type Warning struct {
	Code     string   `json:"code"`
	Field    string   `json:"field,omitempty"`
	Typed    *float64 `json:"typed,omitempty"`
	Computed *float64 `json:"computed,omitempty"`
	Message  string   `json:"message"`
}

// Case is an observation made ready to score: its assessment decoded, with the
// z-scores the server computes filled in.
type Case struct {
	Observation Observation
	Input       imci.Input // the assessment as scored
	Warnings    []Warning
}

// Prepare decodes the observation's assessment and fills the z-scores the engine reads:
// nutrition.wfh_z of a child when measurements are given, young_infant.feeding.waz of a
// young infant whose feeding block is present (weight-for-age needs no length). Sex or
// weight missing means nothing is computed: the typed value, if any, is scored as
// typed and a ZSCORE_NOT_COMPUTED warning says why. Errors only come from an
// assessment that is not a valid IMCI input (paths prefixed "assessment.").
func Prepare(o Observation) (Case, []mesh.FieldError) {
	in, ok := o.decodedInput()
	var errs []mesh.FieldError
	if !ok {
		in, errs = imci.Decode(o.Assessment)
	}
	if len(errs) > 0 {
		out := make([]mesh.FieldError, len(errs))
		for i, e := range errs {
			out[i] = prefixed(e)
		}
		return Case{}, out
	}
	c := Case{Observation: o, Input: in}
	if isYoungInfant(in) {
		c.fillWAZ()
	} else if o.Measurements != nil {
		c.fillWFH()
	}
	return c, nil
}

// fillWFH computes weight-for-length/height z into nutrition.wfh_z.
func (c *Case) fillWFH() {
	const field = "assessment.nutrition.wfh_z"
	in := &c.Input
	if in.Nutrition == nil {
		in.Nutrition = &imci.Nutrition{} // measurements were given for this block
	} else {
		n := *in.Nutrition // a copy: the decoded input may be shared with the observation
		in.Nutrition = &n
	}
	typed := in.Nutrition.WFHz
	if reason := missingForZ(*in); reason != "" {
		c.warn(WarnZScoreNotComputed, field, typed, nil, "weight-for-height z not computed: "+reason)
		return
	}
	if isTrue(in.Nutrition.OedemaBothFeet) {
		return // WHO computes no weight-based z with oedema; oedema classifies by itself
	}
	m := c.Observation.Measurements
	length := m.LengthCm
	z := growth.Compute(growth.Measurement{Sex: in.Sex, AgeDays: ageOrZero(*in), WeightKg: in.WeightKg,
		LengthCm: &length, Measured: m.Measured}).WFH
	c.use(field, typed, z, func(v *float64) { in.Nutrition.WFHz = v }, "weight-for-height")
}

// fillWAZ computes a young infant's weight-for-age z into young_infant.feeding.waz.
func (c *Case) fillWAZ() {
	const field = "assessment.young_infant.feeding.waz"
	in := &c.Input
	if in.YoungInfant == nil || in.YoungInfant.Feeding == nil {
		return // no feeding assessment to fill: adding one would invent a classification
	}
	yi, fe := *in.YoungInfant, *in.YoungInfant.Feeding // copies: the decoded input may be shared
	yi.Feeding, in.YoungInfant = &fe, &yi
	f := &fe
	if reason := missingForZ(*in); reason != "" {
		if c.Observation.Measurements != nil || f.WAZ == nil {
			c.warn(WarnZScoreNotComputed, field, f.WAZ, nil, "weight-for-age z not computed: "+reason)
		}
		return
	}
	z := growth.Compute(growth.Measurement{Sex: in.Sex, AgeDays: ageOrZero(*in), WeightKg: in.WeightKg}).WFA
	c.use(field, f.WAZ, z, func(v *float64) { f.WAZ = v }, "weight-for-age")
}

// use scores the computed z, flagging a typed value that disagrees with it.
func (c *Case) use(field string, typed, computed *float64, set func(*float64), name string) {
	if computed == nil {
		c.warn(WarnZScoreNotComputed, field, typed, nil, name+" z not computed: outside the WHO tables")
		return
	}
	if typed != nil && math.Abs(*typed-*computed) > ZTolerance+1e-9 {
		c.warn(WarnZScoreDisagrees, field, typed, computed,
			fmt.Sprintf("typed %s z %.2f differs from the computed %.2f by more than %.1f; the computed value is scored", name, *typed, *computed, ZTolerance))
	}
	set(computed)
}

func (c *Case) warn(code, field string, typed, computed *float64, msg string) {
	c.Warnings = append(c.Warnings, Warning{Code: code, Field: field, Typed: typed, Computed: computed, Message: msg})
}

// missingForZ names what a weight-based z-score lacks, or "" when it can be computed.
func missingForZ(in imci.Input) string {
	switch {
	case in.Sex == "" && in.WeightKg == nil:
		return "sex and weight are missing"
	case in.Sex == "":
		return "sex is missing"
	case in.WeightKg == nil:
		return "weight is missing"
	}
	return ""
}

func ageOrZero(in imci.Input) int {
	d, _ := ageDays(in)
	return d
}
