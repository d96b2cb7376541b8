package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"testing"
	"time"

	"mesh/imci"
	"mesh/observation"
)

// synthetic returns n observation rows shaped like real ones (a full assessment, a
// few worker actions and a score with lists), all sharing one record's memory
// except the id, as a large export would stream them.
func synthetic(n int) iter.Seq2[Observation, error] {
	fu := 2
	rec := &observation.Record{
		Observation: observation.Observation{
			VisitID: "0190c1a2-7b3c-7d4e-8f90-123456789abc", HealthWorkerID: 42, Protocol: "who-imci-2014",
			ObservedAt: time.Date(2026, 3, 5, 9, 30, 0, 0, time.UTC), RecordingFormUsed: true,
			Assessment: json.RawMessage(`{"schema_version":"1","age_months":18,"sex":"female","weight_kg":9.2,"temperature_c":38.4,
				"setting":{"malaria_risk":"high"},"danger_signs":{"not_able_to_drink_or_breastfeed":false,"vomits_everything":false,
				"convulsions_this_illness":false,"lethargic_or_unconscious":false,"convulsing_now":false},
				"cough":{"present":true,"duration_days":3,"respiratory_rate":52,"chest_indrawing":false,"stridor_when_calm":false},
				"diarrhoea":{"present":false},"fever":{"reported":true,"duration_days":2,"stiff_neck":false,"malaria_test":"positive"},
				"ear":{"present":false},"nutrition":{"muac_mm":132,"oedema_both_feet":false},"anaemia":{"palmar_pallor":"none"}}`),
			Worker: observation.WorkerActions{
				Tasks:           map[string]bool{"danger_signs": true, "cough": true, "breaths_counted": true, "fever": true, "malaria_test": true, "weighed": true, "muac": false},
				Classifications: []string{"PNEUMONIA", "MALARIA"},
				Treatments:      []observation.WorkerTreatment{{Code: "AMOXICILLIN_ORAL"}, {Code: "ARTEMETHER_LUMEFANTRINE"}},
				FollowUpDays:    &fu,
				Counselling:     observation.Counselling{AdvisedWhenToReturnImmediately: true, TaughtHowToGiveOralDrugs: true},
			},
		},
		Version: 1, FacilityID: 17, Month: "2026-03",
		Score: observation.Score{ScoringVersion: "1.0.0", EngineVersion: "1.4.0", Protocol: imci.ProtocolRef{ID: "who-imci-2014", Version: "2014"},
			AgeGroup: "child", AssessmentIndex: 0.875, TasksRequired: []string{"danger_signs", "cough", "breaths_counted", "fever", "malaria_test", "weighed", "muac", "pallor"},
			TasksMissed: []string{"muac", "pallor"}, ClassificationCorrect: true, TreatmentCorrect: false,
			TreatmentsMissed: []string{"PARACETAMOL"}, DoseErrors: []observation.DoseError{{Code: "AMOXICILLIN_ORAL", Problem: "too_low", Measure: "units_per_dose"}},
			ReferralCorrect: true, FollowUpCorrect: true, Feedback: make([]observation.FeedbackPoint, 3)},
	}
	base, err := ObservationOf(rec, "Rwinkwavu HC")
	if err != nil {
		panic(err)
	}
	return func(yield func(Observation, error) bool) {
		for i := range n {
			r := base
			r.ID = fmt.Sprintf("0190c1a2-0000-7000-8000-%012d", i)
			if !yield(r, nil) {
				return
			}
		}
	}
}

