package web

import (
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/api"
	"mesh/auth"
	"mesh/indicator"
	"mesh/qi"
)

// QI projects: the list, the new-project form (problem, SMART aim on a catalogue
// indicator, team, change ideas), a project's page with its run chart and PDSA
// cycles, the cycle form, and the change package.

// QIListPage lists the QI projects in the caller's area.
type QIListPage struct {
	Page
	Rows     []QIRow
	CanWrite bool
}

// QIRow is one project with its facility and aim indicator named.
type QIRow struct {
	Project   *qi.Project
	Facility  string
	Indicator string
}

// fsIndicatorName is an indicator's name in lang (English, else its id).
func fsIndicatorName(id, lang string) string {
	ind, ok := indicator.Find(id)
	if !ok {
		return id
	}
	if n := ind.Names[lang]; n != "" {
		return n
	}
	if n := ind.Names["en"]; n != "" {
		return n
	}
	return id
}

func (s *Server) qiList(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadQI, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	list, _, err := s.Store.FindProjects(r.Context(), qi.Filter{Under: c.Scope.Under(), Limit: 300})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, err := s.facilityNames(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &QIListPage{Page: s.page(w, r, "fs.qi.title"), CanWrite: account.Can(c.User, account.WriteQI)}
	for _, pr := range list {
		p.Rows = append(p.Rows, QIRow{Project: pr, Facility: names[pr.FacilityID], Indicator: fsIndicatorName(pr.Aim.IndicatorID, p.Lang)})
	}
	s.render(w, r, http.StatusOK, "qi", p)
}

// QIFormPage is the new-project form.
type QIFormPage struct {
	Page
	In               QIForm
	FacilityOptions  []Option
	IndicatorOptions []Option
	Form             Form
}

// QIForm is the form's values as typed. Team and change ideas are one per line.
type QIForm struct {
	ID, FacilityID, Title, Problem, AimText, IndicatorID, TargetValue, TargetDate, StartedOn, Team, ChangeIdeas string
}

var qiFields = fieldSet("facility_id", "title", "problem", "aim.text", "aim.indicator_id", "aim.target_value", "aim.target_date",
	"started_on", "team", "change_ideas")

func (s *Server) qiNew(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WriteQI, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	in := QIForm{ID: newUUID(), FacilityID: r.URL.Query().Get("facility"), StartedOn: string(today())}
	s.qiForm(w, r, http.StatusOK, in, Form{})
}

func (s *Server) qiForm(w http.ResponseWriter, r *http.Request, status int, in QIForm, f Form) {
	p := &QIFormPage{Page: s.page(w, r, "fs.qi.new_title"), In: in, Form: f}
	facilities, err := s.facilitiesInScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.FacilityOptions = facilityOptions(facilities, tr(p.Lang, "form.choose"))
	p.IndicatorOptions = []Option{{Value: "", Label: tr(p.Lang, "form.choose")}}
	inds := indicator.Catalogue()
	sort.SliceStable(inds, func(i, j int) bool { return inds[i].ID < inds[j].ID })
	for _, ind := range inds {
		p.IndicatorOptions = append(p.IndicatorOptions, Option{Value: ind.ID, Label: fsIndicatorName(ind.ID, p.Lang)})
	}
	s.render(w, r, status, "qi_form", p)
}

// lines splits a text area into its non-empty trimmed lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) qiCreate(w http.ResponseWriter, r *http.Request) {
	err := auth.Check(caller(r), account.WriteQI, "")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := QIForm{ID: strings.ToLower(formValue(r, "id")), FacilityID: formValue(r, "facility_id"), Title: formValue(r, "title"),
		Problem: formValue(r, "problem"), AimText: formValue(r, "aim.text"), IndicatorID: formValue(r, "aim.indicator_id"),
		TargetValue: formValue(r, "aim.target_value"), TargetDate: formValue(r, "aim.target_date"), StartedOn: formValue(r, "started_on"),
		Team: formValue(r, "team"), ChangeIdeas: formValue(r, "change_ideas")}
	if !qiUUID(in.ID) {
		in.ID = newUUID()
	}
	var errs []mesh.FieldError
	pi := api.ProjectInput{ID: in.ID, Title: in.Title, Problem: in.Problem, Team: lines(in.Team), Status: "active",
		StartedOn: dateField(in.StartedOn, "started_on", &errs),
		Aim:       qi.Aim{Text: in.AimText, IndicatorID: in.IndicatorID, TargetDate: dateField(in.TargetDate, "aim.target_date", &errs)}}
	if in.TargetValue != "" {
		v, perr := strconv.ParseFloat(strings.ReplaceAll(in.TargetValue, ",", "."), 64)
		if perr != nil {
			errs = append(errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: "aim.target_value", Message: "not a number"})
		}
		pi.Aim.TargetValue = v
	} else {
		errs = append(errs, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "aim.target_value", Message: "required"})
	}
	for k, idea := range lines(in.ChangeIdeas) {
		pi.ChangeIdeas = append(pi.ChangeIdeas, qi.ChangeIdea{ID: fmt.Sprintf("c%d", k+1), Text: idea})
	}
	if id := optionalID(in.FacilityID, "facility_id", &errs); id != nil {
		pi.FacilityID = *id
	}
	if len(errs) > 0 {
		err = mesh.Invalid(errs...)
	} else {
		_, _, err = s.apiServer().SaveProject(r, pi)
	}
	if err != nil {
		f, status, ok := formError(language(w, r), listFieldErrors(err, "team", "change_ideas"), qiFields)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.qiForm(w, r, status, in, f)
		return
	}
	redirect(w, r, withNotice("/qi/"+in.ID, "created"))
}

