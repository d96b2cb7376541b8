package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/i18n"
	"mesh/imci"
	"mesh/imciform"
	"mesh/observation"
	"mesh/place"
	"mesh/staff"
	"mesh/visit"
)

// The case-observation form: the mentor's verified assessment (the IMCI check form's
// own fields and converter), the raw measurements, then what the health worker did.
// On a post the web builds the observation JSON and saves it through the API's
// SaveObservation, so a web observation is checked, scored and counted exactly like
// one sent by the phone app.

// maxTreatmentRows is how many treatment rows the form offers (imciform, which also
// builds the observation JSON in the browser's offline engine).
const maxTreatmentRows = imciform.MaxTreatmentRows

// CheckGroup is what the "checks" partial draws: a fieldset of checkboxes. Group and
// Gate let imci-form.js hide it (another age group; a symptom not present).
type CheckGroup struct {
	ID, Label, Error, Group, Gate string
	Options                       []CheckOption
}

// CheckOption is one checkbox; Group marks a choice of one age group inside a box
// that serves both.
type CheckOption struct {
	Name, Value, Label, Group string
	Checked                   bool
}

func init() {
	funcs["inc"] = func(i int) int { return i + 1 }
	funcs["checks"] = func(lang string, f Form, name, labelKey string, options []Option, checked map[string]bool) CheckGroup {
		g := CheckGroup{ID: name, Label: i18n.T(lang, labelKey), Error: f.Err(name)}
		for _, o := range options {
			g.Options = append(g.Options, CheckOption{Name: name, Value: o.Value, Label: o.Label, Checked: checked[o.Value]})
		}
		return g
	}
}

// taskGroup is one group of assessment tasks as the form shows it: by age group and,
// where the tasks depend on a symptom, behind that symptom's answer (observation.md §2).
type taskGroup struct {
	ID, Group, Gate string
	Tasks           []string
}

var taskGroups = []taskGroup{
	{"danger_signs", groupChild, "", []string{observation.TaskAskDrinkOrBreastfeed, observation.TaskAskVomitsEverything,
		observation.TaskAskConvulsions, observation.TaskLookLethargicUnconscious}},
	{"main_symptoms", groupChild, "", []string{observation.TaskAskCough, observation.TaskAskDiarrhoea, observation.TaskAskFever,
		observation.TaskAskEarProblem}},
	{"cough", groupChild, "cough.present", []string{observation.TaskCountBreaths, observation.TaskLookChestIndrawing,
		observation.TaskLookListenStridorWheeze}},
	{"diarrhoea", groupChild, "diarrhoea.present", []string{observation.TaskAskDiarrhoeaDuration, observation.TaskAskBloodInStool,
		observation.TaskLookSunkenEyes, observation.TaskOfferFluid, observation.TaskPinchSkin}},
	{"fever", groupChild, "fever.reported", []string{observation.TaskAskFeverDuration, observation.TaskLookStiffNeck,
		observation.TaskLookMeaslesSigns, observation.TaskMalariaTest}},
	{"ear", groupChild, "ear.present", []string{observation.TaskLookEarPus, observation.TaskFeelBehindEar}},
	{"every_child", groupChild, "", []string{observation.TaskMeasureTemperature, observation.TaskWeigh,
		observation.TaskPlotGrowthChart, observation.TaskLookOedema, observation.TaskCheckPalmarPallor,
		observation.TaskCheckImmunizationCard, observation.TaskMeasureMUAC, observation.TaskAssessFeeding}},
	{"young_infant", groupYoungInfant, "", []string{observation.TaskAskFeeding, observation.TaskAskConvulsions,
		observation.TaskCountBreaths, observation.TaskLookSevereChestIndrawing, observation.TaskMeasureTemperature,
		observation.TaskLookUmbilicus, observation.TaskLookSkinPustules, observation.TaskLookMovement,
		observation.TaskLookJaundice, observation.TaskAskDiarrhoea, observation.TaskWeigh, observation.TaskPlotGrowthChart,
		observation.TaskCheckImmunizationCard, observation.TaskObserveBreastfeed}},
	{"yi_diarrhoea", groupYoungInfant, "young_infant.diarrhoea.present", []string{observation.TaskLookSunkenEyes,
		observation.TaskPinchSkin}},
}

