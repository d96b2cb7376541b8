package web

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/api"
	"mesh/auth"
	"mesh/place"
	"mesh/qi"
	"mesh/readiness"
	"mesh/visit"
)

// Facility systems: the readiness check form, a facility's systems page (latest
// check, stock-outs, open issues, QI projects) and the supervisors' stock-out alert
// list. Writes go through the API's Save functions (api/shared_facility.go), so the
// pages and the JSON API apply one set of scope checks.

// FacilityNav lists the facility-systems sections the user may open. It lives here,
// read by the layout, so the navigation grows without touching navFor.
func (p Page) FacilityNav() []NavLink {
	u := p.User
	if u == nil {
		return nil
	}
	var links []NavLink
	switch {
	case u.Role == account.FacilityIC && u.ScopeID != nil:
		// An in-charge has one facility: its systems page is their view of stock-outs.
		links = append(links, NavLink{Href: "/facilities/" + itoa(*u.ScopeID) + "/systems", Key: "fs.nav.systems"})
	case account.Can(u, account.ReadReadiness) && u.Role != account.FacilityIC:
		links = append(links, NavLink{Href: "/stockouts", Key: "fs.nav.stockouts"})
	}
	if account.Can(u, account.ReadIssues) {
		links = append(links, NavLink{Href: "/issues", Key: "fs.nav.issues"})
	}
	if account.Can(u, account.ReadQI) {
		links = append(links, NavLink{Href: "/qi", Key: "fs.nav.qi"})
	}
	path, _, _ := strings.Cut(p.Here, "?")
	for i := range links {
		h := links[i].Href
		links[i].Current = path == h || strings.HasPrefix(path, h+"/")
	}
	return links
}

// CanCheckReadiness says whether the visit page links to a readiness check (the form
// itself checks the facility is in the caller's area).
func (p *VisitPage) CanCheckReadiness() bool {
	return account.Can(p.User, account.WriteReadiness) && p.Visit.Status != "cancelled"
}

// CanReportIssue says whether the visit page links to a new system issue.
func (p *VisitPage) CanReportIssue() bool { return account.Can(p.User, account.WriteIssues) }

// ReadinessFormPage is the readiness check form, one section per checklist section.
type ReadinessFormPage struct {
	Page
	Facility *place.OrgUnit
	VisitID  string
	ID       string
	Date     Input
	Notes    Input
	Sections []ReadinessSection
	Form     Form
}

// ReadinessSection is one checklist section's items.
type ReadinessSection struct {
	Key   string // message key of the heading
	Items []ReadinessItem
}

// ReadinessItem is one checklist item: its answer select and, for a tracer
// commodity, the day it ran out.
type ReadinessItem struct {
	Code   string
	Answer Input
	Since  *Input
}

// answerValues are the choices of an item's select per section ("" is not checked,
// so a check of only the stock leaves the other sections out of their indicators).
var answerValues = map[string][]string{
	readiness.Equipment:      {"", "ok", "broken", "absent"},
	readiness.Infrastructure: {"", "present", "absent"},
	readiness.Registers:      {"", "present", "absent"},
	readiness.Tracer:         {"", "in", "out"},
}

func (s *Server) facilityFor(r *http.Request, p account.Permission) (*place.OrgUnit, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	f, err := s.loadPlace(r, p, id)
	if err == nil && f.Type != place.Facility {
		err = mesh.Errorf(mesh.ENOTFOUND, "not a health facility")
	}
	return f, err
}

// visitAt returns the ?visit= visit when it is at facility f and readable, else nil:
// a stale or foreign link simply makes a check on its own.
func (s *Server) visitAt(r *http.Request, visitID string, f *place.OrgUnit) *visit.Visit {
	if visitID == "" {
		return nil
	}
	v, err := s.Store.FindVisitByID(r.Context(), strings.ToLower(visitID))
	if err != nil || v.FacilityID != f.ID || auth.Check(caller(r), account.ReadVisits, v.FacilityPath) != nil {
		return nil
	}
	return v
}

func (s *Server) readinessNew(w http.ResponseWriter, r *http.Request) {
	f, err := s.facilityFor(r, account.WriteReadiness)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vals := map[string]string{"date": string(today())}
	if v := s.visitAt(r, r.URL.Query().Get("visit"), f); v != nil {
		vals["visit_id"], vals["date"] = v.ID, string(v.Date)
	}
	s.readinessForm(w, r, http.StatusOK, f, newUUID(), vals, Form{})
}

