package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"

	"mesh"
	"mesh/i18n"
	"mesh/place"
	"mesh/voice"
)

// The evaluators' coding workspace: sources (notes typed or pasted), the codebook,
// passages tagged by copying text into a field, theme counts, two-coder agreement and
// the CSV of coded quotes.

// CodingPage lists sources and theme counts, with the add-a-source form.
type CodingPage struct {
	Page
	Sources      []*voice.Source
	Themes       []*voice.Theme
	Counts       []ThemeCountView
	KindOptions  []Option
	PlaceOptions []Option
	In           SourceInput
	Form         Form
}

// SourceInput is the add-a-source form as typed.
type SourceInput struct {
	Kind, Title, Body, OrgUnitID, Period string
}

// ThemeCountView is a theme's passages per period.
type ThemeCountView struct {
	Theme    string
	Period   string
	Passages int
}

// CodingSourcePage is one source with its passages, the tag form and agreement.
type CodingSourcePage struct {
	Page
	Source       *voice.Source
	Lines        []string // the body by line, shown as paragraphs that wrap on a phone
	Passages     []PassageView
	ThemeOptions []Option
	Quote        string
	ThemeID      string
	Form         Form
	Agreement    *voice.CoderAgreement
	ByTheme      []AgreementView
}

// PassageView is a coded passage with its theme's name.
type PassageView struct {
	Quote, Theme string
	Coder        int64
}

// AgreementView is agreement on one theme, written out.
type AgreementView struct {
	Theme, Percent, Kappa string
}

var sourceFields = fieldSet("kind", "title", "body", "orgunit_id", "period")

// checkCoder lets evaluators in; others get the usual 401/403.
func (s *Server) checkCoder(r *http.Request) error {
	c := caller(r)
	if c == nil {
		return mesh.Errorf(mesh.EUNAUTHORIZED, "log in first")
	}
	if !voice.CanCode(c.User) {
		return mesh.Errorf(mesh.EFORBIDDEN, "the coding workspace is for evaluators")
	}
	return nil
}

func themeLabel(lang string, t *voice.Theme) string {
	if k := "voice.theme." + t.Code; i18n.Has(i18n.Default, k) {
		return tr(lang, k)
	}
	return t.Name
}

func (s *Server) codingHome(w http.ResponseWriter, r *http.Request) {
	if err := s.checkCoder(r); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderCoding(w, r, http.StatusOK, SourceInput{Kind: "focus_group"}, Form{})
}

