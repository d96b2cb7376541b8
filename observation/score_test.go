package observation

import (
	"reflect"
	"slices"
	"testing"

	"mesh/imci"
)

var (
	pneumonia = child8m().with("cough", map[string]any{"present": true, "duration_days": 3, "respiratory_rate": 55,
		"chest_indrawing": false, "stridor_when_calm": false, "wheeze": false})
	severePneumonia = pneumonia.with("cough.stridor_when_calm", true)
	coughOrCold30m  = child8m().with("age_months", 30).with("weight_kg", 12).with("cough", map[string]any{"present": true,
		"duration_days": 3, "respiratory_rate": 30, "chest_indrawing": false, "stridor_when_calm": false, "wheeze": false})
	someDehydration = child8m().with("diarrhoea", map[string]any{"present": true, "duration_days": 2, "blood_in_stool": false,
		"restless_irritable": true, "sunken_eyes": true, "drinking": "drinks_eagerly_thirsty", "skin_pinch": "immediately"})
	malaria = child8m().with("setting.malaria_risk", "high").with("temperature_c", 38.6).with("fever", map[string]any{
		"reported": true, "duration_days": 2, "present_every_day": true, "stiff_neck": false, "malaria_test": "positive",
		"runny_nose": false, "generalized_rash": false, "measles_last_3_months": false})
	yiVerySevere = youngInfant().with("young_infant.respiratory_rate", 66)
)

func TestScoreExactMatch(t *testing.T) {
	for name, a := range map[string]assessment{"pneumonia": pneumonia, "severe pneumonia": severePneumonia,
		"some dehydration": someDehydration, "malaria": malaria, "young infant": youngInfant(), "yi very severe": yiVerySevere} {
		t.Run(name, func(t *testing.T) {
			_, s := scored(t, a, nil)
			if !s.CorrectlyManaged || !s.ClassificationCorrect || !s.TreatmentCorrect || !s.ReferralCorrect ||
				!s.FollowUpCorrect || !s.CounsellingComplete || s.AssessmentIndex != 1 || s.AntibioticNotIndicated {
				t.Errorf("perfect worker not scored perfect: %+v", s)
			}
			if len(s.Feedback) != 0 || len(s.DoseErrors) != 0 || len(s.TasksMissed) != 0 {
				t.Errorf("feedback %v, dose errors %v, missed %v", kinds(s.Feedback), s.DoseErrors, s.TasksMissed)
			}
			if s.ScoringVersion != ScoringVersion || s.EngineVersion != imci.EngineVersion {
				t.Errorf("versions %q %q", s.ScoringVersion, s.EngineVersion)
			}
		})
	}
}

func replaceClass(w *WorkerActions, from, to string) {
	for i, c := range w.Classifications {
		if c == from {
			w.Classifications[i] = to
		}
	}
}

