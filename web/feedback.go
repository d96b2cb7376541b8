package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/i18n"
	"mesh/imci"
	"mesh/observation"
)

// The feedback screen, shown right after an observation is saved: the teaching moment
// of the visit. It says what went well first, then the coaching points in the score's
// order (a missed pink classification or urgent referral first), each in plain words
// in the reader's language, then the correct treatment with its doses.

// FeedbackPage is one observation's feedback.
type FeedbackPage struct {
	Page
	Record           *observation.Record
	Worker           string
	Facility         string
	Right, Of        int // the five management checks of observation.md §3
	CorrectlyManaged bool
	Checks           []FeedbackCheck
	TasksDone        int
	TasksRequired    int
	ClassifiedRight  []IMCIClass
	Points           []FeedbackPointView
	Expected         *IMCIResult
	// DraftKey names the form whose browser draft this save completes, so
	// imci-form.js drops it (the next child starts from an empty form).
	DraftKey   string
	CanObserve bool
}

// FeedbackCheck is one of the five checks, right or not.
type FeedbackCheck struct {
	Label string
	OK    bool
}

// FeedbackPointView is one coaching point in words.
type FeedbackPointView struct {
	Severity, SeverityLabel, Text string
}

func (s *Server) showFeedback(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	err := auth.Check(c, account.ReadObservations, "")
	var rec *observation.Record
	if err == nil {
		rec, err = s.Store.FindObservationByID(r.Context(), r.PathValue("id"))
	}
	if err == nil {
		err = auth.Check(c, account.ReadObservations, rec.FacilityPath)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &FeedbackPage{Page: s.page(w, r, "feedback.title"), Record: rec, DraftKey: "/visits/" + rec.VisitID + "/observe",
		CanObserve: auth.Check(c, account.WriteObservations, rec.FacilityPath) == nil}
	if h, err := s.Store.FindHealthWorkerByID(r.Context(), rec.HealthWorkerID); err == nil {
		p.Worker = h.Name
	}
	if f, err := s.Store.FindOrgUnitByID(r.Context(), rec.FacilityID); err == nil {
		p.Facility = f.Name
	}
	var expected imci.Result
	if err := json.Unmarshal(rec.Expected, &expected); err != nil {
		s.fail(w, r, mesh.Errorf(mesh.EINTERNAL, "observation %s: stored expected result: %v", rec.ID, err))
		return
	}
	fillFeedback(p, rec.Score, expected, rec.Worker.Classifications)
	s.render(w, r, http.StatusOK, "feedback", p)
}

// fillFeedback puts a score into words.
func fillFeedback(p *FeedbackPage, sc observation.Score, expected imci.Result, given []string) {
	lang := p.Lang
	p.CorrectlyManaged = sc.CorrectlyManaged
	for _, ch := range []struct {
		key string
		ok  bool
	}{{"classification", sc.ClassificationCorrect}, {"treatment", sc.TreatmentCorrect}, {"referral", sc.ReferralCorrect},
		{"follow_up", sc.FollowUpCorrect}, {"counselling", sc.CounsellingComplete}} {
		p.Checks = append(p.Checks, FeedbackCheck{Label: tr(lang, "feedback.check."+ch.key), OK: ch.ok})
		p.Of++
		if ch.ok {
			p.Right++
		}
	}
	p.TasksRequired = len(sc.TasksRequired)
	p.TasksDone = p.TasksRequired - len(sc.TasksMissed)
	for _, c := range expected.Classifications {
		if slices.Contains(given, c.Code) {
			p.ClassifiedRight = append(p.ClassifiedRight, IMCIClass{Code: c.Code, Label: className(lang, c.Code),
				Colour: strings.ToLower(c.Colour), ColourLabel: tr(lang, "imci.colour."+c.Colour)})
		}
	}
	for _, fp := range sc.Feedback {
		p.Points = append(p.Points, FeedbackPointView{Severity: fp.Severity,
			SeverityLabel: tr(lang, "feedback.severity."+fp.Severity), Text: feedbackText(lang, fp, expected)})
	}
	p.Expected = newIMCIResult(lang, expected)
}

// feedbackKey is the catalog key of a coaching point: feedback.<key> for the
// observation package's message key observation.feedback.<key>.
func feedbackKey(messageKey string) string {
	return "feedback." + strings.TrimPrefix(messageKey, "observation.feedback.")
}

// feedbackText writes one coaching point in lang from its message key and arguments:
// codes become their names in lang, numbers stay numbers. A key the catalog does not
// know (a newer scorer) falls back to the scorer's English message, never to nothing.
func feedbackText(lang string, fp observation.FeedbackPoint, expected imci.Result) string {
	key := feedbackKey(fp.MessageKey)
	if !i18n.Has(i18n.Default, key) {
		return fp.Message
	}
	a := fp.Args
	class := func(name string) string { return className(lang, a[name]) }
	treat := func(name string) string { return codeText(lang, "imci.treat.", a[name]) }
	given := func() string {
		switch a["given"] {
		case "", "nothing", "none":
			return tr(lang, "feedback.nothing_written")
		}
		return a["given"]
	}
	band := func() string {
		if a["min"] == a["max"] || a["max"] == "" {
			return a["min"]
		}
		return a["min"] + "–" + a["max"]
	}
	unit := func() string { return codeText(lang, "imci.unit.", a["unit"]) }
	var text string
	switch strings.TrimPrefix(key, "feedback.") {
	case "classification.missed_pink":
		text = tr(lang, key, class("classification"))
		if a["given"] != "" {
			text += " " + tr(lang, "feedback.wrote_instead", class("given"))
		}
		if imci.IsUrgentClassification(a["classification"]) {
			text += " " + tr(lang, "feedback.action.urgent")
		} else {
			text += " " + tr(lang, "feedback.action.treat_now")
		}
	case "referral.missed":
		var names []string
		for _, c := range expected.ReferralReasons {
			names = append(names, className(lang, c))
		}
		text = tr(lang, key, strings.Join(names, ", "))
	case "classification.under", "classification.over":
		text = tr(lang, key, class("given"), class("classification"))
	case "classification.missed", "classification.extra":
		text = tr(lang, key, class("classification"))
	case "treatment.not_indicated", "treatment.extra", "counselling.first_dose":
		text = tr(lang, key, treat("treatment"))
	case "treatment.missed":
		var names []string
		for _, c := range strings.Split(a["for"], ",") {
			if c != "" {
				names = append(names, className(lang, c))
			}
		}
		text = tr(lang, key, treat("treatment"), strings.Join(names, ", "))
	case "dose.out_of_band":
		text = tr(lang, key, treat("treatment"), given(), band(), unit())
	case "dose.not_recorded":
		text = tr(lang, key, treat("treatment"), band(), unit())
	case "dose.frequency", "dose.duration":
		text = tr(lang, key, treat("treatment"), band(), given())
	case "follow_up.days":
		text = tr(lang, key, a["days"], given())
	default:
		text = tr(lang, key)
	}
	return text
}
