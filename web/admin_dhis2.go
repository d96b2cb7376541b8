package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"mesh"
	"mesh/account"
	"mesh/api"
	"mesh/auth"
	"mesh/dhis2"
	"mesh/i18n"
	"mesh/indicator"
	"mesh/place"
)

// DHIS2AdminStore is what the DHIS2 admin page reads and writes (sqlstore.DB).
type DHIS2AdminStore interface {
	DHIS2Mapping(ctx context.Context) (*dhis2.Mapping, error)
	ReplaceDHIS2Mapping(ctx context.Context, m *dhis2.Mapping) error
	DHIS2Schedule(ctx context.Context) (*dhis2.Schedule, error)
	PutDHIS2Schedule(ctx context.Context, s *dhis2.Schedule) error
	FindDHIS2Jobs(ctx context.Context, period string, limit int) ([]*dhis2.Job, error)
}

// dhis2AdminRoutes registers the admin page and its JSON API; the lead wires it from
// Routes.
func (s *Server) dhis2AdminRoutes(mux *http.ServeMux) {
	if s.DHIS2 == nil {
		s.DHIS2 = s.defaultPusher()
	}
	mux.HandleFunc("GET /admin/dhis2", s.dhis2Admin)
	mux.HandleFunc("POST /admin/dhis2/schedule", s.dhis2SaveSchedule)
	mux.HandleFunc("POST /admin/dhis2/mapping", s.dhis2SaveMapping)
	mux.HandleFunc("POST /admin/dhis2/mapping/import", s.dhis2ImportMapping)
	mux.HandleFunc("GET /admin/dhis2/mapping.json", s.dhis2MappingJSON)
	mux.HandleFunc("POST /admin/dhis2/orgunits", s.dhis2SaveOrgUnits)
	mux.HandleFunc("GET /api/v1/dhis2/schedule", s.apiDHIS2Schedule)
	mux.HandleFunc("PUT /api/v1/dhis2/schedule", s.apiDHIS2PutSchedule)
	mux.HandleFunc("GET /api/v1/dhis2/jobs", s.apiDHIS2Jobs)
	mux.HandleFunc("POST /api/v1/dhis2/jobs", s.apiDHIS2PushNow)
	mux.HandleFunc("POST /admin/dhis2/jobs", s.dhis2PushNow)
	mux.HandleFunc("GET /api/v1/dhis2/mapping", s.dhis2MappingJSON)
	mux.HandleFunc("PUT /api/v1/dhis2/mapping", s.apiDHIS2PutMapping)
}

// DHIS2AdminPage is the monthly push (settings and log) and the mapping editor.
type DHIS2AdminPage struct {
	Page
	Schedule     *dhis2.Schedule
	ScheduleForm Form
	PushForm     Form
	PushPeriod   string // the month "push now" offers, YYYY-MM (input type=month)
	PushDryRun   bool
	Jobs         []*dhis2.Job
	Mapping      *dhis2.Mapping
	Rows         []dhis2.Entry // the mapping's entries and a few blank rows to add
	MappingForm  Form
	MappingErrs  []string // "row 3, data element: …", in the page language
	Indicators   []string
	Parts        []string
	Facilities   []*place.OrgUnit
	OrgUnitForm  Form
	OrgUnitErrs  []string
	ImportJSON   string
}

// blankRows is how many empty mapping rows the editor offers for new entries.
const blankRows = 3

func (s *Server) dhis2Store(w http.ResponseWriter, r *http.Request) (DHIS2AdminStore, bool) {
	return s.dhis2StoreOr(w, r, s.fail)
}

// dhis2StoreOr checks the caller may manage DHIS2 and returns the store, answering
// a refusal with fail (a page's or the API's).
func (s *Server) dhis2StoreOr(w http.ResponseWriter, r *http.Request, fail func(http.ResponseWriter, *http.Request, error)) (DHIS2AdminStore, bool) {
	if err := auth.Check(caller(r), account.ManageDHIS2, ""); err != nil {
		fail(w, r, err)
		return nil, false
	}
	st, ok := s.Store.(DHIS2AdminStore)
	if !ok {
		fail(w, r, mesh.Errorf(mesh.EINTERNAL, "the store keeps no DHIS2 settings"))
	}
	return st, ok
}