func TestScoreClassification(t *testing.T) {
	tests := []struct {
		name                 string
		a                    assessment
		spoil                func(*WorkerActions, imci.Result)
		missed, extra        []string
		under, over          []ClassificationPair
		referral, managedOK  bool
		firstFeedback        []string
		antibioticNotIndicat bool
	}{
		{name: "under-classified pink, referral missed", a: severePneumonia,
			spoil: func(w *WorkerActions, _ imci.Result) {
				replaceClass(w, "SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", "PNEUMONIA")
				w.Referred = false
			},
			missed: []string{"SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE"}, extra: []string{"PNEUMONIA"},
			under:         []ClassificationPair{{"COUGH", "SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", "PINK", "PNEUMONIA", "YELLOW"}},
			over:          []ClassificationPair{},
			firstFeedback: []string{"missed_pink_classification:SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", "missed_referral:URGENT_REFERRAL"}},
		{name: "over-classified, needless referral", a: pneumonia,
			spoil: func(w *WorkerActions, _ imci.Result) {
				replaceClass(w, "PNEUMONIA", "SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE")
				w.Referred = true
			},
			missed: []string{"PNEUMONIA"}, extra: []string{"SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE"},
			under:         []ClassificationPair{},
			over:          []ClassificationPair{{"COUGH", "PNEUMONIA", "YELLOW", "SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", "PINK"}},
			firstFeedback: []string{"over_classified:PNEUMONIA"}},
		{name: "under-classified dehydration, same box", a: someDehydration,
			spoil:  func(w *WorkerActions, _ imci.Result) { replaceClass(w, "SOME_DEHYDRATION", "NO_DEHYDRATION") },
			missed: []string{"SOME_DEHYDRATION"}, extra: []string{"NO_DEHYDRATION"}, referral: true,
			under:         []ClassificationPair{{"DIARRHOEA", "SOME_DEHYDRATION", "YELLOW", "NO_DEHYDRATION", "GREEN"}},
			over:          []ClassificationPair{},
			firstFeedback: []string{"under_classified:SOME_DEHYDRATION"}},
		{name: "dysentery is not paired against dehydration", a: someDehydration,
			spoil:  func(w *WorkerActions, _ imci.Result) { w.Classifications = append(w.Classifications, "DYSENTERY") },
			missed: []string{}, extra: []string{"DYSENTERY"}, referral: true,
			under: []ClassificationPair{}, over: []ClassificationPair{},
			firstFeedback: []string{"extra_classification:DYSENTERY"}},
		{name: "missed green classification", a: pneumonia,
			spoil: func(w *WorkerActions, _ imci.Result) {
				w.Classifications = []string{"PNEUMONIA", "NO_ACUTE_MALNUTRITION"}
			},
			missed: []string{"NO_ANAEMIA"}, extra: []string{}, referral: true,
			under: []ClassificationPair{}, over: []ClassificationPair{},
			firstFeedback: []string{"missed_classification:NO_ANAEMIA"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s := scored(t, tt.a, tt.spoil)
			if s.ClassificationCorrect || s.CorrectlyManaged {
				t.Error("classification_correct and correctly_managed must be false")
			}
			check(t, "missed", s.ClassificationsMissed, tt.missed)
			check(t, "extra", s.ClassificationsExtra, tt.extra)
			check(t, "under", s.UnderClassified, tt.under)
			check(t, "over", s.OverClassified, tt.over)
			if s.ReferralCorrect != tt.referral {
				t.Errorf("referral_correct = %v, want %v", s.ReferralCorrect, tt.referral)
			}
			got := kinds(s.Feedback)
			if len(got) < len(tt.firstFeedback) || !slices.Equal(got[:len(tt.firstFeedback)], tt.firstFeedback) {
				t.Errorf("feedback starts %v, want %v", got, tt.firstFeedback)
			}
		})
	}
}