func TestExportObservationsCSV(t *testing.T) {
	var buf, progress bytes.Buffer
	n, err := WriteObservationsCSV(&buf, synthetic(25), Options{Progress: &progress, ProgressEvery: 10})
	if err != nil || n != 25 {
		t.Fatalf("wrote %d rows, %v", n, err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte(BOM)) {
		t.Fatal("no UTF-8 byte-order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[len(BOM):])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 26 || strings.Join(rows[0], ",") != strings.Join(ObservationHeader, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	row := map[string]string{}
	for i, h := range rows[0] {
		row[h] = rows[1][i]
	}
	want := map[string]string{"age_months": "18", "sex": "female", "weight_kg": "9.2", "cough": "true", "diarrhoea": "false", "fever": "true",
		"young_infant": "false", "worker_tasks_done": "breaths_counted; cough; danger_signs; fever; malaria_test; weighed",
		"worker_classifications": "PNEUMONIA; MALARIA", "worker_follow_up_days": "2", "worker_counselling": "return_immediately; oral_drugs",
		"assessment_index": "0.875", "tasks_missed": "muac; pallor", "treatment_correct": "false", "dose_errors": "AMOXICILLIN_ORAL too_low (units_per_dose)",
		"feedback_points": "3", "facility": "Rwinkwavu HC", "observed_at": "2026-03-05T09:30:00Z", "facts.drug_given": "false"}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %q, want %q", k, row[k], v)
		}
	}
	if got := strings.Count(progress.String(), "\n"); got != 3 {
		t.Errorf("progress lines %d:\n%s", got, progress.String())
	}
}

func TestExportStopsOnSourceError(t *testing.T) {
	boom := errors.New("database went away")
	src := func(yield func(Observation, error) bool) {
		for o := range synthetic(3) {
			if !yield(o, nil) {
				return
			}
		}
		yield(Observation{}, boom)
	}
	n, err := WriteObservationsCSV(io.Discard, src, Options{})
	if !errors.Is(err, boom) || n != 3 {
		t.Fatalf("n %d, err %v", n, err)
	}
}

// BenchmarkExportCSV writes 100,000 observation rows per op; rows/s is reported.
func BenchmarkExportCSV(b *testing.B) {
	const rows = 100_000
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		n, err := WriteObservationsCSV(io.Discard, synthetic(rows), Options{})
		if err != nil || n != rows {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
}

// The observation writer builds its rows by hand for speed; each field must come out
// exactly as encoding/csv writes it, or a file would differ from the other tables'.
func TestFastCSVMatchesCSVWriter(t *testing.T) {
	fields := []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\rhere", "crlf\r\nend", " leading space",
		"\tleading tab", "\u00a0nbsp first", `\.`, `\.x`, "Rwinkwavu HC", "Centre de santé", "trailing space ", `"`, ",", "é,\"ï\""}
	for _, f := range fields {
		var want bytes.Buffer
		cw := csv.NewWriter(&want)
		if err := cw.Write([]string{f}); err != nil {
			t.Fatal(err)
		}
		cw.Flush()
		got := append(appendField(nil, f), '\n')
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("field %q: wrote %q, csv.Writer writes %q", f, got, want.Bytes())
		}
	}
}

// A row of the observation export is the same whichever way it is written: by hand
// from the stored cells (CSV) or split into cells (XLSX's path, compared as CSV here).
func TestObservationRowSameBothWays(t *testing.T) {
	var fast bytes.Buffer
	if _, err := WriteObservationsCSV(&fast, synthetic(3), Options{}); err != nil {
		t.Fatal(err)
	}
	var slow bytes.Buffer
	if _, err := observationTable.write(&slow, synthetic(3), Options{}); err != nil {
		t.Fatal(err)
	}
	if fast.String() != slow.String() {
		t.Fatalf("hand-built rows differ from csv.Writer's:\n%s\n---\n%s", fast.String(), slow.String())
	}
}

// Rows without stored cells (a database whose backfill did not run) stop the export
// with a message rather than writing rows with missing columns.
func TestObservationWithoutCellsStops(t *testing.T) {
	src := func(yield func(Observation, error) bool) {
		yield(Observation{ID: "x1", ObservedAt: time.Now(), Month: "2026-11", FacilityID: 1, Facility: "A"}, nil)
	}
	n, err := WriteObservationsCSV(io.Discard, src, Options{})
	if err == nil || n != 0 || !strings.Contains(err.Error(), "x1") {
		t.Fatalf("n %d, err %v", n, err)
	}
}
