package observation

import (
	"fmt"
	"strconv"
	"strings"

	"mesh/imci"
)

// Feedback kinds, in the order points are given (most important first, §3).
const (
	KindMissedPinkClassification = "missed_pink_classification"
	KindMissedReferral           = "missed_referral"
	KindUnderClassified          = "under_classified"
	KindMissedClassification     = "missed_classification"
	KindOverClassified           = "over_classified"
	KindExtraClassification      = "extra_classification"
	KindAntibioticNotIndicated   = "antibiotic_not_indicated"
	KindDoseError                = "dose_error"
	KindMissedTreatment          = "missed_treatment"
	KindExtraTreatment           = "extra_treatment"
	KindUnneededReferral         = "unneeded_referral"
	KindFollowUp                 = "follow_up"
	KindCounselling              = "counselling"
	KindMissedTask               = "missed_task"
)

// Severities of a feedback point.
const (
	SeverityCritical = "critical" // a danger to the child: missed pink or urgent referral
	SeverityMajor    = "major"    // changes the treatment the child gets
	SeverityMinor    = "minor"    // practice to improve
	SeverityInfo     = "info"     // good practice not counted in the score
)

// FeedbackPoint is one coaching point. Message is plain English naming the sign or
// rule; MessageKey and Args let the web layer show it in the user's language.
type FeedbackPoint struct {
	Kind       string            `json:"kind"`
	Severity   string            `json:"severity"`
	Code       string            `json:"code"`
	MessageKey string            `json:"message_key"`
	Args       map[string]string `json:"args"`
	Message    string            `json:"message"`
}

// fb builds feedback points in order.
type fb struct{ points []FeedbackPoint }

func (f *fb) add(kind, severity, code, key string, args map[string]string, format string, a ...any) {
	if args == nil {
		args = map[string]string{}
	}
	f.points = append(f.points, FeedbackPoint{Kind: kind, Severity: severity, Code: code,
		MessageKey: "observation.feedback." + key, Args: args, Message: fmt.Sprintf(format, a...)})
}

// feedback orders the coaching points: missed pink classifications and a missed urgent
// referral, other classification errors, antibiotics not indicated, dose errors,
// missed treatments, extra treatments and referrals, follow-up, counselling, tasks.
func feedback(c Case, expected imci.Result, s Score, p *imci.Protocol) []FeedbackPoint {
	f := &fb{}
	f.classifications(expected, s)
	f.referralMissed(c.Observation.Worker.Referred, expected)
	f.otherClassifications(expected, s)
	f.treatments(c.Observation.Worker, expected, s, p)
	f.followUp(c.Observation.Worker.FollowUpDays, expected, s)
	f.counselling(c.Observation.Worker.Counselling, expected, s)
	for _, t := range s.TasksMissed {
		f.add(KindMissedTask, SeverityMinor, t, "task."+t, map[string]string{"task": t}, "%s", taskMessages[t])
	}
	if f.points == nil {
		return []FeedbackPoint{}
	}
	return f.points
}

// classifications gives the missed pink classifications, the most dangerous errors.
func (f *fb) classifications(expected imci.Result, s Score) {
	for _, code := range s.ClassificationsMissed {
		c := expectedClass(expected, code)
		if c.Colour != imci.Pink {
			continue
		}
		given := pairedGiven(s.UnderClassified, code)
		args := map[string]string{"classification": code, "reasons": reasons(c), "given": given}
		action := "This child needs treatment at the facility now."
		if imci.IsUrgentClassification(code) {
			action = "This child needs urgent pre-referral treatment and referral."
		}
		msg := fmt.Sprintf("Missed %s (pink)%s: %s. %s", name(code), wroteInstead(given), reasons(c), action)
		f.add(KindMissedPinkClassification, SeverityCritical, code, "classification.missed_pink", args, "%s", msg)
	}
}

func (f *fb) referralMissed(referred bool, expected imci.Result) {
	if !expected.UrgentReferral || referred {
		return
	}
	why := humanList(expected.ReferralReasons)
	f.add(KindMissedReferral, SeverityCritical, "URGENT_REFERRAL", "referral.missed", map[string]string{"reasons": why},
		"Refer urgently to hospital: %s calls for urgent referral.", why)
}

