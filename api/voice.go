package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/voice"
)

// The mentee's voice (docs/mentee-voice.md): anonymous feedback on visits, results
// that respect the anonymity threshold, and the evaluators' coding workspace.

// voiceRoutes registers the mentee's voice endpoints; the store must keep them
// (voice.Store), which is checked here so a wiring mistake stops the server at start.
func (s *Server) voiceRoutes(mux *http.ServeMux) {
	if _, ok := s.Store.(voice.Store); !ok {
		panic("api: the store does not implement voice.Store")
	}
	mux.HandleFunc("POST /api/v1/visits/{id}/feedback-code", s.postFeedbackCode)
	mux.HandleFunc("POST /api/v1/visits/{id}/feedback", s.postFeedback)
	mux.HandleFunc("GET /api/v1/feedback/items", s.feedbackItems)
	mux.HandleFunc("PUT /api/v1/feedback/config", s.putFeedbackConfig)
	mux.HandleFunc("GET /api/v1/feedback/results", s.feedbackResults)

	mux.HandleFunc("GET /api/v1/coding/themes", s.listThemes)
	mux.HandleFunc("POST /api/v1/coding/themes", s.postTheme)
	mux.HandleFunc("GET /api/v1/coding/sources", s.listSources)
	mux.HandleFunc("POST /api/v1/coding/sources", s.postSource)
	mux.HandleFunc("POST /api/v1/coding/sources/from-comments", s.postCommentSource)
	mux.HandleFunc("GET /api/v1/coding/sources/{id}", s.getSource)
	mux.HandleFunc("POST /api/v1/coding/sources/{id}/passages", s.postPassage)
	mux.HandleFunc("GET /api/v1/coding/sources/{id}/agreement", s.sourceAgreement)
	mux.HandleFunc("DELETE /api/v1/coding/passages/{id}", s.deletePassage)
	mux.HandleFunc("GET /api/v1/coding/theme-counts", s.themeCounts)
	mux.HandleFunc("GET /api/v1/coding/quotes.csv", s.quotesCSV)
	mux.HandleFunc("GET /api/v1/coding/quotes.xlsx", s.quotesXLSX)
}

func (s *Server) voice() voice.Store { return s.Store.(voice.Store) }

// postFeedbackCode gives the visit's feedback code (made on first call) to the
// mentor, who shows it or the link /feedback/{code} to the nurses they coached.
func (s *Server) postFeedbackCode(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.WriteVisits, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Store.FindVisitByID(ctx(r), r.PathValue("id"))
	if err == nil {
		err = auth.Check(c, account.WriteVisits, v.FacilityPath)
	}
	if err == nil && c.User.Role == account.Mentor && v.MentorID != c.User.ID {
		err = mesh.Errorf(mesh.EFORBIDDEN, "a mentor asks feedback on their own visits only")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code, err := s.voice().FeedbackCode(ctx(r), v.ID, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": code.Code, "path": "/feedback/" + code.Code,
		"responses": code.Responses, "limit": code.Limit})
}

// feedbackInput is an answer as a client sends it.
type feedbackInput struct {
	ID       string         `json:"id"`
	Code     string         `json:"code"`
	Ratings  map[string]int `json:"ratings"`
	Comment  string         `json:"comment"`
	Language string         `json:"language"`
}

// postFeedback takes one mentee's answer about a visit: anonymously with the visit's
// code, or from any logged-in user of the visit's area (the facility's device, say).
// The answer says nothing back about where it went, and nothing about who sent it is
// kept.
func (s *Server) postFeedback(w http.ResponseWriter, r *http.Request) {
	var in feedbackInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	created, err := s.SubmitFeedback(r, r.PathValue("id"), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"received": true})
}

