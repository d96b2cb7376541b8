package imciform

import (
	"encoding/json"
	"net/url"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"mesh/observation"
)

// A child of 18 months with cough and fast breathing, managed right.
func pneumonia() url.Values {
	v := url.Values{"age": {"18"}, "age_unit": {"months"}, "sex": {"female"}, "weight_kg": {"11"}, "temperature_c": {"37"},
		"setting.malaria_risk": {"low"}, "cough.present": {"yes"}, "cough.duration_days": {"3"}, "cough.respiratory_rate": {"48"},
		"cough.chest_indrawing": {"no"}, "cough.stridor_when_calm": {"no"}, "cough.wheeze": {"no"},
		"diarrhoea.present": {"no"}, "fever.reported": {"no"}, "ear.present": {"no"},
		"health_worker_id": {"7"}, "classification": {"PNEUMONIA"},
		"treatments.0.code": {"AMOXICILLIN_ORAL"}, "treatments.0.units_per_dose": {"2"}, "treatments.0.unit": {"tablet_250mg"},
		"treatments.0.frequency_per_day": {"2"}, "treatments.0.duration_days": {"5"}, "follow_up_days": {"3"}}
	for _, s := range []string{"not_able_to_drink_or_breastfeed", "vomits_everything", "convulsions_this_illness",
		"lethargic_or_unconscious", "convulsing_now"} {
		v.Set("danger_signs."+s, "no")
	}
	for _, c := range CounsellingFields {
		v.Set("counselling."+c, "on")
	}
	return v
}

func TestObservationBodyAndScore(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 15, 0, 0, time.FixedZone("CAT", 2*3600))
	body, errs := ObservationBody(pneumonia(), "0b6f7a46-3f0e-4a55-9d0e-1c2b3a4d5e6f", "2026-11-18", at)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var o map[string]any
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	// Logged two days after the visit: observed on the visit's day, at the time typed.
	if o["observed_at"] != "2026-11-18T10:15:00+02:00" || o["protocol"] != Protocol || o["health_worker_id"] != 7.0 {
		t.Errorf("observation: %s", body)
	}
	got, errs := Score(body, "2020-01-01")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !got.Score.ClassificationCorrect || got.Expected.Classifications[0].Code != "PNEUMONIA" || !got.Score.Facts.ProviderTrained {
		t.Errorf("score: %+v", got.Score)
	}
	// The server's path to a stored record gives the same score.
	dec, _ := observation.Decode(body)
	rec, err := observation.Build(dec, observation.Place{TimeZone: "Africa/Kigali"}, observation.Options{TrainedOn: "2020-01-01"})
	if err != nil || !reflect.DeepEqual(rec.Score, got.Score) {
		t.Errorf("observation.Build differs: %v", err)
	}
}

func TestObservationBodyReportsEveryProblem(t *testing.T) {
	v := pneumonia()
	v.Del("health_worker_id")
	v.Set("cough.respiratory_rate", "fast")
	v.Set("follow_up_days", "2.5")
	_, errs := ObservationBody(v, "0b6f7a46-3f0e-4a55-9d0e-1c2b3a4d5e6f", "", time.Now())
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	if got := strings.Join(fields, ","); got != "cough.respiratory_rate,health_worker_id,follow_up_days" {
		t.Errorf("errors on %s", got)
	}
	if _, errs := Score([]byte(`{"visit_id": 1}`), ""); len(errs) == 0 {
		t.Error("Score accepted a broken observation")
	}
}

func TestParseNumber(t *testing.T) {
	for in, want := range map[string]string{"37,5": "37.5", "48": "48", "0x10": "", "1_0": "", "NaN": "", "Inf": ""} {
		n, ok := ParseNumber(in)
		if string(n) != want || ok != (want != "") {
			t.Errorf("ParseNumber(%q) = %q, %v", in, n, ok)
		}
	}
}

// imciform is compiled to WebAssembly for the offline app (cmd/meshwasm): it must stay
// free of the network and the database, as the engines are (architecture_test.go).
func TestPureForWasm(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "mesh/imciform").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		switch d {
		case "net/http", "database/sql", "mesh/sqlstore", "mesh/api", "mesh/web", "mesh/auth":
			t.Errorf("imciform imports %s", d)
		}
	}
}