// boxGroup says which age group a box of classifications serves.
var boxGroup = map[string]string{
	imci.BoxCough: groupChild, imci.BoxFever: groupChild, imci.BoxMeasles: groupChild, imci.BoxEar: groupChild,
	imci.BoxNutrition: groupChild, imci.BoxAnaemia: groupChild,
	imci.BoxBacterialInfection: groupYoungInfant, imci.BoxJaundice: groupYoungInfant, imci.BoxYIFeeding: groupYoungInfant,
}

// classGroup marks the codes of a shared box that only one age group can get.
func classGroup(code string) string {
	switch code {
	case "YI_BLOOD_IN_STOOL", "YI_PERSISTENT_DIARRHOEA":
		return groupYoungInfant
	case "SEVERE_PERSISTENT_DIARRHOEA", "PERSISTENT_DIARRHOEA", "DYSENTERY":
		return groupChild
	}
	return ""
}

// counsellingFields are the counselling checkboxes, named as in the observation JSON.
var counsellingFields = imciform.CounsellingFields

// ObservePage is the case-observation form.
type ObservePage struct {
	Page
	Visit    *visit.Visit
	Facility *place.OrgUnit
	ID       string // the observation's id, made when the form is drawn
	// Draft tells imci-form.js what to do with the draft kept in the browser
	// (restore on a fresh form, keep while the server shows errors).
	Draft          string
	Assessment     IMCIForm
	Errors         Form
	V              url.Values // the values as typed
	WorkerOptions  []Option
	MeasuredOpts   []Option
	Tasks          []CheckGroup
	Classes        []CheckGroup
	Treatments     []TreatmentRow
	TreatOptions   []Option
	UnitOptions    []Option
	Counselling    CheckGroup
	RecordingForm  bool
	Referred       bool
	NoWorkers      bool
	FollowUpPrompt string
	// TrainedOn maps each worker's id to their IMCI training date, so an observation
	// scored offline (offline.js) counts provider training as the server does.
	TrainedOn map[string]string
}

// TreatmentRow is one treatment row of the form.
type TreatmentRow struct {
	Index                                                   int
	Code, UnitsPerDose, Unit, FrequencyPerDay, DurationDays string
	Errors                                                  map[string]string // by column name
}

func (s *Server) observeForm(w http.ResponseWriter, r *http.Request) {
	v, fac, err := s.observeVisit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vals := url.Values{}
	if fac.MalariaRisk != "" {
		vals.Set("setting.malaria_risk", fac.MalariaRisk)
	}
	s.renderObserve(w, r, http.StatusOK, v, fac, newUUID(), vals, Form{}, "restore")
}

// observeAny is the observation form for any visit, GET /observe?visit=UUID: the
// service worker keeps one copy of it (the bare /observe, with no visit) and shows it
// offline for every visit, including one created on the phone and not yet sent;
// offline.js fills the visit, its facility and staff from the device's outbox and
// downloaded scope (docs/offline.md). A visit the server holds gets the same page as
// /visits/{id}/observe, after the same checks; an id the server does not know gets
// the bare form (it holds no data: the visit may still be in the phone's outbox, and
// its facility is checked when the observation arrives).
func (s *Server) observeAny(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.WriteObservations, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("visit")))
	if id != "" && !visit.ValidUUID(id) {
		s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "visit", Message: "visit must be a visit's UUID"}))
		return
	}
	if id != "" {
		_, err := s.Store.FindVisitByID(r.Context(), id)
		if err == nil {
			r.SetPathValue("id", id)
			s.observeForm(w, r) // checks the visit's area
			return
		}
		if mesh.ErrorCode(err) != mesh.ENOTFOUND {
			s.fail(w, r, err)
			return
		}
	}
	s.renderObserve(w, r, http.StatusOK, nil, nil, newUUID(), url.Values{}, Form{}, "restore")
}