func check[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func TestScoreTreatment(t *testing.T) {
	tests := []struct {
		name          string
		a             assessment
		spoil         func(*WorkerActions, imci.Result)
		correct       bool
		missed, extra []string
		doseErrors    []DoseError
		notIndicated  bool
		feedback      []string
	}{
		{name: "dose above the band", a: pneumonia,
			spoil: func(w *WorkerActions, _ imci.Result) {
				setTreatment(w, "AMOXICILLIN_ORAL", func(g *WorkerTreatment) { g.UnitsPerDose = ptr(2.0) })
			},
			missed: []string{}, extra: []string{},
			doseErrors: []DoseError{{Code: "AMOXICILLIN_ORAL", Problem: DoseOutOfBand, Measure: "units_per_dose", Unit: "tablet_250mg", Given: ptr(2.0), ExpectedMin: 1, ExpectedMax: 1}},
			feedback:   []string{"dose_error:AMOXICILLIN_ORAL"}},
		{name: "syrup written in mg is inside the band", a: pneumonia, correct: true,
			spoil: func(w *WorkerActions, _ imci.Result) {
				setTreatment(w, "AMOXICILLIN_ORAL", func(g *WorkerTreatment) {
					g.Unit, g.UnitsPerDose, g.DoseMg = "syrup_250mg_per_5ml", ptr(5.0), ptr(250.0)
				})
			},
			missed: []string{}, extra: []string{}, doseErrors: []DoseError{}, feedback: []string{}},
		{name: "dose not written", a: pneumonia,
			spoil: func(w *WorkerActions, _ imci.Result) {
				setTreatment(w, "AMOXICILLIN_ORAL", func(g *WorkerTreatment) { g.UnitsPerDose, g.DoseMg = nil, nil })
			},
			missed: []string{}, extra: []string{},
			doseErrors: []DoseError{{Code: "AMOXICILLIN_ORAL", Problem: DoseNotRecorded, Measure: "units_per_dose", Unit: "tablet_250mg", ExpectedMin: 1, ExpectedMax: 1}},
			feedback:   []string{"dose_error:AMOXICILLIN_ORAL"}},
		{name: "wrong frequency and duration", a: pneumonia,
			spoil: func(w *WorkerActions, _ imci.Result) {
				setTreatment(w, "AMOXICILLIN_ORAL", func(g *WorkerTreatment) { g.FrequencyPerDay, g.DurationDays = ptr(3), ptr(3) })
			},
			missed: []string{}, extra: []string{},
			doseErrors: []DoseError{
				{Code: "AMOXICILLIN_ORAL", Problem: WrongFrequency, Measure: "frequency_per_day", Given: ptr(3.0), ExpectedMin: 2, ExpectedMax: 2},
				{Code: "AMOXICILLIN_ORAL", Problem: WrongDuration, Measure: "duration_days", Given: ptr(3.0), ExpectedMin: 5, ExpectedMax: 5}},
			feedback: []string{"dose_error:AMOXICILLIN_ORAL", "dose_error:AMOXICILLIN_ORAL"}},
		{name: "gentamicin inside its ml band", a: severePneumonia, correct: true,
			spoil: func(w *WorkerActions, _ imci.Result) {
				setTreatment(w, "IM_GENTAMICIN", func(g *WorkerTreatment) { g.DoseMl, g.DoseMg = ptr(1.5), nil })
			},
			missed: []string{}, extra: []string{}, doseErrors: []DoseError{}, feedback: []string{}},
		{name: "ampicillin 10% off a per-kg dose is accepted, 25% is not", a: severePneumonia,
			spoil: func(w *WorkerActions, _ imci.Result) {
				setTreatment(w, "IM_AMPICILLIN", func(g *WorkerTreatment) { g.DoseMl, g.DoseMg = ptr(2.2), nil })
				setTreatment(w, "IM_GENTAMICIN", func(g *WorkerTreatment) { g.DoseMl, g.DoseMg = nil, ptr(90.0) })
			},
			missed: []string{}, extra: []string{},
			doseErrors: []DoseError{{Code: "IM_GENTAMICIN", Problem: DoseOutOfBand, Measure: "dose_mg", Unit: "mg", Given: ptr(90.0), ExpectedMin: 44, ExpectedMax: 72}},
			feedback:   []string{"dose_error:IM_GENTAMICIN"}},
		{name: "antibiotic with no indication", a: coughOrCold30m,
			spoil: func(w *WorkerActions, _ imci.Result) {
				w.Treatments = append(w.Treatments, WorkerTreatment{Code: "AMOXICILLIN_ORAL", UnitsPerDose: ptr(2.0), FrequencyPerDay: ptr(2), DurationDays: ptr(5)})
			},
			missed: []string{}, extra: []string{"AMOXICILLIN_ORAL"}, doseErrors: []DoseError{}, notIndicated: true,
			feedback: []string{"antibiotic_not_indicated:AMOXICILLIN_ORAL"}},
		{name: "oral amoxicillin instead of pre-referral injections", a: severePneumonia,
			spoil: func(w *WorkerActions, _ imci.Result) {
				w.Treatments = []WorkerTreatment{{Code: "AMOXICILLIN_ORAL", UnitsPerDose: ptr(1.0), FrequencyPerDay: ptr(2), DurationDays: ptr(5)}}
			},
			missed: []string{"IM_AMPICILLIN", "IM_GENTAMICIN"}, extra: []string{"AMOXICILLIN_ORAL"}, doseErrors: []DoseError{}, notIndicated: true,
			feedback: []string{"antibiotic_not_indicated:AMOXICILLIN_ORAL", "missed_treatment:IM_AMPICILLIN", "missed_treatment:IM_GENTAMICIN"}},
		{name: "missed antimalarial, extra paracetamol course", a: malaria,
			spoil: func(w *WorkerActions, _ imci.Result) {
				removeTreatment(w, "ARTEMETHER_LUMEFANTRINE")
				w.Treatments = append(w.Treatments, WorkerTreatment{Code: "CIPROFLOXACIN", UnitsPerDose: ptr(1.0)})
			},
			missed: []string{"ARTEMETHER_LUMEFANTRINE"}, extra: []string{"CIPROFLOXACIN"}, doseErrors: []DoseError{}, notIndicated: true,
			feedback: []string{"antibiotic_not_indicated:CIPROFLOXACIN", "missed_treatment:ARTEMETHER_LUMEFANTRINE"}},
		{name: "non-antimicrobial extra does not fail treatment", a: coughOrCold30m, correct: true,
			spoil: func(w *WorkerActions, _ imci.Result) {
				w.Treatments = append(w.Treatments, WorkerTreatment{Code: "PARACETAMOL", UnitsPerDose: ptr(1.0)})
			},
			missed: []string{}, extra: []string{"PARACETAMOL"}, doseErrors: []DoseError{}, feedback: []string{"extra_treatment:PARACETAMOL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s := scored(t, tt.a, tt.spoil)
			if s.TreatmentCorrect != tt.correct {
				t.Errorf("treatment_correct = %v, want %v", s.TreatmentCorrect, tt.correct)
			}
			check(t, "missed", s.TreatmentsMissed, tt.missed)
			check(t, "extra", s.TreatmentsExtra, tt.extra)
			check(t, "dose errors", s.DoseErrors, tt.doseErrors)
			if s.AntibioticNotIndicated != tt.notIndicated {
				t.Errorf("antibiotic_not_indicated = %v", s.AntibioticNotIndicated)
			}
			check(t, "feedback", kinds(s.Feedback), tt.feedback)
		})
	}
}

func TestScoreReferralAndFollowUp(t *testing.T) {
	tests := []struct {
		name             string
		a                assessment
		referred         bool
		followUp         *int
		referral, follow bool
	}{
		{"pneumonia, 3 days", pneumonia, false, ptr(3), true, true},
		{"pneumonia, 5 days", pneumonia, false, ptr(5), true, false},
		{"pneumonia, no follow-up", pneumonia, false, nil, true, false},
		{"cough or cold, 5 days", coughOrCold30m, false, ptr(5), true, true},
		{"severe pneumonia referred, null follow-up", severePneumonia, true, nil, true, true},
		{"severe pneumonia referred with a follow-up", severePneumonia, true, ptr(2), true, false},
		{"severe pneumonia not referred", severePneumonia, false, nil, false, true},
		{"young infant, nothing needed", youngInfant(), false, nil, true, true},
		{"young infant, follow-up not needed", youngInfant(), false, ptr(2), true, false},
		{"young infant very severe not referred", yiVerySevere, false, nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s := scored(t, tt.a, func(w *WorkerActions, _ imci.Result) { w.Referred, w.FollowUpDays = tt.referred, tt.followUp })
			if s.ReferralCorrect != tt.referral || s.FollowUpCorrect != tt.follow {
				t.Errorf("referral_correct %v follow_up_correct %v, want %v %v", s.ReferralCorrect, s.FollowUpCorrect, tt.referral, tt.follow)
			}
			if s.CorrectlyManaged != (tt.referral && tt.follow) {
				t.Errorf("correctly_managed = %v", s.CorrectlyManaged)
			}
		})
	}
}