func (s *Server) readinessForm(w http.ResponseWriter, r *http.Request, status int, f *place.OrgUnit, id string, vals map[string]string, form Form) {
	p := &ReadinessFormPage{Page: s.page(w, r, "fs.readiness.title"), Facility: f, ID: id, VisitID: vals["visit_id"], Form: form}
	p.Date = withHint(p.Lang, "form.date_hint", input(p.Lang, form, "date", "fs.readiness.date", "date", vals["date"]))
	p.Notes = input(p.Lang, form, "notes", "fs.notes", "text", vals["notes"])
	cl := s.apiServer().CurrentChecklist()
	for _, sec := range readiness.Sections {
		rs := ReadinessSection{Key: "fs.section." + sec}
		for _, it := range cl.InSection(sec) {
			name := itemName(it, p.Lang)
			var opts []Option
			for _, v := range answerValues[sec] {
				key := "fs.answer." + sec + "." + v
				if v == "" {
					key = "fs.answer.unchecked"
				}
				opts = append(opts, Option{Value: v, Label: tr(p.Lang, key)})
			}
			field := "a_" + it.Code
			item := ReadinessItem{Code: it.Code, Answer: Input{Name: field, Label: name, Value: vals[field], Options: opts, Error: form.Err(field)}}
			if sec == readiness.Tracer {
				since := "since_" + it.Code
				item.Since = &Input{Name: since, Label: tr(p.Lang, "fs.readiness.out_since", name), Type: "date", Value: vals[since],
					Error: form.Err(since)}
			}
			rs.Items = append(rs.Items, item)
		}
		if len(rs.Items) > 0 {
			p.Sections = append(p.Sections, rs)
		}
	}
	s.render(w, r, status, "readiness_form", p)
}

// itemName is a checklist item's name in lang, English when it has none.
func itemName(it readiness.Item, lang string) string {
	if n := it.Names[lang]; n != "" {
		return n
	}
	return it.Names["en"]
}

func boolp(b bool) *bool { return &b }

// readinessAnswers turns the form into answers in item order (the order the store
// validates in, so answers[i] errors can be put back on their fields).
func readinessAnswers(cl readiness.Checklist, vals map[string]string) ([]readiness.Answer, []string) {
	var answers []readiness.Answer
	var codes []string
	items := append([]readiness.Item(nil), cl.Items...)
	sort.SliceStable(items, func(i, j int) bool { return items[i].Code < items[j].Code })
	for _, it := range items {
		v := vals["a_"+it.Code]
		a := readiness.Answer{Item: it.Code}
		switch {
		case v == "":
			continue
		case it.Section == readiness.Tracer:
			a.InStock = boolp(v == "in")
			if v == "out" {
				a.OutSince = mesh.Date(vals["since_"+it.Code])
			}
		case it.Section == readiness.Equipment:
			a.Present = boolp(v != "absent")
			a.Functional = boolp(v == "ok")
		default:
			a.Present = boolp(v == "present")
		}
		answers = append(answers, a)
		codes = append(codes, it.Code)
	}
	return answers, codes
}

func (s *Server) readinessCreate(w http.ResponseWriter, r *http.Request) {
	f, err := s.facilityFor(r, account.WriteReadiness)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vals := map[string]string{}
	for k := range r.PostForm {
		vals[k] = formValue(r, k)
	}
	id := strings.ToLower(vals["id"])
	if !readiness.ValidUUID(id) {
		id = newUUID()
	}
	if s.visitAt(r, vals["visit_id"], f) == nil {
		vals["visit_id"] = ""
	}
	as := s.apiServer()
	cl := as.CurrentChecklist()
	answers, codes := readinessAnswers(cl, vals)
	chk, _, err := as.SaveCheck(r, api.CheckInput{ID: id, FacilityID: f.ID, VisitID: vals["visit_id"], Date: mesh.Date(vals["date"]),
		Answers: answers, Notes: vals["notes"]})
	if err == nil {
		err = s.syncStockEvents(r, as, chk, cl)
	}
	if err != nil {
		form, status, ok := formError(language(w, r), readinessFieldErrors(err, codes), fieldSet(readinessFields(cl)...))
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.readinessForm(w, r, status, f, id, vals, form)
		return
	}
	target := "/facilities/" + itoa(f.ID) + "/systems"
	if chk.VisitID != "" {
		target = "/visits/" + chk.VisitID
	}
	redirect(w, r, withNotice(target, "saved"))
}