func (s *Server) renderCoding(w http.ResponseWriter, r *http.Request, status int, in SourceInput, f Form) {
	c := caller(r)
	p := &CodingPage{Page: s.page(w, r, "voice.coding.title"), In: in, Form: f}
	var err error
	if p.Sources, err = s.voice().FindSources(r.Context(), voice.SourceFilter{Under: c.Scope.Under()}); err == nil {
		p.Themes, err = s.voice().FindThemes(r.Context())
	}
	var byPeriod []voice.ThemeCount
	if err == nil {
		_, byPeriod, err = voice.ThemeCountsIn(r.Context(), s.voice(), c.Scope.Under())
	}
	var places []*place.OrgUnit
	if err == nil {
		places, _, err = s.Store.FindOrgUnits(r.Context(), place.Filter{Under: c.Scope.Under()})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, t := range p.Themes {
		names[t.ID] = themeLabel(p.Lang, t)
	}
	for _, tc := range byPeriod {
		p.Counts = append(p.Counts, ThemeCountView{Theme: names[tc.ThemeID], Period: monthName(p.Lang, tc.Period), Passages: tc.Passages})
	}
	p.KindOptions = enumOptions(p.Lang, "voice.kind.", voice.SourceKinds, "")
	for _, o := range places {
		if o.Type == place.District || o.Type == place.Facility {
			p.PlaceOptions = append(p.PlaceOptions, Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
	}
	s.render(w, r, status, "voice_coding", p)
}

func (s *Server) createCodingSource(w http.ResponseWriter, r *http.Request) {
	if err := s.checkCoder(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	in := SourceInput{Kind: formValue(r, "kind"), Title: formValue(r, "title"), Body: r.PostFormValue("body"),
		OrgUnitID: formValue(r, "orgunit_id"), Period: formValue(r, "period")}
	var errs []mesh.FieldError
	id := optionalID(in.OrgUnitID, "orgunit_id", &errs)
	src := &voice.Source{Kind: in.Kind, Title: in.Title, Body: in.Body, Period: in.Period}
	if id != nil {
		src.OrgUnitID = *id
		if o, err := s.Store.FindOrgUnitByID(r.Context(), *id); err == nil && !caller(r).Scope.Contains(o.Path) {
			s.fail(w, r, mesh.Errorf(mesh.EFORBIDDEN, "this place is outside your area"))
			return
		}
	}
	var err error
	if len(errs) > 0 {
		err = mesh.Invalid(errs...)
	} else {
		err = s.voice().CreateSource(r.Context(), src)
	}
	if err != nil {
		lang := language(w, r)
		if f, status, ok := formError(lang, err, sourceFields); ok {
			s.renderCoding(w, r, status, in, f)
			return
		}
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/voice/coding/sources/"+strconv.FormatInt(src.ID, 10)+"?notice=created")
}

// loadCodingSource fetches a source in the caller's area.
func (s *Server) loadCodingSource(r *http.Request) (*voice.Source, error) {
	if err := s.checkCoder(r); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	src, err := s.voice().FindSourceByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !caller(r).Scope.Contains(src.OrgUnitPath) {
		return nil, mesh.Errorf(mesh.EFORBIDDEN, "this record is outside your area")
	}
	return src, nil
}

func (s *Server) codingSource(w http.ResponseWriter, r *http.Request) {
	src, err := s.loadCodingSource(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderSource(w, r, http.StatusOK, src, "", "", Form{})
}

func (s *Server) renderSource(w http.ResponseWriter, r *http.Request, status int, src *voice.Source, quote, themeID string, f Form) {
	p := &CodingSourcePage{Page: s.page(w, r, "voice.coding.source_title"), Source: src, Quote: quote, ThemeID: themeID, Form: f}
	for _, u := range voice.Units(src.Body) {
		p.Lines = append(p.Lines, src.Body[u[0]:u[1]])
	}
	themes, err := s.voice().FindThemes(r.Context())
	var ps []voice.Passage
	if err == nil {
		ps, err = s.voice().FindPassages(r.Context(), voice.PassageFilter{SourceID: &src.ID})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	p.ThemeOptions = []Option{{Value: "", Label: tr(p.Lang, "voice.coding.choose_theme")}}
	for _, t := range themes {
		names[t.ID] = themeLabel(p.Lang, t)
		p.ThemeOptions = append(p.ThemeOptions, Option{Value: strconv.FormatInt(t.ID, 10), Label: names[t.ID] + " · " + tr(p.Lang, "voice.kind."+t.Kind)})
	}
	for _, x := range ps {
		p.Passages = append(p.Passages, PassageView{Quote: x.Quote, Theme: names[x.ThemeID], Coder: x.CoderID})
	}
	if coders := voice.Coders(ps); len(coders) >= 2 {
		ag := voice.Compare(src.Body, coders[0], coders[1], ps)
		p.Agreement = &ag
		p.ByTheme = append(p.ByTheme, AgreementView{Theme: tr(p.Lang, "voice.coding.overall"), Percent: pct(ag.Overall.Percent), Kappa: kappaText(p.Lang, ag.Overall.Kappa)})
		for _, t := range themes {
			if a, ok := ag.ByTheme[t.ID]; ok {
				p.ByTheme = append(p.ByTheme, AgreementView{Theme: names[t.ID], Percent: pct(a.Percent), Kappa: kappaText(p.Lang, a.Kappa)})
			}
		}
	}
	s.render(w, r, status, "voice_source", p)
}

func pct(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 1, 64) + "%"
}

func kappaText(lang string, k *float64) string {
	if k == nil {
		return tr(lang, "voice.coding.kappa_undefined")
	}
	return strconv.FormatFloat(*k, 'f', 2, 64)
}

func (s *Server) tagPassage(w http.ResponseWriter, r *http.Request) {
	src, err := s.loadCodingSource(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	quote, themeID := r.PostFormValue("quote"), formValue(r, "theme_id")
	var errs []mesh.FieldError
	p := &voice.Passage{SourceID: src.ID, Quote: quote}
	if id := optionalID(themeID, "theme_id", &errs); id != nil {
		p.ThemeID = *id
	}
	if len(errs) > 0 {
		err = mesh.Invalid(errs...)
	} else {
		err = s.voice().CreatePassage(r.Context(), p)
	}
	if err != nil {
		lang := language(w, r)
		if f, status, ok := formError(lang, err, fieldSet("quote", "theme_id")); ok {
			s.renderSource(w, r, status, src, quote, themeID, f)
			return
		}
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/voice/coding/sources/"+strconv.FormatInt(src.ID, 10)+"?notice=saved")
}

func (s *Server) codingQuotesCSV(w http.ResponseWriter, r *http.Request) {
	s.codingQuotes(w, r, voice.QuotesCSVIn, "text/csv; charset=utf-8", "coded-quotes.csv")
}

// codingQuotesXLSX is codingQuotesCSV as an XLSX workbook.
func (s *Server) codingQuotesXLSX(w http.ResponseWriter, r *http.Request) {
	s.codingQuotes(w, r, voice.QuotesXLSXIn, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "coded-quotes.xlsx")
}

func (s *Server) codingQuotes(w http.ResponseWriter, r *http.Request,
	write func(context.Context, voice.Store, voice.PassageFilter, io.Writer) error, contentType, name string) {
	if err := s.checkCoder(r); err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := write(r.Context(), s.voice(), voice.PassageFilter{Under: caller(r).Scope.Under()}, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