func TestScoreCounselling(t *testing.T) {
	tests := []struct {
		name     string
		a        assessment
		c        Counselling
		complete bool
		feedback []string
	}{
		{"oral drug expected, not taught", pneumonia, Counselling{AdvisedWhenToReturnImmediately: true, FeedingCounselled: true, FirstDoseGivenAtFacility: true, FluidsAndFeedingAdvised: true},
			false, []string{"counselling:TEACH_ORAL_DRUGS"}},
		{"no oral drug, no feeding: return advice is enough", coughOrCold30m, Counselling{AdvisedWhenToReturnImmediately: true, FluidsAndFeedingAdvised: true},
			true, []string{}},
		{"return advice missing", coughOrCold30m, Counselling{FluidsAndFeedingAdvised: true}, false, []string{"counselling:RETURN_IMMEDIATELY"}},
		{"feeding counselling required under 2 years", pneumonia, Counselling{AdvisedWhenToReturnImmediately: true, TaughtHowToGiveOralDrugs: true, FirstDoseGivenAtFacility: true, FluidsAndFeedingAdvised: true},
			false, []string{"counselling:COUNSEL_FEEDING"}},
		{"first dose and fluids are coached, not scored", malaria, Counselling{AdvisedWhenToReturnImmediately: true, TaughtHowToGiveOralDrugs: true, FeedingCounselled: true},
			true, []string{"counselling:ARTEMETHER_LUMEFANTRINE", "counselling:FLUIDS_AND_FEEDING"}},
		{"referred child: deferred feeding advice not required", severePneumonia, Counselling{AdvisedWhenToReturnImmediately: true},
			true, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s := scored(t, tt.a, func(w *WorkerActions, _ imci.Result) { w.Counselling = tt.c })
			if s.CounsellingComplete != tt.complete {
				t.Errorf("counselling_complete = %v, want %v", s.CounsellingComplete, tt.complete)
			}
			check(t, "feedback", kinds(s.Feedback), tt.feedback)
		})
	}
}

