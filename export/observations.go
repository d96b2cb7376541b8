package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mesh/observation"
)

// Observation is one row of the observation export as the database keeps it: the
// record's key columns and its cells, formatted once when the observation was saved
// (ObservationCells). An export copies the cells out: decoding each stored
// observation's JSON at export time held the rate near 50,000 rows/s on two cores.
type Observation struct {
	ID         string
	ObservedAt time.Time
	Month      string
	FacilityID int64
	Facility   string // read at export time: a facility may be renamed after the save
	Cells      []byte // the CSV cells after the facility column, without a line end
}

// StoredObservation is what an observation's cells are made from: the record's
// columns and the stored JSON of its body and score.
type StoredObservation struct {
	ID             string
	ObservedAt     time.Time
	Month          string
	FacilityID     int64
	VisitID        string
	HealthWorkerID int64
	Protocol       string
	Version        int
	Voided         bool
	UpdatedAt      time.Time
	Body, Score    []byte // stored JSON of observation.Observation and observation.Score
}

// cellsFrom is the index of the first column kept in Observation.Cells: the columns
// before it (id, observed_at, month, facility_id, facility) are written at export time.
const cellsFrom = 5

// ObservationCells formats a stored observation's cells after the facility column as
// one CSV line without its line end (what Observation.Cells holds).
func ObservationCells(o StoredObservation) ([]byte, error) {
	r := make([]string, len(ObservationHeader))
	observationRow(o, r)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(r[cellsFrom:]); err != nil {
		return nil, err
	}
	cw.Flush()
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), cw.Error()
}

// StoredOf is the stored form of a record.
func StoredOf(r *observation.Record) (StoredObservation, error) {
	body, score := r.BodyJSON, r.ScoreJSON
	var err error
	if body == nil {
		if body, err = json.Marshal(r.Observation); err != nil {
			return StoredObservation{}, err
		}
	}
	if score == nil {
		if score, err = json.Marshal(r.Score); err != nil {
			return StoredObservation{}, err
		}
	}
	return StoredObservation{ID: r.ID, ObservedAt: r.ObservedAt, Month: r.Month, FacilityID: r.FacilityID, VisitID: r.VisitID,
		HealthWorkerID: r.HealthWorkerID, Protocol: r.Protocol, Version: r.Version, Voided: r.Voided, UpdatedAt: r.UpdatedAt,
		Body: body, Score: score}, nil
}

// ObservationOf is the export row of a record (tests and callers holding records).
func ObservationOf(r *observation.Record, facility string) (Observation, error) {
	s, err := StoredOf(r)
	if err != nil {
		return Observation{}, err
	}
	cells, err := ObservationCells(s)
	if err != nil {
		return Observation{}, err
	}
	return Observation{ID: r.ID, ObservedAt: r.ObservedAt, Month: r.Month, FacilityID: r.FacilityID, Facility: facility, Cells: cells}, nil
}

// exportBody is the part of a stored observation the columns read; encoding/json
// skips the rest without building it.
type exportBody struct {
	RecordingFormUsed bool      `json:"recording_form_used"`
	Assessment        keyInputs `json:"assessment"`
	Worker            struct {
		Tasks           map[string]bool         `json:"tasks"`
		Classifications []string                `json:"classifications"`
		Treatments      []struct{ Code string } `json:"treatments"`
		Referred        bool                    `json:"referred"`
		FollowUpDays    *int                    `json:"follow_up_days"`
		Counselling     observation.Counselling `json:"counselling"`
	} `json:"worker"`
}

// classificationPair and doseError are the parts of observation.ClassificationPair
// and observation.DoseError the columns show.
type classificationPair struct {
	Given    string `json:"given"`
	Expected string `json:"expected"`
}

type doseError struct {
	Code    string `json:"code"`
	Problem string `json:"problem"`
	Measure string `json:"measure"`
}

