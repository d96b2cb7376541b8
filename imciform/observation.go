package imciform

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mesh"
	"mesh/imci"
	"mesh/observation"
)

// Protocol is the protocol name the mentors' app records (spec §1.1).
const Protocol = "imci-who-2014"

// MaxTreatmentRows is how many treatment rows the form offers: more than any chart
// case gives (pre-referral cases have four or five).
const MaxTreatmentRows = 6

// CounsellingFields are the counselling checkboxes, named as in the observation JSON.
var CounsellingFields = []string{"advised_when_to_return_immediately", "taught_how_to_give_oral_drugs",
	"first_dose_given_at_facility", "feeding_counselled", "fluids_and_feeding_advised"}

// ObservationBody builds the observation JSON of spec/observation.md §1 from the
// case-observation form. The assessment comes from ToInput (the IMCI check page's
// converter); a value that cannot be read is left out and reported on its field, so
// the caller can show every problem at once. visitDate is the visit's day ("" if
// unknown) and at the moment of saving, in the facility's (device's) time zone.
func ObservationBody(v url.Values, visitID string, visitDate mesh.Date, at time.Time) (json.RawMessage, []mesh.FieldError) {
	assessment, errs := ToInput(v)
	fail := func(code, field, msg string) {
		errs = append(errs, mesh.FieldError{Code: code, Field: field, Message: field + " " + msg})
	}
	get := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	on := func(name string) bool { return get(name) != "" }
	num := func(name string, whole bool) (json.Number, bool) {
		s := strings.Replace(get(name), ",", ".", 1)
		if s == "" {
			return "", false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || strings.ContainsAny(s, "xXpP_eEnN") || (whole && f != float64(int64(f))) {
			if whole {
				fail(imci.ErrWrongType, name, "must be a whole number")
			} else {
				fail(imci.ErrWrongType, name, "must be a number")
			}
			return "", false
		}
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
	}
	// Observed now when the visit is today; on a visit logged later, on its day.
	observed := at
	if visitDate != "" && visitDate != mesh.DateOf(at) {
		if d, err := time.ParseInLocation("2006-01-02", string(visitDate), at.Location()); err == nil {
			observed = time.Date(d.Year(), d.Month(), d.Day(), at.Hour(), at.Minute(), at.Second(), 0, at.Location())
		}
	}
	o := map[string]any{"visit_id": visitID, "observed_at": observed.Format(time.RFC3339), "protocol": Protocol,
		"recording_form_used": on("recording_form_used"), "assessment": assessment,
		"notes": get("notes"), "next_steps": get("next_steps")}
	if get("health_worker_id") == "" {
		fail(imci.ErrMissingRequired, "health_worker_id", "is required")
	} else if n, ok := num("health_worker_id", true); ok {
		o["health_worker_id"] = n
	}
	if l, ok := num("measurements.length_cm", false); ok {
		o["measurements"] = map[string]any{"length_cm": l, "measured": get("measurements.measured")}
	}
	tasks := map[string]bool{}
	for _, t := range observation.TaskCodes() {
		if on("task." + t) {
			tasks[t] = true
		}
	}
	classes := []string{}
	for _, c := range v["classification"] {
		if c = strings.TrimSpace(c); c != "" {
			classes = append(classes, c)
		}
	}
	treatments := []any{}
	for i := range MaxTreatmentRows {
		pre := "treatments." + strconv.Itoa(i) + "."
		code := get(pre + "code")
		if code == "" {
			continue // an empty row
		}
		t := map[string]any{"code": code}
		if n, ok := num(pre+"units_per_dose", false); ok {
			t["units_per_dose"] = n
		}
		if u := get(pre + "unit"); u != "" {
			t["unit"] = u
		}
		if n, ok := num(pre+"frequency_per_day", true); ok {
			t["frequency_per_day"] = n
		}
		if n, ok := num(pre+"duration_days", true); ok {
			t["duration_days"] = n
		}
		treatments = append(treatments, t)
	}
	counselling := map[string]bool{}
	for _, c := range CounsellingFields {
		counselling[c] = on("counselling." + c)
	}
	var followUp any
	if n, ok := num("follow_up_days", true); ok {
		followUp = n
	}
	o["worker"] = map[string]any{"tasks": tasks, "classifications": classes, "treatments": treatments,
		"referred": on("referred"), "follow_up_days": followUp, "counselling": counselling}
	b, err := json.Marshal(o)
	if err != nil { // cannot happen: maps, strings, bools and checked numbers
		fail(imci.ErrMalformedJSON, "$", err.Error())
	}
	return b, errs
}

// Scored is what Score returns: the engine's expected result and the score, exactly
// as the server stores them with the record (observation.Build).
type Scored struct {
	Expected imci.Result       `json:"expected"`
	Score    observation.Score `json:"score"`
}

// Score decodes an observation JSON and scores it with the same code path as the
// server (observation.Decode then observation.Evaluate). The server also knows the
// worker's IMCI training date (trainedOn, "" when unknown) and may run another
// protocol than the default; the offline client passes what it knows.
func Score(body []byte, trainedOn mesh.Date) (Scored, []mesh.FieldError) {
	o, errs := observation.Decode(body)
	if len(errs) > 0 {
		return Scored{}, errs
	}
	expected, score, err := observation.Evaluate(o, observation.Options{TrainedOn: trainedOn})
	if err != nil {
		if f := mesh.ErrorFields(err); len(f) > 0 {
			return Scored{}, f
		}
		return Scored{}, []mesh.FieldError{{Code: "INVALID", Field: "$", Message: err.Error()}}
	}
	return Scored{Expected: expected, Score: score}, nil
}