func TestFeedbackOrderAndMessages(t *testing.T) {
	_, s := scored(t, severePneumonia, func(w *WorkerActions, _ imci.Result) {
		replaceClass(w, "SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", "PNEUMONIA")
		w.Referred = false
		w.FollowUpDays = ptr(3)
		w.Treatments = []WorkerTreatment{{Code: "AMOXICILLIN_ORAL", UnitsPerDose: ptr(1.0), FrequencyPerDay: ptr(2), DurationDays: ptr(5)}}
		w.Counselling.AdvisedWhenToReturnImmediately = false
		delete(w.Tasks, TaskCountBreaths)
	})
	want := []string{
		"missed_pink_classification:SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", "missed_referral:URGENT_REFERRAL",
		"antibiotic_not_indicated:AMOXICILLIN_ORAL", "missed_treatment:IM_AMPICILLIN", "missed_treatment:IM_GENTAMICIN",
		"follow_up:FOLLOW_UP", "counselling:RETURN_IMMEDIATELY", "missed_task:count_breaths_one_minute",
	}
	check(t, "feedback", kinds(s.Feedback), want)
	last := s.Feedback[len(s.Feedback)-1]
	if last.Message != "Count the breaths for one full minute: fast breathing decides pneumonia." ||
		last.MessageKey != "observation.feedback.task.count_breaths_one_minute" || last.Severity != SeverityMinor {
		t.Errorf("task point = %+v", last)
	}
	first := s.Feedback[0]
	if first.Severity != SeverityCritical || first.Args["given"] != "PNEUMONIA" || first.Message == "" {
		t.Errorf("first point = %+v", first)
	}
	for _, p := range s.Feedback {
		if p.Message == "" || p.MessageKey == "" || p.Args == nil {
			t.Errorf("incomplete point %+v", p)
		}
	}
}

func TestAssessmentIndex(t *testing.T) {
	_, s := scored(t, pneumonia, func(w *WorkerActions, _ imci.Result) {
		w.Tasks[TaskCountBreaths] = false
		delete(w.Tasks, TaskMeasureMUAC)
		w.Tasks[TaskMalariaTest] = true // done but not required: ignored
	})
	// pneumonia at 8 months: 8 general + 3 cough + 6 always + MUAC + feeding = 19 required
	if len(s.TasksRequired) != 19 {
		t.Fatalf("required %d: %v", len(s.TasksRequired), s.TasksRequired)
	}
	check(t, "missed", s.TasksMissed, []string{TaskCountBreaths, TaskMeasureMUAC})
	if s.AssessmentIndex != 17.0/19 {
		t.Errorf("index = %v", s.AssessmentIndex)
	}
	if !s.CorrectlyManaged {
		t.Error("missed tasks do not change correct management")
	}
}

func TestIncompleteBoxNotJudged(t *testing.T) {
	a := malaria.with("fever.malaria_test", "not_done")
	_, s := scored(t, a, func(w *WorkerActions, _ imci.Result) {
		w.Classifications = append(w.Classifications, "MALARIA")
		w.Tasks[TaskMalariaTest] = false
	})
	check(t, "extra", s.ClassificationsExtra, []string{})
	if !slices.ContainsFunc(s.Warnings, func(w Warning) bool { return w.Code == WarnExpectedIncomplete && w.Field == "FEVER" }) {
		t.Errorf("warnings %+v", s.Warnings)
	}
	if !slices.Contains(s.TasksMissed, TaskMalariaTest) {
		t.Errorf("missed %v", s.TasksMissed)
	}
}