// exportScore is observation.Score without the feedback texts (only counted).
type exportScore struct {
	ScoringVersion         string                       `json:"scoring_version"`
	EngineVersion          string                       `json:"engine_version"`
	Protocol               struct{ ID, Version string } `json:"protocol"`
	AgeGroup               string                       `json:"age_group"`
	AssessmentIndex        float64                      `json:"assessment_index"`
	TasksRequired          []string                     `json:"tasks_required"`
	TasksMissed            []string                     `json:"tasks_missed"`
	ClassificationCorrect  bool                         `json:"classification_correct"`
	ClassificationsMissed  []string                     `json:"classifications_missed"`
	ClassificationsExtra   []string                     `json:"classifications_extra"`
	UnderClassified        []classificationPair         `json:"under_classified"`
	OverClassified         []classificationPair         `json:"over_classified"`
	TreatmentCorrect       bool                         `json:"treatment_correct"`
	TreatmentsMissed       []string                     `json:"treatments_missed"`
	TreatmentsExtra        []string                     `json:"treatments_extra"`
	DoseErrors             []doseError                  `json:"dose_errors"`
	AntibioticNotIndicated bool                         `json:"antibiotic_not_indicated"`
	ReferralCorrect        bool                         `json:"referral_correct"`
	FollowUpCorrect        bool                         `json:"follow_up_correct"`
	CounsellingComplete    bool                         `json:"counselling_complete"`
	CorrectlyManaged       bool                         `json:"correctly_managed"`
	Feedback               []struct{}                   `json:"feedback"`
	Warnings               []struct{ Code string }      `json:"warnings"`
	Facts                  observation.Facts            `json:"facts"`
}

// keyInputs are the few assessment inputs worth a column of their own; the full
// assessment stays in the database and the JSON API.
type keyInputs struct {
	AgeDays      *int     `json:"age_days"`
	AgeMonths    *float64 `json:"age_months"`
	Sex          string   `json:"sex"`
	WeightKg     *float64 `json:"weight_kg"`
	TemperatureC *float64 `json:"temperature_c"`
	Cough        *present `json:"cough"`
	Diarrhoea    *present `json:"diarrhoea"`
	Fever        *struct {
		Reported *bool `json:"reported"`
	} `json:"fever"`
	Ear         *present        `json:"ear"`
	YoungInfant json.RawMessage `json:"young_infant"`
}

type present struct {
	Present *bool `json:"present"`
}

func (p *present) cell() string {
	if p == nil {
		return ""
	}
	return optBool(p.Present)
}

// ObservationHeader is the observation table's header row.
var ObservationHeader = []string{
	"id", "observed_at", "month", "facility_id", "facility", "visit_id", "health_worker_id", "protocol", "age_group",
	"age_days", "age_months", "sex", "weight_kg", "temperature_c", "cough", "diarrhoea", "fever", "ear", "young_infant",
	"recording_form_used", "worker_tasks_done", "worker_classifications", "worker_treatments", "worker_referred",
	"worker_follow_up_days", "worker_counselling",
	"scoring_version", "engine_version", "protocol_id", "protocol_version", "score_age_group", "assessment_index",
	"tasks_required", "tasks_missed", "classification_correct", "classifications_missed", "classifications_extra",
	"under_classified", "over_classified", "treatment_correct", "treatments_missed", "treatments_extra", "dose_errors",
	"antibiotic_not_indicated", "referral_correct", "follow_up_correct", "counselling_complete", "correctly_managed",
	"feedback_points", "warnings",
	"facts.recording_form_used", "facts.provider_trained", "facts.urgent_referral_expected", "facts.referred",
	"facts.follow_up_expected", "facts.antimicrobial_indicated", "facts.antimicrobial_given", "facts.drug_given",
	"facts.return_advised", "facts.oral_drug_expected", "facts.feeding_counselling_required",
	"version", "voided", "updated_at",
}

var observationTable = table[Observation]{header: ObservationHeader, row: observationCells, kinds: withBools(map[string]colKind{
	"observed_at": kTime, "updated_at": kTime, "facility_id": kNum, "health_worker_id": kNum, "age_days": kNum,
	"age_months": kNum, "weight_kg": kNum, "temperature_c": kNum, "worker_follow_up_days": kNum,
	"assessment_index": kNum, "feedback_points": kNum, "version": kNum,
}, "cough", "diarrhoea", "fever", "ear", "young_infant", "recording_form_used", "worker_referred",
	"classification_correct", "treatment_correct", "antibiotic_not_indicated", "referral_correct", "follow_up_correct",
	"counselling_complete", "correctly_managed", "voided", "facts.recording_form_used", "facts.provider_trained",
	"facts.urgent_referral_expected", "facts.referred", "facts.follow_up_expected", "facts.antimicrobial_indicated",
	"facts.antimicrobial_given", "facts.drug_given", "facts.return_advised", "facts.oral_drug_expected",
	"facts.feeding_counselling_required")}