// readinessFields are the form's input names.
func readinessFields(cl readiness.Checklist) []string {
	out := []string{"date", "notes"}
	for _, it := range cl.Items {
		out = append(out, "a_"+it.Code, "since_"+it.Code)
	}
	return out
}

// readinessFieldErrors puts "answers[i].out_since" on the item's date input and any
// other answers[i] problem on its select.
func readinessFieldErrors(err error, codes []string) error {
	fields := mesh.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	out := make([]mesh.FieldError, len(fields))
	for i, fe := range fields {
		out[i] = fe
		var k int
		var rest string
		if n, _ := fmt.Sscanf(fe.Field, "answers[%d]", &k); n == 1 && k >= 0 && k < len(codes) {
			_, rest, _ = strings.Cut(fe.Field, "].")
			if rest == "out_since" {
				out[i].Field = "since_" + codes[k]
			} else {
				out[i].Field = "a_" + codes[k]
			}
		}
	}
	return mesh.Invalid(out...)
}

// syncStockEvents opens a stock-out event for each tracer item the check found out of
// stock (unless one is already open for that item there) and closes open events of
// items it found back in stock. Event ids derive from the check id and item, so a
// resubmitted form opens nothing twice.
func (s *Server) syncStockEvents(r *http.Request, as *api.Server, chk *readiness.Check, cl readiness.Checklist) error {
	fid := chk.FacilityID
	open, _, err := s.Store.FindStockEvents(r.Context(), readiness.StockFilter{FacilityID: &fid, OpenOnly: true, Limit: 500})
	if err != nil {
		return err
	}
	openBy := map[string]*readiness.StockEvent{}
	for _, e := range open {
		if openBy[e.Commodity] == nil || e.StartedOn < openBy[e.Commodity].StartedOn {
			openBy[e.Commodity] = e
		}
	}
	for _, a := range chk.OutOfStock() {
		if openBy[a.Item] != nil {
			continue
		}
		in := api.StockInput{ID: derivedUUID(chk.ID, a.Item), FacilityID: fid, Commodity: a.Item, StartedOn: a.OutSince, CheckID: chk.ID}
		if _, _, err := as.SaveStockEvent(r, in, false); err != nil {
			return err
		}
	}
	for _, a := range chk.Answers {
		e := openBy[a.Item]
		if e == nil || a.InStock == nil || !*a.InStock || chk.Date <= e.StartedOn {
			continue
		}
		v := e.Version
		in := api.StockInput{ID: e.ID, EndedOn: chk.Date, Version: &v}
		if _, _, err := as.SaveStockEvent(r, in, true); err != nil {
			return err
		}
	}
	return nil
}

// derivedUUID makes a stable version-8 UUID (RFC 9562, custom) from parts.
func derivedUUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// SystemsPage is a facility's systems at a glance.
type SystemsPage struct {
	Page
	Facility                  *place.OrgUnit
	Latest                    *readiness.Check
	Summary                   []SectionSummary
	Gaps                      []string // items the latest check found missing, broken or out
	Stockouts                 []StockRow
	Issues                    []IssueRow
	Projects                  []*qi.Project
	CanCheck, CanIssue, CanQI bool
}

// SectionSummary is one section of the latest check: how many items were fine.
type SectionSummary struct {
	Key      string
	OK, Of   int
	Complete bool
}

// StockRow is one open stock-out.
type StockRow struct {
	Event *readiness.StockEvent
	Name  string
	Days  int
}