// otherClassifications gives under-, missed, over- and extra classifications.
func (f *fb) otherClassifications(expected imci.Result, s Score) {
	for _, code := range s.ClassificationsMissed {
		c := expectedClass(expected, code)
		if c.Colour == imci.Pink {
			continue
		}
		if given := pairedGiven(s.UnderClassified, code); given != "" {
			f.add(KindUnderClassified, SeverityMajor, code, "classification.under",
				map[string]string{"classification": code, "given": given, "reasons": reasons(c)},
				"Under-classified: %s was written, but the signs give %s (%s): %s.", name(given), name(code), strings.ToLower(c.Colour), reasons(c))
			continue
		}
		if given := pairedGiven(s.OverClassified, code); given != "" {
			f.add(KindOverClassified, SeverityMinor, code, "classification.over",
				map[string]string{"classification": code, "given": given, "reasons": reasons(c)},
				"Over-classified: %s was written, but the signs give %s: %s.", name(given), name(code), reasons(c))
			continue
		}
		f.add(KindMissedClassification, SeverityMajor, code, "classification.missed",
			map[string]string{"classification": code, "reasons": reasons(c)},
			"Classify %s: %s.", name(code), reasons(c))
	}
	for _, code := range s.ClassificationsExtra {
		if pairedExpected(s.UnderClassified, code) || pairedExpected(s.OverClassified, code) {
			continue
		}
		f.add(KindExtraClassification, SeverityMinor, code, "classification.extra", map[string]string{"classification": code},
			"%s was written, but the child's signs do not meet its row of the chart.", capital(name(code)))
	}
}

func (f *fb) treatments(w WorkerActions, expected imci.Result, s Score, p *imci.Protocol) {
	notIndicated := func(code string) bool { return imci.IsAntimicrobial(code) && !drugIndicated(p, code, expected) }
	for _, code := range s.TreatmentsExtra {
		if notIndicated(code) {
			f.add(KindAntibioticNotIndicated, SeverityMajor, code, "treatment.not_indicated", map[string]string{"treatment": code},
				"%s was given, but no classification calls for it: an antibiotic or antimalarial without indication breeds resistance and hides the real illness.", capital(name(code)))
		}
	}
	for _, e := range s.DoseErrors {
		f.doseError(e)
	}
	for _, code := range s.TreatmentsMissed {
		t, _ := findExpected(expected.Treatments, code)
		f.add(KindMissedTreatment, SeverityMajor, code, "treatment.missed",
			map[string]string{"treatment": code, "for": strings.Join(t.For, ","), "dose": t.DoseText},
			"Give %s for %s: %s.", name(code), humanList(t.For), t.DoseText)
	}
	for _, code := range s.TreatmentsExtra {
		if notIndicated(code) {
			continue
		}
		f.add(KindExtraTreatment, SeverityMinor, code, "treatment.extra", map[string]string{"treatment": code},
			"%s was given, but no classification of this child calls for it.", capital(name(code)))
	}
	if w.Referred && !s.ReferralCorrect {
		f.add(KindUnneededReferral, SeverityMinor, "URGENT_REFERRAL", "referral.unneeded", nil,
			"No classification of this child calls for referral: treat at the facility and at home.")
	}
}

func (f *fb) doseError(e DoseError) {
	args := map[string]string{"treatment": e.Code, "measure": e.Measure, "unit": e.Unit,
		"min": fmtNum(e.ExpectedMin), "max": fmtNum(e.ExpectedMax), "given": fmtPtr(e.Given)}
	band := fmtNum(e.ExpectedMin)
	if e.ExpectedMax != e.ExpectedMin {
		band += "-" + fmtNum(e.ExpectedMax)
	}
	switch e.Problem {
	case DoseOutOfBand:
		f.add(KindDoseError, SeverityMajor, e.Code, "dose.out_of_band", args,
			"Dose of %s: %s %s given, the chart band for this child is %s %s.", name(e.Code), fmtPtr(e.Given), e.Unit, band, e.Unit)
	case DoseNotRecorded:
		f.add(KindDoseError, SeverityMajor, e.Code, "dose.not_recorded", args,
			"Write the dose of %s: the chart band for this child is %s %s.", name(e.Code), band, e.Unit)
	case WrongFrequency:
		f.add(KindDoseError, SeverityMajor, e.Code, "dose.frequency", args,
			"Give %s %s times a day (written: %s).", name(e.Code), band, fmtPtr(e.Given))
	case WrongDuration:
		f.add(KindDoseError, SeverityMajor, e.Code, "dose.duration", args,
			"Give %s for %s days (written: %s).", name(e.Code), band, fmtPtr(e.Given))
	}
}