// observeVisit loads {id} for a mentor who may record observations at its facility.
func (s *Server) observeVisit(r *http.Request) (*visit.Visit, *place.OrgUnit, error) {
	v, err := s.loadVisit(r, account.WriteObservations)
	if err != nil {
		return nil, nil, err
	}
	if v.Status == "cancelled" {
		return nil, nil, mesh.Errorf(mesh.ECONFLICT, "the visit was cancelled")
	}
	fac, err := s.Store.FindOrgUnitByID(r.Context(), v.FacilityID)
	return v, fac, err
}

func (s *Server) renderObserve(w http.ResponseWriter, r *http.Request, status int, v *visit.Visit, fac *place.OrgUnit,
	id string, vals url.Values, errs Form, draft string) {
	p := &ObservePage{Page: s.page(w, r, "observe.title"), Visit: v, Facility: fac, ID: id, Draft: draft, Errors: errs, V: vals,
		RecordingForm: vals.Get("recording_form_used") != "", Referred: vals.Get("referred") != ""}
	p.Assessment = newIMCIForm(p.Lang, vals, errs)
	var workers []*staff.HealthWorker
	if v != nil { // the bare form (observeAny) gets its staff from the device
		var err error
		if workers, err = s.workersAt(r, v.FacilityID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p.NoWorkers = v != nil && len(workers) == 0
	p.WorkerOptions = []Option{{Value: "", Label: tr(p.Lang, "form.choose")}}
	p.TrainedOn = map[string]string{}
	for _, h := range workers {
		p.WorkerOptions = append(p.WorkerOptions, Option{Value: itoa(h.ID), Label: h.Name})
		p.TrainedOn[itoa(h.ID)] = string(h.IMCITrainedOn)
	}
	p.MeasuredOpts = enumOptions(p.Lang, "observe.measured.", []string{"lying", "standing"}, "")
	for _, g := range taskGroups {
		cg := CheckGroup{ID: "tasks-" + g.ID, Label: tr(p.Lang, "observe.tasks."+g.ID), Group: g.Group, Gate: g.Gate}
		for _, t := range g.Tasks {
			name := "task." + t
			cg.Options = append(cg.Options, CheckOption{Name: name, Value: "on", Label: tr(p.Lang, "observe.task."+t), Checked: vals.Get(name) != ""})
		}
		p.Tasks = append(p.Tasks, cg)
	}
	p.Classes = classificationGroups(p.Lang, vals["classification"], errs.Err("classification"))
	p.TreatOptions = treatmentOptions(p.Lang)
	p.UnitOptions = unitOptions(p.Lang)
	for i := range maxTreatmentRows {
		pre := "treatments." + strconv.Itoa(i) + "."
		row := TreatmentRow{Index: i, Code: vals.Get(pre + "code"), UnitsPerDose: vals.Get(pre + "units_per_dose"),
			Unit: vals.Get(pre + "unit"), FrequencyPerDay: vals.Get(pre + "frequency_per_day"),
			DurationDays: vals.Get(pre + "duration_days"), Errors: map[string]string{}}
		for _, col := range []string{"code", "units_per_dose", "unit", "frequency_per_day", "duration_days"} {
			if e := errs.Err(pre + col); e != "" {
				row.Errors[col] = e
			}
		}
		p.Treatments = append(p.Treatments, row)
	}
	p.Counselling = CheckGroup{ID: "counselling", Label: tr(p.Lang, "observe.counselling")}
	for _, c := range counsellingFields {
		name := "counselling." + c
		p.Counselling.Options = append(p.Counselling.Options, CheckOption{Name: name, Value: "on",
			Label: tr(p.Lang, "observe.counselling."+c), Checked: vals.Get(name) != ""})
	}
	s.render(w, r, status, "observe", p)
}

// classificationGroups lists every classification code as checkboxes, one fieldset
// per box in the chart's order, the most severe row first.
func classificationGroups(lang string, ticked []string, errText string) []CheckGroup {
	checked := map[string]bool{}
	for _, c := range ticked {
		checked[c] = true
	}
	byBox := map[string][]string{}
	for _, code := range imci.ClassificationCodes() {
		box, _, _ := imci.ClassificationInfo(code)
		byBox[box] = append(byBox[box], code)
	}
	var out []CheckGroup
	for _, box := range boxOrder {
		codes := byBox[box]
		if len(codes) == 0 {
			continue
		}
		sort.SliceStable(codes, func(i, j int) bool {
			_, ci, _ := imci.ClassificationInfo(codes[i])
			_, cj, _ := imci.ClassificationInfo(codes[j])
			return imci.ColourRank(ci) > imci.ColourRank(cj)
		})
		g := CheckGroup{ID: "classes-" + strings.ToLower(box), Label: tr(lang, "imci.box."+box), Group: boxGroup[box]}
		for _, code := range codes {
			_, colour, _ := imci.ClassificationInfo(code)
			g.Options = append(g.Options, CheckOption{Name: "classification", Value: code, Group: classGroup(code),
				Label: className(lang, code) + " (" + tr(lang, "imci.colour."+colour) + ")", Checked: checked[code]})
		}
		out = append(out, g)
	}
	if len(out) > 0 {
		out[0].Error = errText
	}
	return out
}

// treatmentOptions lists every treatment code by its name in lang.
func treatmentOptions(lang string) []Option {
	var opts []Option
	for _, code := range imci.TreatmentCodes() {
		opts = append(opts, Option{Value: code, Label: codeText(lang, "imci.treat.", code)})
	}
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].Label < opts[j].Label })
	return append([]Option{{Value: "", Label: tr(lang, "observe.no_treatment")}}, opts...)
}