func qiUUID(s string) bool { return len(s) == 36 && strings.Count(s, "-") == 4 }

// listFieldErrors puts "team[2]" and "change_ideas[1].text" errors on their text area.
func listFieldErrors(err error, names ...string) error {
	fields := mesh.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	for k := range fields {
		for _, n := range names {
			if strings.HasPrefix(fields[k].Field, n+"[") {
				fields[k].Field = n
			}
		}
	}
	return mesh.Invalid(fields...)
}

// QIProjectPage shows a project, its run chart and its cycles.
type QIProjectPage struct {
	Page
	Project   *qi.Project
	Facility  string
	Indicator string
	Target    string
	// Chart is the SVG the API serves at …/runchart.svg, drawn by qi (every text in
	// it escaped there), inlined so the page works on one request and offline.
	Chart    template.HTML
	PChart   template.HTML // the control chart, for proportion aims
	Signals  *qi.RunChart
	Cycles   []CycleRow
	CanWrite bool
}

// CycleRow is a PDSA cycle with its change idea's text.
type CycleRow struct {
	Cycle *qi.PDSACycle
	Idea  string
}

// loadProject fetches {id} and checks the caller may act on it with p.
func (s *Server) loadProject(r *http.Request, p account.Permission) (*qi.Project, error) {
	return loadInArea(r, p, func() (*qi.Project, error) {
		return s.Store.FindProjectByID(r.Context(), strings.ToLower(r.PathValue("id")))
	}, func(pr *qi.Project) string { return pr.FacilityPath })
}

func (s *Server) qiShow(w http.ResponseWriter, r *http.Request) {
	pr, err := s.loadProject(r, account.ReadQI)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &QIProjectPage{Page: s.page(w, r, "fs.qi.project_title"), Project: pr,
		Indicator: fsIndicatorName(pr.Aim.IndicatorID, ""), CanWrite: auth.Check(caller(r), account.WriteQI, pr.FacilityPath) == nil}
	p.Indicator = fsIndicatorName(pr.Aim.IndicatorID, p.Lang)
	kind := ""
	if ind, ok := indicator.Find(pr.Aim.IndicatorID); ok {
		kind = ind.Kind
	}
	target := pr.Aim.TargetValue
	p.Target = fsFormatValue(kind, &target)
	if fac, err := s.Store.FindOrgUnitByID(r.Context(), pr.FacilityID); err == nil {
		p.Facility = fac.Name
	}
	rc, err := s.apiServer().ProjectRunChart(r)
	switch code := mesh.ErrorCode(err); {
	case err == nil:
		p.Chart, p.Signals = template.HTML(rc.SVG()), rc
		if svg, err := rc.PChartSVG(); err == nil {
			p.PChart = template.HTML(svg) // drawn by qi with every text escaped
		}
	case code == mesh.EINVALID || code == mesh.ENOTFOUND:
		// No chart yet (no months with data, or a retired indicator): the page says so.
	default:
		s.fail(w, r, err)
		return
	}
	for _, c := range pr.Cycles {
		row := CycleRow{Cycle: c}
		if idea, ok := pr.Idea(c.ChangeIdeaID); ok {
			row.Idea = idea.Text
		}
		p.Cycles = append(p.Cycles, row)
	}
	s.render(w, r, http.StatusOK, "qi_project", p)
}

// CycleFormPage is the PDSA cycle form, new or editing one cycle.
type CycleFormPage struct {
	Page
	Project       *qi.Project
	In            CycleForm
	IdeaOptions   []Option
	ResultOptions []Option
	Form          Form
}

// CycleForm is the form's values as typed.
type CycleForm struct {
	ID, Version, ChangeIdeaID, Plan, Do, Study, Act, StartedOn, EndedOn, Result string
}

