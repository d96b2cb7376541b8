package web

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/voice"
)

// The mentee's voice (docs/mentee-voice.md): the anonymous feedback form a nurse
// opens from the code her mentor shows, the mentor's code page, the results page and
// the evaluators' coding workspace.

// voiceRoutes registers the mentee's voice pages; the store must keep them
// (voice.Store), checked here so a wiring mistake stops the server at start.
func (s *Server) voiceRoutes(mux *http.ServeMux) {
	if _, ok := s.Store.(voice.Store); !ok {
		panic("web: the store does not implement voice.Store")
	}
	mux.HandleFunc("GET /feedback", s.feedbackCodeEntry)
	mux.HandleFunc("GET /feedback/thanks", s.feedbackThanks)
	mux.HandleFunc("GET /feedback/{code}", s.feedbackForm)
	mux.HandleFunc("POST /feedback/{code}", s.submitFeedback)
	mux.HandleFunc("GET /voice/visits/{id}/code", s.visitFeedbackCode)
	mux.HandleFunc("POST /voice/visits/{id}/code", s.makeFeedbackCode)
	mux.HandleFunc("GET /voice/results", s.voiceResults)
	mux.HandleFunc("GET /voice/coding", s.codingHome)
	mux.HandleFunc("POST /voice/coding/sources", s.createCodingSource)
	mux.HandleFunc("GET /voice/coding/sources/{id}", s.codingSource)
	mux.HandleFunc("POST /voice/coding/sources/{id}/passages", s.tagPassage)
	mux.HandleFunc("GET /voice/coding/quotes.csv", s.codingQuotesCSV)
	mux.HandleFunc("GET /voice/coding/quotes.xlsx", s.codingQuotesXLSX)
}

func (s *Server) voice() voice.Store { return s.Store.(voice.Store) }

// FeedbackFormPage is the anonymous feedback form.
type FeedbackFormPage struct {
	Page
	Code     string
	ID       string // the answer's id, made with the form so a resubmit is a repeat
	Facility string
	Items    []FeedbackItem
	Comment  string
	Max      int
	Form     Form
}

// FeedbackItem is one statement with its five choices.
type FeedbackItem struct {
	Key, Text string
	Choices   []FeedbackChoice
	Error     string
}

// FeedbackChoice is one point of the 5-point scale.
type FeedbackChoice struct {
	Value   int
	Label   string
	Checked bool
}

// FeedbackCodePage asks for a code typed from the mentor's screen, or shows a
// visit's code to its mentor.
type FeedbackCodePage struct {
	Page
	Code      *voice.Code
	VisitID   string
	Link      string
	Unknown   bool
	CanCreate bool
}

// feedbackCodeEntry lets a nurse type the code the mentor shows (?code= sends her on).
func (s *Server) feedbackCodeEntry(w http.ResponseWriter, r *http.Request) {
	if c := voice.NormalizeCode(r.URL.Query().Get("code")); c != "" {
		if voice.ValidCode(c) {
			redirect(w, r, "/feedback/"+c)
			return
		}
		p := &FeedbackCodePage{Page: s.page(w, r, "voice.enter.title"), Unknown: true}
		s.render(w, r, http.StatusNotFound, "voice_code", p)
		return
	}
	s.render(w, r, http.StatusOK, "voice_code", &FeedbackCodePage{Page: s.page(w, r, "voice.enter.title")})
}

// findCode resolves the {code} of the path; an unknown code is a page that does not
// exist, the same answer whether the code never existed or was mistyped.
func (s *Server) findCode(r *http.Request) (*voice.Code, error) {
	code := voice.NormalizeCode(r.PathValue("code"))
	if !voice.ValidCode(code) {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "no such feedback code")
	}
	return s.voice().FindFeedbackCode(r.Context(), code)
}