// withBools adds boolean columns to kinds.
func withBools(kinds map[string]colKind, cols ...string) map[string]colKind {
	for _, c := range cols {
		kinds[c] = kBool
	}
	return kinds
}

// WriteObservationsCSV writes one row per observation: the record, a few key inputs,
// a summary of what the worker did and every score field. The cells were formatted at
// save time, so a row is its key columns, the facility name and a copy of the stored
// cells; nothing is decoded and one goroutine keeps up with the database.
func WriteObservationsCSV(w io.Writer, rows iter.Seq2[Observation, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "observations"
	}
	out := &csvSink{w: w}
	if err := out.header(observationTable.labels(opt.Lang)); err != nil {
		return 0, err
	}
	if err := out.close(); err != nil { // the header leaves before the first query answers
		return 0, err
	}
	p := newProgress(opt)
	buf := make([]byte, 0, 128<<10)
	n := 0
	for o, err := range rows {
		if err != nil {
			return n, errors.Join(flush(w, buf), err)
		}
		if len(o.Cells) == 0 {
			return n, errors.Join(flush(w, buf), fmt.Errorf("observation %s has no export row (run mesh migrate)", o.ID))
		}
		buf = appendField(buf, o.ID)
		buf = append(buf, ',')
		buf = o.ObservedAt.UTC().AppendFormat(buf, time.RFC3339)
		buf = append(buf, ',')
		buf = appendField(buf, o.Month)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, o.FacilityID, 10)
		buf = append(buf, ',')
		buf = appendField(buf, o.Facility)
		buf = append(buf, ',')
		buf = append(buf, o.Cells...)
		buf = append(buf, '\n')
		if len(buf) >= 64<<10 {
			if err := flush(w, buf); err != nil {
				return n, err
			}
			buf = buf[:0]
		}
		n++
		p.row(n)
	}
	if err := flush(w, buf); err != nil {
		return n, err
	}
	p.done(n)
	return n, nil
}

func flush(w io.Writer, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := w.Write(b)
	return err
}

