package observation

import (
	"slices"

	"mesh"
	"mesh/imci"
)

// ScoringVersion names this build of the scoring rules; every score carries it so a
// re-scoring batch can tell which scores it made (observation.md §3).
const ScoringVersion = "1.0.0"

// Options are the facts scoring needs from outside the observation.
type Options struct {
	// TrainedOn is the worker's IMCI training date ("" when not trained); the
	// observation counts for imci.trained_provider when it is on or before the
	// observation's own calendar day (observed_at in the offset the device sent,
	// which is the facility's local time).
	TrainedOn mesh.Date
	// Protocol supplies the drug catalogue (which codes are drugs); nil means imci.DefaultProtocol().
	Protocol *imci.Protocol
}

// Score is the result of comparing the worker's actions with the engine's expected
// result (observation.md §3). Lists are never null.
type Score struct {
	ScoringVersion         string               `json:"scoring_version"`
	EngineVersion          string               `json:"engine_version"`
	Protocol               imci.ProtocolRef     `json:"protocol"`
	AgeGroup               string               `json:"age_group"`
	AssessmentIndex        float64              `json:"assessment_index"`
	TasksRequired          []string             `json:"tasks_required"`
	TasksMissed            []string             `json:"tasks_missed"`
	ClassificationCorrect  bool                 `json:"classification_correct"`
	ClassificationsMissed  []string             `json:"classifications_missed"`
	ClassificationsExtra   []string             `json:"classifications_extra"`
	UnderClassified        []ClassificationPair `json:"under_classified"`
	OverClassified         []ClassificationPair `json:"over_classified"`
	TreatmentCorrect       bool                 `json:"treatment_correct"`
	TreatmentsMissed       []string             `json:"treatments_missed"`
	TreatmentsExtra        []string             `json:"treatments_extra"`
	DoseErrors             []DoseError          `json:"dose_errors"`
	AntibioticNotIndicated bool                 `json:"antibiotic_not_indicated"`
	ReferralCorrect        bool                 `json:"referral_correct"`
	FollowUpCorrect        bool                 `json:"follow_up_correct"`
	CounsellingComplete    bool                 `json:"counselling_complete"`
	CorrectlyManaged       bool                 `json:"correctly_managed"`
	Feedback               []FeedbackPoint      `json:"feedback"`
	Warnings               []Warning            `json:"warnings"`
	Facts                  Facts                `json:"facts"`
}

// ClassificationPair is a missed and an extra classification of the same table of a
// box: the worker wrote Given where Expected applies.
type ClassificationPair struct {
	Box            string `json:"box"`
	Expected       string `json:"expected"`
	ExpectedColour string `json:"expected_colour"`
	Given          string `json:"given"`
	GivenColour    string `json:"given_colour"`
}

// Facts are the case facts the indicators count, kept with the score so indicator
// values can be recomputed from a stored score alone.
type Facts struct {
	RecordingFormUsed          bool `json:"recording_form_used"`
	ProviderTrained            bool `json:"provider_trained"`
	UrgentReferralExpected     bool `json:"urgent_referral_expected"`
	Referred                   bool `json:"referred"`
	FollowUpExpected           bool `json:"follow_up_expected"`
	AntimicrobialIndicated     bool `json:"antimicrobial_indicated"`
	AntimicrobialGiven         bool `json:"antimicrobial_given"`
	DrugGiven                  bool `json:"drug_given"`
	ReturnAdvised              bool `json:"return_advised"`
	OralDrugExpected           bool `json:"oral_drug_expected"`
	FeedingCounsellingRequired bool `json:"feeding_counselling_required"`
}

// Evaluate prepares, classifies and scores one decoded observation: the whole
// server-side path of PUT /api/v1/observations/{id} minus storage.
func Evaluate(o Observation, opt Options) (imci.Result, Score, error) {
	c, errs := Prepare(o)
	if len(errs) > 0 {
		return imci.Result{}, Score{}, mesh.Invalid(errs...)
	}
	p := opt.Protocol
	if p == nil {
		p = imci.DefaultProtocol()
	}
	res, err := p.Classify(c.Input)
	if err != nil {
		return imci.Result{}, Score{}, err
	}
	return res, ScoreCase(c, res, opt), nil
}