func (s *Server) feedbackForm(w http.ResponseWriter, r *http.Request) {
	code, err := s.findCode(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.feedbackPage(w, r, code, voiceID(), nil, "", Form{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "voice_form", p)
}

func (s *Server) feedbackPage(w http.ResponseWriter, r *http.Request, code *voice.Code, id string, ratings map[string]int, comment string, f Form) (*FeedbackFormPage, error) {
	cfg, err := s.voice().VoiceConfig(r.Context())
	if err != nil {
		return nil, err
	}
	p := &FeedbackFormPage{Page: s.page(w, r, "voice.form.title"), Code: code.Code, ID: id, Facility: code.FacilityName,
		Comment: comment, Max: voice.MaxComment, Form: f}
	for _, it := range cfg.Items {
		text := it.Text[p.Lang]
		if text == "" {
			text = it.Text["en"]
		}
		fi := FeedbackItem{Key: it.Key, Text: text, Error: f.Err("ratings." + it.Key)}
		for v := 1; v <= 5; v++ {
			fi.Choices = append(fi.Choices, FeedbackChoice{Value: v, Label: tr(p.Lang, fmt.Sprintf("voice.scale.%d", v)), Checked: ratings[it.Key] == v})
		}
		p.Items = append(p.Items, fi)
	}
	return p, nil
}

// submitFeedback stores an answer. The page's language is the answer's language; no
// session, user or address is recorded with it (the store is handed an anonymous
// actor even when someone is logged in on the facility's device).
func (s *Server) submitFeedback(w http.ResponseWriter, r *http.Request) {
	code, err := s.findCode(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cfg, err := s.voice().VoiceConfig(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := language(w, r)
	resp := &voice.Response{ID: formValue(r, "id"), VisitID: code.VisitID, Code: code.Code, Ratings: map[string]int{},
		Comment: formValue(r, "comment"), Language: lang}
	var errs []mesh.FieldError
	for _, it := range cfg.Items {
		if v := formValue(r, "rating."+it.Key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, mesh.FieldError{Code: "OUT_OF_RANGE", Field: "ratings." + it.Key})
				continue
			}
			resp.Ratings[it.Key] = n
		}
	}
	if len(errs) == 0 {
		_, err = s.voice().PutResponse(mesh.WithActor(r.Context(), mesh.Actor{Username: "anonymous"}), resp)
	} else {
		err = mesh.Invalid(errs...)
	}
	if mesh.ErrorCode(err) == mesh.EINVALID {
		var f Form
		for _, fe := range mesh.ErrorFields(err) {
			switch {
			case fe.Field == "ratings":
				f.General = tr(lang, "voice.err.ratings") // no statement rated: said at the top
			case fe.Field == "comment":
				f.add(lang, fe.Field, "voice.err.comment")
			case strings.HasPrefix(fe.Field, "ratings."):
				f.add(lang, fe.Field, "voice.err.rating")
			default: // the hidden id or a stale page: nothing the nurse can fix field by field
				f.General = tr(lang, "error.bad_request")
			}
		}
		if f.General == "" {
			f.General = tr(lang, "error.fix_below")
		}
		p, perr := s.feedbackPage(w, r, code, resp.ID, resp.Ratings, resp.Comment, f)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		s.render(w, r, http.StatusBadRequest, "voice_form", p)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/feedback/thanks")
}

func (s *Server) feedbackThanks(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "voice_thanks", &FeedbackCodePage{Page: s.page(w, r, "voice.thanks.title")})
}

// loadVisitForCode checks the caller may ask feedback on the visit: someone who may
// record visits there, and for a mentor only their own visit.
func (s *Server) loadVisitForCode(r *http.Request) (string, error) {
	c := caller(r)
	if err := auth.Check(c, account.WriteVisits, ""); err != nil {
		return "", err
	}
	v, err := s.Store.FindVisitByID(r.Context(), r.PathValue("id"))
	if err == nil {
		err = auth.Check(c, account.WriteVisits, v.FacilityPath)
	}
	if err == nil && c.User.Role == account.Mentor && v.MentorID != c.User.ID {
		err = mesh.Errorf(mesh.EFORBIDDEN, "a mentor asks feedback on their own visits only")
	}
	if err != nil {
		return "", err
	}
	return v.ID, nil
}

// visitFeedbackCode shows a visit's code and link in large type for the nurses to
// copy, or a button to make one.
func (s *Server) visitFeedbackCode(w http.ResponseWriter, r *http.Request) {
	id, err := s.loadVisitForCode(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &FeedbackCodePage{Page: s.page(w, r, "voice.code.title"), VisitID: id, CanCreate: true}
	code, err := s.voice().FeedbackCode(r.Context(), id, false)
	if err == nil {
		p.Code, p.Link = code, "/feedback/"+code.Code
	} else if mesh.ErrorCode(err) != mesh.ENOTFOUND {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "voice_code", p)
}

func (s *Server) makeFeedbackCode(w http.ResponseWriter, r *http.Request) {
	id, err := s.loadVisitForCode(r)
	if err == nil {
		_, err = s.voice().FeedbackCode(r.Context(), id, true)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/voice/visits/"+url.PathEscape(id)+"/code")
}

// voiceID makes a random (version 4) UUID for an answer's form; kept here rather
// than shared so the anonymous form depends on nothing but this file.
func voiceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