func (s *Server) facilitySystems(w http.ResponseWriter, r *http.Request) {
	f, err := s.facilityFor(r, account.ReadReadiness)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := caller(r)
	ctx := r.Context()
	p := &SystemsPage{Page: s.page(w, r, "fs.systems.title"), Facility: f,
		CanCheck: auth.Check(c, account.WriteReadiness, f.Path) == nil,
		CanIssue: auth.Check(c, account.WriteIssues, f.Path) == nil,
		CanQI:    auth.Check(c, account.WriteQI, f.Path) == nil}
	cl := s.apiServer().CurrentChecklist()
	checks, _, err := s.Store.FindChecks(ctx, readiness.CheckFilter{FacilityID: &f.ID, Limit: 20})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, chk := range checks {
		if p.Latest == nil || chk.Date > p.Latest.Date {
			p.Latest = chk
		}
	}
	if p.Latest != nil {
		p.Summary, p.Gaps = summarise(p.Latest, cl, p.Lang)
	}
	events, _, err := s.Store.FindStockEvents(ctx, readiness.StockFilter{FacilityID: &f.ID, OpenOnly: true, Limit: 200})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	day := readiness.Today(now(), f.TimeZone)
	for _, e := range events {
		name := e.Commodity
		if it, ok := cl.Item(e.Commodity); ok {
			name = itemName(it, p.Lang)
		}
		p.Stockouts = append(p.Stockouts, StockRow{Event: e, Name: name, Days: readiness.StockoutDaysBetween(e.StartedOn, day)})
	}
	sort.SliceStable(p.Stockouts, func(i, j int) bool { return p.Stockouts[i].Event.StartedOn < p.Stockouts[j].Event.StartedOn })
	if auth.Check(c, account.ReadIssues, f.Path) == nil {
		issues, _, err := s.Store.FindIssues(ctx, readiness.IssueFilter{FacilityID: &f.ID, Status: "unresolved", Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Issues = issueRows(issues, map[int64]string{f.ID: f.Name}, day)
	}
	if auth.Check(c, account.ReadQI, f.Path) == nil {
		if p.Projects, _, err = s.Store.FindProjects(ctx, qi.Filter{FacilityID: &f.ID, Limit: 100}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "facility_systems", p)
}

// summarise counts each section of a check and names what it found wanting.
func summarise(chk *readiness.Check, cl readiness.Checklist, lang string) ([]SectionSummary, []string) {
	by := map[string]*SectionSummary{}
	var gaps []string
	for _, a := range chk.Answers {
		it, ok := cl.Item(a.Item)
		if !ok {
			continue
		}
		sum := by[it.Section]
		if sum == nil {
			sum = &SectionSummary{Key: "fs.section." + it.Section}
			by[it.Section] = sum
		}
		sum.Of++
		fine := false
		switch it.Section {
		case readiness.Tracer:
			fine = a.InStock != nil && *a.InStock
		case readiness.Equipment:
			fine = a.Present != nil && *a.Present && a.Functional != nil && *a.Functional
		default:
			fine = a.Present != nil && *a.Present
		}
		if fine {
			sum.OK++
		} else {
			gaps = append(gaps, itemName(it, lang))
		}
	}
	var out []SectionSummary
	for _, sec := range readiness.Sections {
		if sum := by[sec]; sum != nil {
			sum.Complete = sum.OK == sum.Of
			out = append(out, *sum)
		}
	}
	return out, gaps
}

// StockoutsPage is the supervisors' alert list: tracer items out of stock now.
type StockoutsPage struct {
	Page
	Rows []StockoutRow
}

// StockoutRow is one current stock-out with its item named in the page language.
type StockoutRow struct {
	*readiness.CurrentStockout
	Name string
}

func (s *Server) stockouts(w http.ResponseWriter, r *http.Request) {
	as := s.apiServer()
	list, err := as.CurrentStockouts(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &StockoutsPage{Page: s.page(w, r, "fs.stockouts.title")}
	cl := as.CurrentChecklist()
	for _, x := range list {
		name := x.CommodityName
		if it, ok := cl.Item(x.Commodity); ok {
			name = itemName(it, p.Lang)
		}
		p.Rows = append(p.Rows, StockoutRow{CurrentStockout: x, Name: name})
	}
	s.render(w, r, http.StatusOK, "stockouts", p)
}

// fsFormatValue writes an indicator value: a proportion as a percentage.
func fsFormatValue(kind string, v *float64) string {
	if v == nil {
		return "–"
	}
	if kind == "proportion" {
		return strconv.FormatFloat(*v*100, 'f', 0, 64) + "%"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