// ScoreCase compares what the worker did with the expected result. It is pure and
// deterministic: the same case, result and options always give the same score.
func ScoreCase(c Case, expected imci.Result, opt Options) Score {
	if opt.Protocol == nil {
		opt.Protocol = imci.DefaultProtocol()
	}
	w := c.Observation.Worker
	s := Score{
		ScoringVersion: ScoringVersion, EngineVersion: expected.EngineVersion, Protocol: expected.Protocol,
		AgeGroup: expected.AgeGroup, Warnings: slices.Clone(c.Warnings),
	}
	s.scoreTasks(c, expected)
	s.scoreClassifications(w.Classifications, expected)
	s.scoreTreatments(w.Treatments, expected, opt.Protocol)
	s.scoreReferral(w.Referred, expected)
	s.FollowUpCorrect = followUpMatches(w.FollowUpDays, expected.FollowUpDays)
	s.scoreCounselling(w.Counselling, expected)
	s.CorrectlyManaged = s.ClassificationCorrect && s.TreatmentCorrect && s.ReferralCorrect &&
		s.FollowUpCorrect && s.CounsellingComplete
	s.Facts.RecordingFormUsed = c.Observation.RecordingFormUsed
	s.Facts.ProviderTrained = opt.TrainedOn != "" && opt.TrainedOn <= mesh.DateOf(c.Observation.ObservedAt)
	s.Facts.FollowUpExpected = expected.FollowUpDays.OK
	s.Feedback = feedback(c, expected, s, opt.Protocol)
	if s.Warnings == nil {
		s.Warnings = []Warning{}
	}
	return s
}

// scoreTasks sets the assessment index: required tasks done / required tasks.
func (s *Score) scoreTasks(c Case, expected imci.Result) {
	s.TasksRequired = RequiredTasks(c.Input, expected)
	s.TasksMissed = []string{}
	for _, t := range s.TasksRequired {
		if !c.Observation.Worker.Tasks[t] {
			s.TasksMissed = append(s.TasksMissed, t)
		}
	}
	s.AssessmentIndex = 1
	if n := len(s.TasksRequired); n > 0 {
		s.AssessmentIndex = float64(n-len(s.TasksMissed)) / float64(n)
	}
}

// scoreReferral: urgent referral is required exactly when the engine says so. A
// referral is also accepted (never required) when a pink classification is expected
// without urgency (severe dehydration treated by Plan C, severe persistent diarrhoea)
// or the engine's referral is NON_URGENT: imci.md §7.3 asks not to penalise it.
func (s *Score) scoreReferral(referred bool, expected imci.Result) {
	s.Facts.UrgentReferralExpected = expected.UrgentReferral
	s.Facts.Referred = referred
	allowed := expected.UrgentReferral || expected.Referral == "NON_URGENT" || anyPink(expected)
	s.ReferralCorrect = referred == expected.UrgentReferral || (referred && allowed)
}

func anyPink(r imci.Result) bool {
	for _, c := range r.Classifications {
		if c.Colour == imci.Pink {
			return true
		}
	}
	return false
}

// followUpMatches: the worker's days equal the engine's; both null is right.
func followUpMatches(given *int, expected imci.OptInt) bool {
	if given == nil || !expected.OK {
		return given == nil && !expected.OK
	}
	return *given == expected.V
}

// feedingAdviceCodes are the engine's treatments that mean "counsel on feeding".
var feedingAdviceCodes = []string{"COUNSEL_FEEDING", "BREASTFEEDING_COUNSEL", "PERSISTENT_DIARRHOEA_FEEDING_ADVICE"}

// scoreCounselling applies §3: return advice always; teaching oral drugs when an
// oral drug is to be given at home (a single dose given in the clinic and ORS, whose
// teaching is the fluids advice, do not count); feeding counselling when the engine's
// treatments include feeding advice. Deferred treatments of a referred child are
// the hospital's to explain and do not count.
func (s *Score) scoreCounselling(c Counselling, expected imci.Result) {
	for _, t := range expected.Treatments {
		if isHomeOralDrug(t) {
			s.Facts.OralDrugExpected = true
		}
		if slices.Contains(feedingAdviceCodes, t.Code) {
			s.Facts.FeedingCounsellingRequired = true
		}
	}
	s.Facts.ReturnAdvised = c.AdvisedWhenToReturnImmediately
	s.CounsellingComplete = c.AdvisedWhenToReturnImmediately &&
		(!s.Facts.OralDrugExpected || c.TaughtHowToGiveOralDrugs) &&
		(!s.Facts.FeedingCounsellingRequired || c.FeedingCounselled)
}

// isHomeOralDrug is an oral drug (not ORS) the caregiver gives at home.
func isHomeOralDrug(t imci.Treatment) bool {
	return t.Route.OK && t.Route.V == "oral" && t.Drug.OK && t.Drug.V != "ORS" &&
		t.Timing != imci.TimingPreReferral && t.Timing != imci.TimingInClinic
}