// SubmitFeedback checks who may answer about visitID and stores the answer; shared
// with a future sync path (the field app's outbox retries are harmless: the client
// id makes them idempotent).
func (s *Server) SubmitFeedback(r *http.Request, visitID string, in feedbackInput) (bool, error) {
	resp := &voice.Response{ID: in.ID, VisitID: visitID, Code: in.Code, Ratings: in.Ratings, Comment: in.Comment, Language: in.Language}
	resp.Normalize()
	if resp.Code != "" {
		code, err := s.voice().FindFeedbackCode(ctx(r), resp.Code)
		if err != nil || code.VisitID != resp.VisitID {
			return false, mesh.Errorf(mesh.ENOTFOUND, "no such feedback code for this visit")
		}
	} else {
		c := caller(r)
		if err := auth.Check(c, account.ReadVisits, ""); err != nil {
			return false, err
		}
		v, err := s.Store.FindVisitByID(ctx(r), resp.VisitID)
		if err == nil {
			err = auth.Check(c, account.ReadVisits, v.FacilityPath)
		}
		if err != nil {
			return false, err
		}
		if v.MentorID == c.User.ID {
			return false, mesh.Errorf(mesh.EFORBIDDEN, "a mentor does not give feedback on their own visit")
		}
	}
	// Stored with an anonymous actor: nothing downstream may learn who sent it.
	anon := mesh.WithActor(ctx(r), mesh.Actor{Username: "anonymous"})
	return s.voice().PutResponse(anon, resp)
}

// feedbackItems lists the statements and the threshold; anyone may read them (the
// anonymous form needs them, and they are no secret).
func (s *Server) feedbackItems(w http.ResponseWriter, r *http.Request) {
	cfg, err := s.voice().VoiceConfig(ctx(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cfg.Items, "min_group": cfg.K(), "version": cfg.Version,
		"max_comment": voice.MaxComment, "languages": voice.Languages})
}

func (s *Server) putFeedbackConfig(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if c == nil {
		s.fail(w, r, mesh.Errorf(mesh.EUNAUTHORIZED, "log in first"))
		return
	}
	if !voice.CanConfigure(c.User) {
		s.fail(w, r, mesh.Errorf(mesh.EFORBIDDEN, "only an administrator changes the feedback statements"))
		return
	}
	var in voice.Config
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.voice().PutVoiceConfig(ctx(r), &in); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": in.Items, "min_group": in.K(), "version": in.Version})
}

// NamedResult is an aggregated group with a name to show.
type NamedResult struct {
	voice.Result
	Name string `json:"name"`
}