// unitOptions lists the chart's dose units (every imci.unit.* message), with a first
// "as on the chart" choice that the scorer reads as the chart's own unit.
func unitOptions(lang string) []Option {
	opts := []Option{{Value: "", Label: tr(lang, "observe.unit_chart")}}
	for _, k := range i18n.Keys() {
		if u, ok := strings.CutPrefix(k, "imci.unit."); ok {
			opts = append(opts, Option{Value: u, Label: tr(lang, k)})
		}
	}
	return opts
}

func (s *Server) observe(w http.ResponseWriter, r *http.Request) {
	v, fac, err := s.observeVisit(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vals := r.PostForm
	id := strings.ToLower(strings.TrimSpace(vals.Get("id")))
	if !visit.ValidUUID(id) {
		id = newUUID()
	}
	lang := language(w, r)
	body, errs := observationBody(vals, v, nowIn())
	if len(errs) > 0 {
		// Show the form's own problems with every problem the decoder finds in the
		// rest, and save nothing.
		_, more := observation.Decode(body)
		s.renderObserve(w, r, http.StatusBadRequest, v, fac, id, vals, observeErrors(lang, vals, append(errs, more...)), "keep")
		return
	}
	rec, created, err := s.apiServer().SaveObservation(r, id, body, nil)
	switch code := mesh.ErrorCode(err); {
	case code == mesh.EINVALID:
		s.renderObserve(w, r, http.StatusBadRequest, v, fac, id, vals, observeErrors(lang, vals, mesh.ErrorFields(err)), "keep")
		return
	case code == mesh.ECONFLICT:
		// This form was saved already and then changed: keep what was typed under a
		// new id, so saving again records a new observation.
		s.renderObserve(w, r, http.StatusConflict, v, fac, newUUID(), vals, Form{General: tr(lang, "observe.already_saved")}, "keep")
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if created && rec.NextSteps != "" {
		// The agreed next steps become a learning goal, reviewed at the next visit.
		g := &observation.Goal{ID: newUUID(), HealthWorkerID: rec.HealthWorkerID, ObservationID: rec.ID,
			Goal: truncateRunes(rec.NextSteps, 1000), Status: "open"}
		if _, err := s.Store.PutGoal(r.Context(), g); err != nil {
			s.Logger.Error("learning goal from next steps", "observation", rec.ID, "err", err)
		}
	}
	redirect(w, r, "/observations/"+rec.ID)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// observationBody builds the observation JSON of spec/observation.md §1 from the
// form (imciform.ObservationBody: the same code the offline engine runs in the
// browser, so an observation queued offline is the one the server would have built).
func observationBody(v url.Values, vis *visit.Visit, at time.Time) (json.RawMessage, []mesh.FieldError) {
	return imciform.ObservationBody(v, vis.ID, vis.Date, at)
}

// treatmentIndexRE finds "[2]" in "worker.treatments[2].units_per_dose".
var treatmentIndexRE = regexp.MustCompile(`\[(\d+)\]`)

// observeField maps an error's path in the observation JSON to the form field that
// shows it: assessment errors go on the IMCI fields (without "assessment."), the
// worker's on their inputs ("worker.treatments[0].unit" → "treatments.0.unit").
// Treatment rows are compacted (empty rows are skipped), so a row index is mapped
// back to the form row it came from.
func observeField(field string, v url.Values) string {
	switch {
	case strings.HasPrefix(field, "assessment."):
		return formField(strings.TrimPrefix(field, "assessment."))
	case strings.HasPrefix(field, "worker.classifications"):
		return "classification"
	case strings.HasPrefix(field, "worker.treatments["):
		m := treatmentIndexRE.FindStringSubmatch(field)
		n, _ := strconv.Atoi(m[1])
		rest := strings.TrimPrefix(field[len("worker.treatments")+len(m[0]):], ".")
		if rest == "" {
			rest = "code"
		}
		return "treatments." + strconv.Itoa(formTreatmentRow(v, n)) + "." + rest
	case strings.HasPrefix(field, "worker.tasks"):
		return "tasks"
	case strings.HasPrefix(field, "worker."):
		return strings.TrimPrefix(field, "worker.")
	}
	return field
}

// formTreatmentRow finds the form row of the n-th filled treatment row.
func formTreatmentRow(v url.Values, n int) int {
	k := 0
	for i := range maxTreatmentRows {
		if strings.TrimSpace(v.Get("treatments."+strconv.Itoa(i)+".code")) == "" {
			continue
		}
		if k == n {
			return i
		}
		k++
	}
	return n
}

// observeFields are the worker-part inputs that show their own errors.
var observeFields = fieldSet("health_worker_id", "measurements.length_cm", "measurements.measured", "classification",
	"referred", "follow_up_days", "notes", "next_steps")

// observeErrors places every error beside its field in the reader's language; an
// error that belongs to no field becomes the general message.
func observeErrors(lang string, v url.Values, errs []mesh.FieldError) Form {
	var f Form
	for _, e := range errs {
		field := observeField(e.Field, v)
		switch {
		case isIMCIField(field):
			f.Errors = mapSet(f.Errors, field, imciErrorText(lang, v, field, e.Code))
		case observeFields[field] || strings.HasPrefix(field, "treatments."):
			f.Errors = mapSet(f.Errors, field, observeErrorText(lang, e.Code))
		case f.General == "":
			f.General = observeErrorText(lang, e.Code)
		}
	}
	if f.General == "" {
		f.General = tr(lang, "error.fix_below")
	}
	return f
}

func isIMCIField(field string) bool {
	_, ok := imciFieldByPath(field)
	return ok
}

// observeErrorText explains a worker-part error by its code.
func observeErrorText(lang, code string) string {
	for _, k := range []string{"observe.err." + code, "imci.err." + code, "err." + code} {
		if i18n.Has(i18n.Default, k) {
			return tr(lang, k)
		}
	}
	return tr(lang, "err.invalid")
}