// appendField appends s as encoding/csv writes a field, so the rows this writer
// builds are byte for byte those of csv.Writer (TestFastCSVMatchesCSVWriter).
func appendField(dst []byte, s string) []byte {
	if !fieldNeedsQuotes(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"') // a quote is doubled; \r and \n stay as they are (UseCRLF off)
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// fieldNeedsQuotes is encoding/csv's rule for a comma-separated field.
func fieldNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` {
		return true
	}
	if strings.ContainsAny(s, ",\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// observationCells fills a full row from an export row (the XLSX path, which needs
// each cell on its own for its type): the key columns, then the stored cells split.
func observationCells(o Observation, r []string) {
	r[0], r[1], r[2], r[3], r[4] = o.ID, timeCell(o.ObservedAt), o.Month, strconv.FormatInt(o.FacilityID, 10), o.Facility
	cr := csv.NewReader(bytes.NewReader(o.Cells))
	cr.FieldsPerRecord = len(r) - cellsFrom
	cells, err := cr.Read()
	if err != nil {
		return // cells written by ObservationCells always parse; a damaged row stays blank
	}
	copy(r[cellsFrom:], cells)
}

func observationRow(o StoredObservation, r []string) {
	var body exportBody
	var s exportScore
	// The one-pass reader first; encoding/json when it meets something it does not
	// handle. Stored JSON was decoded strictly on the way in, so a row that still
	// fails keeps the cells it could fill rather than stopping a national export.
	if !decodeBody(o.Body, &body) {
		body = exportBody{}
		_ = json.Unmarshal(o.Body, &body)
	}
	if !decodeScore(o.Score, &s) {
		s = exportScore{}
		_ = json.Unmarshal(o.Score, &s)
	}
	in, wk := body.Assessment, body.Worker
	i := 0
	put := func(v string) { r[i] = v; i++ }
	put(o.ID)
	put(timeCell(o.ObservedAt))
	put(o.Month)
	put(strconv.FormatInt(o.FacilityID, 10))
	put("") // the facility name is read at export time
	put(o.VisitID)
	put(strconv.FormatInt(o.HealthWorkerID, 10))
	put(o.Protocol)
	put(s.AgeGroup)
	put(optInt(in.AgeDays))
	put(optNum(in.AgeMonths))
	put(in.Sex)
	put(optNum(in.WeightKg))
	put(optNum(in.TemperatureC))
	put(in.Cough.cell())
	put(in.Diarrhoea.cell())
	if in.Fever != nil {
		put(optBool(in.Fever.Reported))
	} else {
		put("")
	}
	put(in.Ear.cell())
	put(boolCell(len(in.YoungInfant) > 0 && string(in.YoungInfant) != "null"))
	put(boolCell(body.RecordingFormUsed))
	put(tasksDone(wk.Tasks))
	put(list(wk.Classifications))
	put(treatments(wk.Treatments))
	put(boolCell(wk.Referred))
	put(optInt(wk.FollowUpDays))
	put(counselling(wk.Counselling))
	put(s.ScoringVersion)
	put(s.EngineVersion)
	put(s.Protocol.ID)
	put(s.Protocol.Version)
	put(s.AgeGroup)
	put(num(s.AssessmentIndex))
	put(list(s.TasksRequired))
	put(list(s.TasksMissed))
	put(boolCell(s.ClassificationCorrect))
	put(list(s.ClassificationsMissed))
	put(list(s.ClassificationsExtra))
	put(pairs(s.UnderClassified))
	put(pairs(s.OverClassified))
	put(boolCell(s.TreatmentCorrect))
	put(list(s.TreatmentsMissed))
	put(list(s.TreatmentsExtra))
	put(doseErrors(s.DoseErrors))
	put(boolCell(s.AntibioticNotIndicated))
	put(boolCell(s.ReferralCorrect))
	put(boolCell(s.FollowUpCorrect))
	put(boolCell(s.CounsellingComplete))
	put(boolCell(s.CorrectlyManaged))
	put(strconv.Itoa(len(s.Feedback)))
	put(warnings(s.Warnings))
	f := s.Facts
	for _, b := range []bool{f.RecordingFormUsed, f.ProviderTrained, f.UrgentReferralExpected, f.Referred, f.FollowUpExpected,
		f.AntimicrobialIndicated, f.AntimicrobialGiven, f.DrugGiven, f.ReturnAdvised, f.OralDrugExpected, f.FeedingCounsellingRequired} {
		put(boolCell(b))
	}
	put(strconv.Itoa(o.Version))
	put(boolCell(o.Voided))
	put(timeCell(o.UpdatedAt))
}

// tasksDone lists the tasks the worker did, sorted (map order is random).
func tasksDone(tasks map[string]bool) string {
	done := make([]string, 0, len(tasks))
	for k, v := range tasks {
		if v {
			done = append(done, k)
		}
	}
	sort.Strings(done)
	return list(done)
}

func treatments(ts []struct{ Code string }) string {
	codes := make([]string, len(ts))
	for i, t := range ts {
		codes[i] = t.Code
	}
	return list(codes)
}

func counselling(c observation.Counselling) string {
	var out []string
	for _, x := range []struct {
		b    bool
		name string
	}{{c.AdvisedWhenToReturnImmediately, "return_immediately"}, {c.TaughtHowToGiveOralDrugs, "oral_drugs"},
		{c.FirstDoseGivenAtFacility, "first_dose"}, {c.FeedingCounselled, "feeding"}, {c.FluidsAndFeedingAdvised, "fluids_and_feeding"}} {
		if x.b {
			out = append(out, x.name)
		}
	}
	return list(out)
}

func pairs(ps []classificationPair) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Given + " → " + p.Expected
	}
	return list(out)
}

func doseErrors(ds []doseError) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Code + " " + strings.ReplaceAll(d.Problem, ";", ",") + " (" + d.Measure + ")"
	}
	return list(out)
}

func warnings(ws []struct{ Code string }) string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Code
	}
	return list(out)
}