var cycleFields = fieldSet("change_idea_id", "plan", "do", "study", "act", "started_on", "ended_on", "result")

func (s *Server) cycleNew(w http.ResponseWriter, r *http.Request) {
	pr, err := s.loadProject(r, account.WriteQI)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := CycleForm{ID: newUUID(), StartedOn: string(today())}
	if id := strings.ToLower(r.URL.Query().Get("cycle")); id != "" {
		found := false
		for _, c := range pr.Cycles {
			if c.ID == id {
				in = CycleForm{ID: c.ID, Version: strconv.Itoa(c.Version), ChangeIdeaID: c.ChangeIdeaID, Plan: c.Plan, Do: c.Do,
					Study: c.Study, Act: c.Act, StartedOn: string(c.StartedOn), EndedOn: string(c.EndedOn), Result: c.Result}
				found = true
			}
		}
		if !found {
			s.fail(w, r, mesh.Errorf(mesh.ENOTFOUND, "no such cycle"))
			return
		}
	}
	s.cycleForm(w, r, http.StatusOK, pr, in, Form{})
}

func (s *Server) cycleForm(w http.ResponseWriter, r *http.Request, status int, pr *qi.Project, in CycleForm, f Form) {
	p := &CycleFormPage{Page: s.page(w, r, "fs.cycle.title"), Project: pr, In: in, Form: f}
	p.IdeaOptions = []Option{{Value: "", Label: tr(p.Lang, "form.none_chosen")}}
	for _, c := range pr.ChangeIdeas {
		p.IdeaOptions = append(p.IdeaOptions, Option{Value: c.ID, Label: c.Text})
	}
	p.ResultOptions = enumOptions(p.Lang, "fs.cycle.result.", qi.Results, "fs.cycle.no_result")
	s.render(w, r, status, "qi_cycle_form", p)
}

func (s *Server) cycleSave(w http.ResponseWriter, r *http.Request) {
	pr, err := s.loadProject(r, account.WriteQI)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := CycleForm{ID: strings.ToLower(formValue(r, "id")), Version: formValue(r, "version"), ChangeIdeaID: formValue(r, "change_idea_id"),
		Plan: formValue(r, "plan"), Do: formValue(r, "do"), Study: formValue(r, "study"), Act: formValue(r, "act"),
		StartedOn: formValue(r, "started_on"), EndedOn: formValue(r, "ended_on"), Result: formValue(r, "result")}
	if !qiUUID(in.ID) {
		in.ID = newUUID()
	}
	var errs []mesh.FieldError
	ci := api.CycleInput{ID: in.ID, ChangeIdeaID: in.ChangeIdeaID, Plan: in.Plan, Do: in.Do, Study: in.Study, Act: in.Act,
		StartedOn: dateField(in.StartedOn, "started_on", &errs), EndedOn: dateField(in.EndedOn, "ended_on", &errs), Result: in.Result,
		Version: versionField(r)}
	if len(errs) > 0 {
		err = mesh.Invalid(errs...)
	} else {
		_, _, err = s.apiServer().SaveCycle(r, ci)
	}
	if err != nil {
		f, status, ok := formError(language(w, r), err, cycleFields)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.cycleForm(w, r, status, pr, in, f)
		return
	}
	redirect(w, r, withNotice("/qi/"+pr.ID, "saved"))
}

// ChangePackagePage lists the change ideas adopted across facilities.
type ChangePackagePage struct {
	Page
	Rows []ChangeRow
}

// ChangeRow is one adopted idea with its indicator movement written out.
type ChangeRow struct {
	Idea                  qi.AdoptedIdea
	Indicator             string
	Before, After, Change string
	Improved              bool
}

func (s *Server) changePackage(w http.ResponseWriter, r *http.Request) {
	list, err := s.apiServer().ChangePackage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &ChangePackagePage{Page: s.page(w, r, "fs.change.title")}
	for _, a := range list {
		row := ChangeRow{Idea: a, Indicator: fsIndicatorName(a.IndicatorID, p.Lang)}
		if ind, ok := indicator.Find(a.IndicatorID); ok {
			row.Before, row.After, row.Change = fsFormatValue(ind.Kind, a.Before), fsFormatValue(ind.Kind, a.After), fsFormatValue(ind.Kind, a.Change)
			if a.Change != nil {
				row.Improved = (*a.Change > 0) == ind.HigherBetter && *a.Change != 0
				if *a.Change > 0 {
					row.Change = "+" + row.Change
				}
			}
		}
		p.Rows = append(p.Rows, row)
	}
	s.render(w, r, http.StatusOK, "qi_change_package", p)
}