// dhis2Page loads everything the page shows; p carries any form being redisplayed.
func (s *Server) dhis2Page(w http.ResponseWriter, r *http.Request, st DHIS2AdminStore, p *DHIS2AdminPage, status int) {
	ctx := r.Context()
	var err error
	if p.Schedule == nil {
		if p.Schedule, err = st.DHIS2Schedule(ctx); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if p.PushPeriod == "" {
		p.PushPeriod, p.PushDryRun = monthInput(dhis2.LastMonth(time.Now())), p.Schedule.DryRun
	}
	if p.Jobs, err = st.FindDHIS2Jobs(ctx, "", 12); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Mapping == nil {
		if p.Mapping, err = st.DHIS2Mapping(ctx); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p.Rows = append(append([]dhis2.Entry{}, p.Mapping.Entries...), make([]dhis2.Entry, blankRows)...)
	for _, ind := range indicator.Catalogue() {
		p.Indicators = append(p.Indicators, ind.ID)
	}
	p.Parts = []string{dhis2.PartValue, dhis2.PartNumerator, dhis2.PartDenominator}
	facility := place.Type(place.Facility)
	if p.Facilities, _, err = s.Store.FindOrgUnits(ctx, place.Filter{Type: &facility, Limit: 5000}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "admin_dhis2", p)
}

func (s *Server) dhis2Admin(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2Store(w, r)
	if !ok {
		return
	}
	s.dhis2Page(w, r, st, &DHIS2AdminPage{Page: s.page(w, r, "dhis2.title")}, http.StatusOK)
}

// dhis2Form checks the caller and reads a posted settings or push form with the
// saved settings it is read against.
func (s *Server) dhis2Form(w http.ResponseWriter, r *http.Request) (DHIS2AdminStore, *dhis2.Schedule, bool) {
	st, ok := s.dhis2Store(w, r)
	if !ok {
		return nil, nil, false
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return nil, nil, false
	}
	sc, err := st.DHIS2Schedule(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, false
	}
	return st, sc, true
}

var scheduleFields = fieldSet("enabled", "url", "token", "day_of_month", "dry_run")

// dhis2SaveSchedule saves the monthly push settings. A blank token keeps the stored
// one (the page never shows it); "clear token" removes it.
func (s *Server) dhis2SaveSchedule(w http.ResponseWriter, r *http.Request) {
	st, old, ok := s.dhis2Form(w, r)
	if !ok {
		return
	}
	sc := &dhis2.Schedule{Enabled: r.PostForm.Get("enabled") == "on", URL: strings.TrimSpace(r.PostForm.Get("url")),
		Token: old.Token, TokenError: old.TokenError, DryRun: r.PostForm.Get("dry_run") == "on"}
	if t := strings.TrimSpace(r.PostForm.Get("token")); t != "" {
		sc.Token, sc.TokenError = t, ""
	}
	if r.PostForm.Get("clear_token") == "on" {
		sc.Token, sc.TokenError = "", ""
	}
	var err error
	var errs []mesh.FieldError
	sc.DayOfMonth = intField(r.PostForm.Get("day_of_month"), "day_of_month", &errs)
	if len(errs) > 0 {
		err = mesh.Invalid(errs...)
	} else {
		err = st.PutDHIS2Schedule(r.Context(), sc)
	}
	if err != nil {
		f, status, ok := formError(language(w, r), err, scheduleFields)
		if !ok {
			s.fail(w, r, err)
			return
		}
		sc.TokenSet = sc.Token != "" || sc.TokenError != ""
		sc.Token = ""
		s.dhis2Page(w, r, st, &DHIS2AdminPage{Page: s.page(w, r, "dhis2.title"), Schedule: sc, ScheduleForm: f}, status)
		return
	}
	redirect(w, r, withNotice("/admin/dhis2", "saved"))
}

// mappingRowErrors lists a mapping's field errors in the page language, each naming
// its row and column ("row 3, data element: must be a DHIS2 uid…").
func mappingRowErrors(lang string, err error) []string {
	var out []string
	for _, fe := range mesh.ErrorFields(err) {
		field := fe.Field
		col := field
		if i := strings.Index(field, "]."); strings.HasPrefix(field, "entries[") && i > 0 {
			col = field[i+2:]
		}
		msg := i18n.T(lang, fieldErrorKey(fe))
		for _, k := range []string{"dhis2.err." + col + "." + fe.Code, "dhis2.err." + fe.Code} {
			if i18n.Has(i18n.Default, k) {
				msg = i18n.T(lang, k)
				break
			}
		}
		if i := strings.Index(field, "]."); strings.HasPrefix(field, "entries[") && i > 0 {
			n, _ := strconv.Atoi(field[len("entries["):i])
			out = append(out, i18n.T(lang, "dhis2.row_error", n+1, i18n.T(lang, "dhis2.col."+col), msg))
			continue
		}
		if field == "" {
			out = append(out, msg)
			continue
		}
		out = append(out, i18n.T(lang, "dhis2.field_error", i18n.T(lang, "dhis2.col."+field), msg))
	}
	return out
}

// dhis2SaveMapping replaces the mapping with the editor's rows (blank rows are left
// out), all or nothing.
func (s *Server) dhis2SaveMapping(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2Store(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	m := &dhis2.Mapping{DataSet: strings.TrimSpace(f.Get("data_set")), IDScheme: f.Get("id_scheme")}
	for i := range f["indicator"] {
		e := dhis2.Entry{Indicator: at(f["indicator"], i), Part: at(f["part"], i),
			DataElement: strings.TrimSpace(at(f["data_element"], i)), CategoryOptionCombo: strings.TrimSpace(at(f["category_option_combo"], i))}
		if e.Indicator == "" && e.DataElement == "" && e.CategoryOptionCombo == "" {
			continue // a blank row
		}
		m.Entries = append(m.Entries, e)
	}
	s.replaceMapping(w, r, st, m, "")
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return ""
}

func (s *Server) replaceMapping(w http.ResponseWriter, r *http.Request, st DHIS2AdminStore, m *dhis2.Mapping, raw string) {
	m.Normalize()
	err := m.Validate()
	if err == nil {
		err = st.ReplaceDHIS2Mapping(r.Context(), m)
	}
	if err != nil {
		if code := mesh.ErrorCode(err); code != mesh.EINVALID && code != mesh.ECONFLICT {
			s.fail(w, r, err)
			return
		}
		lang := language(w, r)
		p := &DHIS2AdminPage{Page: s.page(w, r, "dhis2.title"), Mapping: m, MappingErrs: mappingRowErrors(lang, err), ImportJSON: raw,
			MappingForm: Form{General: i18n.T(lang, "error.fix_below")}}
		s.dhis2Page(w, r, st, p, http.StatusBadRequest)
		return
	}
	redirect(w, r, withNotice("/admin/dhis2", "saved"))
}

// dhis2ImportMapping replaces the mapping with a JSON file (upload or pasted text),
// the format of `mesh dhis2 mapping export`.
func (s *Server) dhis2ImportMapping(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2Store(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	var raw []byte
	if err := r.ParseMultipartForm(1 << 20); err == nil {
		if file, _, err := r.FormFile("file"); err == nil {
			raw, _ = io.ReadAll(file)
			file.Close()
		}
	} else if err := r.ParseForm(); err != nil {
		s.fail(w, r, mesh.Errorf(mesh.EINVALID, "the form could not be read"))
		return
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte(r.FormValue("json"))
	}
	m, err := dhis2.DecodeMapping(bytes.NewReader(raw))
	if err != nil {
		if mesh.ErrorCode(err) != mesh.EINVALID {
			s.fail(w, r, err)
			return
		}
		lang := language(w, r)
		p := &DHIS2AdminPage{Page: s.page(w, r, "dhis2.title"), MappingErrs: mappingRowErrors(lang, err), ImportJSON: string(raw),
			MappingForm: Form{General: i18n.T(lang, "error.fix_below")}}
		s.dhis2Page(w, r, st, p, http.StatusBadRequest)
		return
	}
	s.replaceMapping(w, r, st, m, string(raw))
}

// dhis2MappingJSON downloads the mapping as the JSON file import takes.
func (s *Server) dhis2MappingJSON(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2APIStore(w, r)
	if !ok {
		return
	}
	m, err := st.DHIS2Mapping(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if strings.HasPrefix(r.URL.Path, "/admin/") {
		w.Header().Set("Content-Disposition", `attachment; filename="mesh-dhis2-mapping.json"`)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(m)
}

// dhis2SaveOrgUnits saves each facility's DHIS2 code and uid that changed, through
// the places store (validated, audited, version-checked like the place form).
func (s *Server) dhis2SaveOrgUnits(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2Store(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	lang := language(w, r)
	facility := place.Type(place.Facility)
	list, _, err := s.Store.FindOrgUnits(r.Context(), place.Filter{Type: &facility, Limit: 5000})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var errs []string
	for _, o := range list {
		id := strconv.FormatInt(o.ID, 10)
		code, uid := strings.TrimSpace(r.PostForm.Get("code_"+id)), strings.TrimSpace(r.PostForm.Get("uid_"+id))
		if _, sent := r.PostForm["uid_"+id]; !sent || (code == o.Code && uid == o.DHIS2UID) {
			continue
		}
		version, _ := strconv.Atoi(r.PostForm.Get("version_" + id))
		_, err := s.Store.UpdateOrgUnit(r.Context(), o.ID, place.Update{Code: &code, DHIS2UID: &uid, Version: &version})
		if err == nil {
			continue
		}
		if c := mesh.ErrorCode(err); c != mesh.EINVALID && c != mesh.ECONFLICT {
			s.fail(w, r, err)
			return
		}
		fes := mesh.ErrorFields(err)
		if len(fes) == 0 {
			errs = append(errs, i18n.T(lang, "dhis2.facility_error", o.Name, "", i18n.T(lang, generalKey(err, fieldSet("code", "dhis2_uid"), &Form{}, lang))))
		}
		for _, fe := range fes {
			errs = append(errs, i18n.T(lang, "dhis2.facility_error", o.Name, i18n.T(lang, "dhis2.col."+fe.Field), i18n.T(lang, fieldErrorKey(fe))))
		}
	}
	if len(errs) > 0 {
		p := &DHIS2AdminPage{Page: s.page(w, r, "dhis2.title"), OrgUnitErrs: errs, OrgUnitForm: Form{General: i18n.T(lang, "error.fix_below")}}
		s.dhis2Page(w, r, st, p, http.StatusBadRequest)
		return
	}
	redirect(w, r, withNotice("/admin/dhis2", "saved"))
}

// The JSON API: admin only, errors as every API error ({"error": …} naming the field).

func (s *Server) dhis2APIStore(w http.ResponseWriter, r *http.Request) (DHIS2AdminStore, bool) {
	return s.dhis2StoreOr(w, r, s.apiFail)
}

func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	api.WriteError(w, r, s.Logger, err)
}

func writeJSONBody(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) apiDHIS2Schedule(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2APIStore(w, r)
	if !ok {
		return
	}
	sc, err := st.DHIS2Schedule(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSONBody(w, http.StatusOK, sc) // the token itself is never encoded
}

// apiDHIS2PutSchedule saves the settings: {"enabled", "url", "token"?, "day_of_month",
// "dry_run"}; a missing token keeps the stored one, "" removes it.
func (s *Server) apiDHIS2PutSchedule(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2APIStore(w, r)
	if !ok {
		return
	}
	var in struct {
		Enabled    bool    `json:"enabled"`
		URL        string  `json:"url"`
		Token      *string `json:"token"`
		DayOfMonth int     `json:"day_of_month"`
		DryRun     bool    `json:"dry_run"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		s.apiFail(w, r, mesh.Invalid(mesh.FieldError{Code: "MALFORMED_JSON", Message: fmt.Sprintf("the body must be one JSON object: %v", err)}))
		return
	}
	old, err := st.DHIS2Schedule(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	sc := &dhis2.Schedule{Enabled: in.Enabled, URL: strings.TrimSpace(in.URL), Token: old.Token, TokenError: old.TokenError,
		DayOfMonth: in.DayOfMonth, DryRun: in.DryRun}
	if in.Token != nil {
		sc.Token, sc.TokenError = strings.TrimSpace(*in.Token), ""
	}
	if err := st.PutDHIS2Schedule(r.Context(), sc); err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSONBody(w, http.StatusOK, sc)
}

func (s *Server) apiDHIS2Jobs(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2APIStore(w, r)
	if !ok {
		return
	}
	jobs, err := st.FindDHIS2Jobs(r.Context(), r.URL.Query().Get("period"), 100)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSONBody(w, http.StatusOK, map[string]any{"jobs": jobs})
}

// apiDHIS2PutMapping replaces the mapping with the body (the mapping file format).
func (s *Server) apiDHIS2PutMapping(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2APIStore(w, r)
	if !ok {
		return
	}
	m, err := dhis2.DecodeMapping(http.MaxBytesReader(w, r.Body, 1<<20))
	if err == nil {
		err = st.ReplaceDHIS2Mapping(r.Context(), m)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSONBody(w, http.StatusOK, m)
}

// Push now: an admin pushes a chosen month at once, through the scheduler's own job
// code and lease (dhis2.Scheduler.Start), in the background; the job log shows it.

func init() { noticeKeys["push_started"] = true }

// defaultPusher is the push runner when the server was wired without one (tests):
// the store's own settings, jobs and lease, so it competes with every other server.
func (s *Server) defaultPusher() *dhis2.Scheduler {
	st, ok1 := s.Store.(dhis2.ScheduleStore)
	src, ok2 := s.Store.(dhis2.PayloadSource)
	if !ok1 || !ok2 {
		return nil
	}
	host, _ := os.Hostname()
	return &dhis2.Scheduler{Store: st, Source: src, Holder: fmt.Sprintf("%s:%d", host, os.Getpid()), Logger: s.Logger}
}

// monthInput writes a DHIS2 month (202611) as an <input type=month> value (2026-11).
func monthInput(period string) string {
	if len(period) == 6 {
		return period[:4] + "-" + period[4:]
	}
	return period
}

// pushPeriod reads the month to push: 2026-11 (the month input) or 202611; empty is
// last month.
func pushPeriod(v string, now time.Time) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return dhis2.LastMonth(now)
	}
	if len(v) == 7 && v[4] == '-' {
		return v[:4] + v[5:]
	}
	return v
}

// pushDryRun reads the dry-run choice: "on" or "off"; empty is the saved setting.
func pushDryRun(v string, saved bool, errs *[]mesh.FieldError) bool {
	switch v {
	case "":
		return saved
	case "on", "true":
		return true
	case "off", "false":
		return false
	}
	*errs = append(*errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: "dry_run", Message: "dry_run must be on or off (empty: the saved setting)"})
	return saved
}

var pushFields = fieldSet("period", "dry_run")

// dhis2PushNow starts a push from the page's form: period (YYYY-MM, default last
// month) and dry_run (on/off, default the saved setting).
func (s *Server) dhis2PushNow(w http.ResponseWriter, r *http.Request) {
	st, sc, ok := s.dhis2Form(w, r)
	if !ok {
		return
	}
	var err error
	var errs []mesh.FieldError
	period := pushPeriod(r.PostForm.Get("period"), time.Now())
	dryRun := pushDryRun(r.PostForm.Get("dry_run"), sc.DryRun, &errs)
	if len(errs) > 0 {
		err = mesh.Invalid(errs...)
	} else {
		_, err = s.startPush(r.Context(), period, dryRun)
	}
	if err != nil {
		lang := language(w, r)
		var f Form
		status := http.StatusConflict
		if errors.Is(err, dhis2.ErrPushRunning) {
			f.General = i18n.T(lang, "api.error.push_running")
		} else {
			var ok bool
			if f, status, ok = formError(lang, err, pushFields); !ok {
				s.fail(w, r, err)
				return
			}
		}
		p := &DHIS2AdminPage{Page: s.page(w, r, "dhis2.title"), PushForm: f, PushPeriod: monthInput(period), PushDryRun: dryRun}
		s.dhis2Page(w, r, st, p, status)
		return
	}
	redirect(w, r, withNotice("/admin/dhis2", "push_started")+"#dhis2-jobs")
}

func (s *Server) startPush(ctx context.Context, period string, dryRun bool) (*dhis2.Job, error) {
	if s.DHIS2 == nil {
		return nil, mesh.Errorf(mesh.EINTERNAL, "the store keeps no DHIS2 settings")
	}
	return s.DHIS2.Start(ctx, period, dryRun)
}

// apiDHIS2PushNow starts a push: {"period"?: "202611", "dry_run"?: bool}, each
// defaulting as on the page; 202 with the job (running), 409 while a push runs.
func (s *Server) apiDHIS2PushNow(w http.ResponseWriter, r *http.Request) {
	st, ok := s.dhis2APIStore(w, r)
	if !ok {
		return
	}
	var in struct {
		Period string `json:"period"`
		DryRun *bool  `json:"dry_run"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil && !errors.Is(err, io.EOF) {
		s.apiFail(w, r, mesh.Invalid(mesh.FieldError{Code: "MALFORMED_JSON", Message: fmt.Sprintf("the body must be one JSON object (or empty): %v", err)}))
		return
	}
	sc, err := st.DHIS2Schedule(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	dryRun := sc.DryRun
	if in.DryRun != nil {
		dryRun = *in.DryRun
	}
	j, err := s.startPush(r.Context(), pushPeriod(in.Period, time.Now()), dryRun)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/dhis2/jobs?period="+j.Period)
	writeJSONBody(w, http.StatusAccepted, j)
}