func (f *fb) followUp(given *int, expected imci.Result, s Score) {
	if s.FollowUpCorrect {
		return
	}
	args := map[string]string{"given": fmtIntPtr(given)}
	switch {
	case expected.FollowUpDays.OK:
		args["days"] = strconv.Itoa(expected.FollowUpDays.V)
		f.add(KindFollowUp, SeverityMinor, "FOLLOW_UP", "follow_up.days", args,
			"Ask the caregiver to come back for follow-up in %d days (the earliest follow-up of this child's classifications; written: %s).",
			expected.FollowUpDays.V, fmtIntPtr(given))
	case expected.UrgentReferral:
		f.add(KindFollowUp, SeverityMinor, "FOLLOW_UP", "follow_up.referred", args,
			"A child referred urgently gets no follow-up visit: the hospital takes over care.")
	default:
		f.add(KindFollowUp, SeverityMinor, "FOLLOW_UP", "follow_up.none", args,
			"No follow-up visit is needed. Ask the caregiver to come back if the child gets worse.")
	}
}

func (f *fb) counselling(c Counselling, expected imci.Result, s Score) {
	if !c.AdvisedWhenToReturnImmediately {
		f.add(KindCounselling, SeverityMinor, "RETURN_IMMEDIATELY", "counselling.return", nil,
			"Tell the caregiver when to return immediately: not able to drink or breastfeed, becomes sicker, develops a fever.")
	}
	if s.Facts.OralDrugExpected && !c.TaughtHowToGiveOralDrugs {
		f.add(KindCounselling, SeverityMinor, "TEACH_ORAL_DRUGS", "counselling.oral_drugs", nil,
			"Teach the caregiver to give the oral drugs at home: show the dose, let her give the first dose, check she can repeat how many times a day and for how many days.")
	}
	if s.Facts.FeedingCounsellingRequired && !c.FeedingCounselled {
		f.add(KindCounselling, SeverityMinor, "COUNSEL_FEEDING", "counselling.feeding", nil,
			"Counsel on feeding: this child's age or nutrition calls for feeding advice.")
	}
	if home := firstHomeAntimicrobial(expected); home != "" && !c.FirstDoseGivenAtFacility {
		f.add(KindCounselling, SeverityInfo, home, "counselling.first_dose", map[string]string{"treatment": home},
			"Give the first dose of %s at the facility before the child goes home.", name(home))
	}
	if !expected.UrgentReferral && !c.FluidsAndFeedingAdvised {
		f.add(KindCounselling, SeverityInfo, "FLUIDS_AND_FEEDING", "counselling.fluids", nil,
			"Advise extra fluids and continued feeding (breastfeed more often) during the illness.")
	}
}

// firstHomeAntimicrobial is the first oral antibiotic or antimalarial the child takes home.
func firstHomeAntimicrobial(expected imci.Result) string {
	for _, t := range expected.Treatments {
		if imci.IsAntimicrobial(t.Code) && isHomeOralDrug(t) {
			return t.Code
		}
	}
	return ""
}

func pairedGiven(pairs []ClassificationPair, expectedCode string) string {
	for _, p := range pairs {
		if p.Expected == expectedCode {
			return p.Given
		}
	}
	return ""
}

func pairedExpected(pairs []ClassificationPair, given string) bool {
	for _, p := range pairs {
		if p.Given == given {
			return true
		}
	}
	return false
}

func wroteInstead(given string) string {
	if given == "" {
		return ""
	}
	return " (" + name(given) + " was written)"
}

// reasons are the engine's signs behind a classification, for the message.
func reasons(c imci.Classification) string {
	if len(c.Reasons) == 0 {
		return "see the " + strings.ToLower(c.Box) + " box of the chart"
	}
	return strings.Join(c.Reasons, "; ")
}

// name turns a code into words: SEVERE_DEHYDRATION → "severe dehydration".
func name(code string) string { return strings.ToLower(strings.ReplaceAll(code, "_", " ")) }

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func humanList(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = name(c)
	}
	return strings.Join(names, ", ")
}