// feedbackResults answers the aggregated feedback the caller may see (voice.FilterFor):
// only groups of at least the threshold, only months that are over, never an answer
// on its own.
func (s *Server) feedbackResults(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	q, err := voice.ParseQuery(r.URL.Query().Get, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var f voice.ResponseFilter
	if c == nil {
		f, err = voice.FilterFor(nil, account.Scope{}, q)
	} else {
		f, err = voice.FilterFor(c.User, c.Scope, q)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cfg, err := s.voice().VoiceConfig(ctx(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rs, err := s.voice().FindResponses(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sum := voice.Aggregate(rs, voice.Options{Group: q.Group, K: cfg.K(), Items: cfg.Keys(), AllPeriods: q.AllPeriods})
	out := make([]NamedResult, len(sum.Results))
	for i, res := range sum.Results {
		out[i] = NamedResult{Result: res, Name: s.groupName(r, res)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"group": q.Group, "from": q.From, "to": q.To, "open_month": q.OpenMonth,
		"k": sum.K, "results": out, "hidden_groups": sum.Hidden})
}

// groupName names a result's mentor or place ("" for a pool of others).
func (s *Server) groupName(r *http.Request, res voice.Result) string {
	if res.ID == 0 {
		return ""
	}
	if res.Group == voice.ByMentor {
		if u, err := s.Store.FindUserByID(ctx(r), res.ID); err == nil {
			if u.DisplayName != "" {
				return u.DisplayName
			}
			return u.Username
		}
		return ""
	}
	if o, err := s.Store.FindOrgUnitByID(ctx(r), res.ID); err == nil {
		return o.Name
	}
	return ""
}

// checkCoder lets evaluators (managers, administrators) into the coding workspace.
func checkCoder(c *auth.Caller) error {
	if c == nil || c.User == nil {
		return mesh.Errorf(mesh.EUNAUTHORIZED, "log in first")
	}
	if !voice.CanCode(c.User) {
		return mesh.Errorf(mesh.EFORBIDDEN, "the coding workspace is for evaluators (managers and administrators)")
	}
	return nil
}

// loadSource fetches a source the caller may code.
func (s *Server) loadSource(r *http.Request) (*voice.Source, error) {
	c := caller(r)
	if err := checkCoder(c); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	src, err := s.voice().FindSourceByID(ctx(r), id)
	if err != nil {
		return nil, err
	}
	if !c.Scope.Contains(src.OrgUnitPath) {
		return nil, mesh.Errorf(mesh.EFORBIDDEN, "this record is outside your area")
	}
	return src, nil
}

func (s *Server) listThemes(w http.ResponseWriter, r *http.Request) {
	if err := checkCoder(caller(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	themes, err := s.voice().FindThemes(ctx(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, themes, len(themes))
}

func (s *Server) postTheme(w http.ResponseWriter, r *http.Request) {
	if err := checkCoder(caller(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	var t voice.Theme
	if err := s.decode(w, r, &t); err != nil {
		s.fail(w, r, err)
		return
	}
	t.ID = 0
	if err := s.voice().CreateTheme(ctx(r), &t); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) listSources(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := checkCoder(c); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.voice().FindSources(ctx(r), voice.SourceFilter{Under: c.Scope.Under(), Kind: r.URL.Query().Get("kind")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, src := range list {
		src.Body = "" // lists stay light; GET /coding/sources/{id} has the text
	}
	writeList(w, list, len(list))
}

// sourceInput is a source as a client sends it.
type sourceInput struct {
	Kind      string `json:"kind"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	OrgUnitID int64  `json:"orgunit_id"`
	Period    string `json:"period"`
}

func (s *Server) postSource(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := checkCoder(c); err != nil {
		s.fail(w, r, err)
		return
	}
	var in sourceInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkPlace(r, in.OrgUnitID); err != nil {
		s.fail(w, r, err)
		return
	}
	src := &voice.Source{Kind: in.Kind, Title: in.Title, Body: in.Body, OrgUnitID: in.OrgUnitID, Period: in.Period}
	if err := s.voice().CreateSource(ctx(r), src); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, src)
}

// checkPlace fails when the place exists outside the caller's area; a missing place is
// left for the store to name against its field.
func (s *Server) checkPlace(r *http.Request, id int64) error {
	o, err := s.Store.FindOrgUnitByID(ctx(r), id)
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if !caller(r).Scope.Contains(o.Path) {
		return mesh.Errorf(mesh.EFORBIDDEN, "this place is outside your area")
	}
	return nil
}

// postCommentSource turns one district's feedback comments of one month that is over
// into a source to code. Districts only, and only with at least the threshold of
// answers: comments of a smaller group, or of a facility whose district total is also
// available, could be traced to the few who wrote them.
func (s *Server) postCommentSource(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := checkCoder(c); err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		OrgUnitID int64  `json:"orgunit_id"`
		Period    string `json:"period"`
	}
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	src, err := voice.CommentSource(ctx(r), s.Store, s.voice(), c.Scope, in.OrgUnitID, in.Period, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, src)
}

func (s *Server) getSource(w http.ResponseWriter, r *http.Request) {
	src, err := s.loadSource(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, err := s.voice().FindPassages(ctx(r), voice.PassageFilter{SourceID: &src.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ps == nil {
		ps = []voice.Passage{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"source": src, "passages": ps})
}

func (s *Server) postPassage(w http.ResponseWriter, r *http.Request) {
	src, err := s.loadSource(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		ThemeID int64  `json:"theme_id"`
		Quote   string `json:"quote"`
		Start   int    `json:"start"`
		End     int    `json:"end"`
	}
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p := &voice.Passage{SourceID: src.ID, ThemeID: in.ThemeID, Quote: in.Quote, Start: in.Start, End: in.End}
	if err := s.voice().CreatePassage(ctx(r), p); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) deletePassage(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := checkCoder(c); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Only passages the caller may see, so an id outside the area is simply not found.
	ps, err := s.voice().FindPassages(ctx(r), voice.PassageFilter{Under: c.Scope.Under()})
	found := false
	for _, p := range ps {
		found = found || p.ID == id
	}
	if err == nil && !found {
		err = mesh.Errorf(mesh.ENOTFOUND, "passage %d not found", id)
	}
	if err == nil {
		err = s.voice().DeletePassage(ctx(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sourceAgreement compares two coders on one source: coder_a and coder_b, or the
// first two who coded it.
func (s *Server) sourceAgreement(w http.ResponseWriter, r *http.Request) {
	src, err := s.loadSource(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, err := s.voice().FindPassages(ctx(r), voice.PassageFilter{SourceID: &src.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, errA := queryInt(r, "coder_a")
	b, errB := queryInt(r, "coder_b")
	if errA != nil || errB != nil {
		s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "coder_a", Message: "coder_a and coder_b must be user ids"}))
		return
	}
	coders := voice.Coders(ps)
	if a == nil || b == nil {
		if len(coders) < 2 {
			s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "TOO_FEW", Field: "coder_b", Message: "agreement needs two coders of this source"}))
			return
		}
		a, b = &coders[0], &coders[1]
	}
	writeJSON(w, http.StatusOK, voice.Compare(src.Body, *a, *b, ps))
}

// themeCounts counts coded passages per theme, by source and by period, over the
// sources in the caller's area.
func (s *Server) themeCounts(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := checkCoder(c); err != nil {
		s.fail(w, r, err)
		return
	}
	bySource, byPeriod, err := voice.ThemeCountsIn(ctx(r), s.voice(), c.Scope.Under())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"by_source": bySource, "by_period": byPeriod})
}

// quotesCSV exports the coded quotes in the caller's area (optionally one theme or
// source) for a report.
func (s *Server) quotesCSV(w http.ResponseWriter, r *http.Request) {
	s.quotes(w, r, voice.QuotesCSVIn, "text/csv; charset=utf-8", "coded-quotes.csv")
}

// quotesXLSX is quotesCSV as an XLSX workbook.
func (s *Server) quotesXLSX(w http.ResponseWriter, r *http.Request) {
	s.quotes(w, r, voice.QuotesXLSXIn, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "coded-quotes.xlsx")
}

func (s *Server) quotes(w http.ResponseWriter, r *http.Request,
	write func(context.Context, voice.Store, voice.PassageFilter, io.Writer) error, contentType, name string) {
	c := caller(r)
	if err := checkCoder(c); err != nil {
		s.fail(w, r, err)
		return
	}
	var f voice.PassageFilter
	var err error
	if f.ThemeID, err = queryInt(r, "theme"); err == nil {
		f.SourceID, err = queryInt(r, "source")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	f.Under = c.Scope.Under()
	if err := write(ctx(r), s.voice(), f, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// syncedFeedback is a mentee_feedback record of the field app's outbox: the answer,
// with the visit's code (from the anonymous form) or the visit's id (a logged-in
// user of the visit's area, on the facility's device).
type syncedFeedback struct {
	feedbackInput
	VisitID string `json:"visit_id"`
}

// SyncFeedback stores a mentee_feedback record from POST /api/v1/sync by the same
// rules as POST /api/v1/visits/{id}/feedback (SubmitFeedback); a resent record is
// unchanged. Answers have no version and no change-log row, so they never appear
// in /sync/changes. A visit already at its limit rejects the record rather than the
// batch.
func (s *Server) SyncFeedback(r *http.Request, rec SyncRecord) (unchanged bool, err error) {
	var in syncedFeedback
	if err := DecodeJSON(bytes.NewReader(rec.Data), &in); err != nil {
		return false, err
	}
	if in.ID == "" {
		in.ID = rec.ID
	} else if !strings.EqualFold(in.ID, rec.ID) {
		return false, mesh.Invalid(mesh.FieldError{Code: "CONFLICTING_FIELDS", Field: "data.id", Message: "data.id differs from the record id"})
	}
	if in.Code = voice.NormalizeCode(in.Code); in.Code != "" {
		code, err := s.voice().FindFeedbackCode(ctx(r), in.Code)
		if err != nil || (in.VisitID != "" && !strings.EqualFold(in.VisitID, code.VisitID)) {
			return false, mesh.Errorf(mesh.ENOTFOUND, "no such feedback code for this visit")
		}
		in.VisitID = code.VisitID
	} else if in.VisitID == "" {
		return false, mesh.Invalid(mesh.FieldError{Code: "REQUIRED", Field: "data.code", Message: "give the visit's feedback code or its visit_id"})
	}
	created, err := s.SubmitFeedback(r, in.VisitID, in.feedbackInput)
	if mesh.ErrorCode(err) == voice.ETOOMANY {
		return false, mesh.Invalid(mesh.FieldError{Code: "TOO_MANY", Field: "data", Message: mesh.ErrorMessage(err)})
	}
	return !created && err == nil, err
}