func fmtPtr(f *float64) string {
	if f == nil {
		return "nothing"
	}
	return fmtNum(*f)
}

func fmtIntPtr(i *int) string {
	if i == nil {
		return "none"
	}
	return strconv.Itoa(*i)
}

// taskMessages name the sign each task looks for and why it matters.
var taskMessages = map[string]string{
	TaskAskDrinkOrBreastfeed:     "Ask whether the child can drink or breastfeed: not able to is a general danger sign.",
	TaskAskVomitsEverything:      "Ask whether the child vomits everything: it is a general danger sign.",
	TaskAskConvulsions:           "Ask about convulsions during this illness: they are a danger sign.",
	TaskLookLethargicUnconscious: "Look whether the child is lethargic or unconscious: it is a general danger sign.",
	TaskAskCough:                 "Ask about cough or difficult breathing: it is one of the four main symptoms.",
	TaskAskDiarrhoea:             "Ask about diarrhoea: it is one of the main symptoms.",
	TaskAskFever:                 "Ask about fever: it is one of the four main symptoms.",
	TaskAskEarProblem:            "Ask about an ear problem: it is one of the four main symptoms.",
	TaskCountBreaths:             "Count the breaths for one full minute: fast breathing decides pneumonia.",
	TaskLookChestIndrawing:       "Look for chest indrawing with the child calm: it changes the classification of the cough.",
	TaskLookListenStridorWheeze:  "Look and listen for stridor and wheeze: stridor in a calm child is a sign of severe disease.",
	TaskAskDiarrhoeaDuration:     "Ask how long the diarrhoea has lasted: 14 days or more is persistent diarrhoea.",
	TaskAskBloodInStool:          "Ask about blood in the stool: it means dysentery.",
	TaskLookSunkenEyes:           "Look for sunken eyes: a sign of dehydration.",
	TaskOfferFluid:               "Offer the child a drink: not able to drink or drinking eagerly decides the dehydration class.",
	TaskPinchSkin:                "Pinch the skin of the abdomen: slow return is a sign of dehydration.",
	TaskAskFeverDuration:         "Ask how long the fever has lasted. Fever every day for more than 7 days: refer for assessment.",
	TaskLookStiffNeck:            "Look and feel for a stiff neck: it means very severe febrile disease.",
	TaskLookMeaslesSigns:         "Look for a generalized rash with cough, runny nose or red eyes: signs of measles.",
	TaskMalariaTest:              "Do a malaria test: this child's malaria risk and signs require one before classifying the fever.",
	TaskLookEarPus:               "Look for pus draining from the ear: it decides acute or chronic ear infection.",
	TaskFeelBehindEar:            "Feel for tender swelling behind the ear: it means mastoiditis.",
	TaskMeasureTemperature:       "Measure the temperature: fever and low temperature change the classification.",
	TaskWeigh:                    "Weigh the child: doses and nutrition depend on weight.",
	TaskPlotGrowthChart:          "Plot the weight on the growth chart: it shows low weight and faltering growth.",
	TaskLookOedema:               "Look for oedema of both feet: it means complicated severe acute malnutrition.",
	TaskCheckPalmarPallor:        "Look at the palms for pallor: it decides anaemia.",
	TaskCheckImmunizationCard:    "Check the immunization card: give any vaccine due today.",
	TaskMeasureMUAC:              "Measure the MUAC: under 115 mm is severe acute malnutrition.",
	TaskAssessFeeding:            "Assess feeding: this child's age or classification calls for feeding advice based on what the child eats.",
	TaskAskFeeding:               "Ask about feeding: not feeding well is a sign of very severe disease in a young infant.",
	TaskLookSevereChestIndrawing: "Look for severe chest indrawing: in a young infant it means very severe disease.",
	TaskLookUmbilicus:            "Look at the umbilicus: red or draining pus means local bacterial infection.",
	TaskLookSkinPustules:         "Look for skin pustules: they mean local bacterial infection.",
	TaskLookMovement:             "Look at the young infant's movement: moving only when stimulated is a sign of very severe disease.",
	TaskLookJaundice:             "Look for jaundice and yellow palms and soles: they decide severe jaundice.",
	TaskObserveBreastfeed:        "Observe a breastfeed: check attachment and suckling to find a feeding problem.",
}
