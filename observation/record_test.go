package observation

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestAppendJSON checks that the answer assembled from the stored row's JSON is the
// same bytes as encoding/json makes of the record, HTML characters included.
func TestAppendJSON(t *testing.T) {
	o := newObservation(t, child8m())
	c, res := expect(t, o)
	o.Worker = perfectWorker(c, res)
	o.Notes = `count for a full minute <60 s> & "write it down"`
	rec, err := Build(o, Place{FacilityID: 12, FacilityPath: "/1/12/", TimeZone: "Africa/Kigali"}, Options{TrainedOn: "2025-06-01"})
	if err != nil {
		t.Fatal(err)
	}
	rec.Version, rec.CreatedAt, rec.UpdatedAt = 3, time.Date(2026, 3, 14, 7, 30, 0, 123, time.UTC), time.Date(2026, 3, 15, 7, 30, 0, 0, time.UTC)
	for _, voided := range []bool{false, true} {
		rec.Voided = voided
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rec); err != nil {
			t.Fatal(err)
		}
		got, err := rec.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(got)+"\n" != want.String() {
			t.Errorf("voided=%v: AppendJSON differs from encoding/json\n got %s\nwant %s", voided, got, want.String())
		}
		slow := *rec
		slow.BodyJSON, slow.ScoreJSON = nil, nil
		if got, _ := slow.AppendJSON(nil); string(got)+"\n" != want.String() {
			t.Errorf("voided=%v: the fallback differs from encoding/json\n got %s", voided, got)
		}
	}
	if !bytes.Contains(rec.BodyJSON, []byte("<60 s> &")) {
		t.Errorf("body JSON escaped HTML characters: %s", rec.BodyJSON)
	}
}

func TestLocalMonthZones(t *testing.T) {
	at := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	for range 2 { // the second round reads the cached zone
		if got := LocalMonth(at, "Africa/Kigali"); got != "2026-04" {
			t.Errorf("Kigali: %s, want 2026-04", got)
		}
		if got := LocalMonth(at, "No/Such_Zone"); got != "2026-03" {
			t.Errorf("unknown zone: %s, want 2026-03 (UTC)", got)
		}
	}
}

// Decode keeps the decoded assessment for Prepare; scoring from it, twice, must give
// what a fresh decode gives, z-score warnings included (Prepare must not change it).
func TestDecodedAssessmentReused(t *testing.T) {
	for name, a := range map[string]assessment{
		"child":        child8m().with("nutrition.wfh_z", 1.5),
		"young infant": youngInfant().with("young_infant.feeding.waz", 1.5),
	} {
		t.Run(name, func(t *testing.T) {
			o := newObservation(t, a)
			c, res := expect(t, o)
			o.Worker = perfectWorker(c, res)
			if o.Worker.Treatments == nil {
				o.Worker.Treatments = []WorkerTreatment{}
			}
			o.Measurements = &Measurements{LengthCm: 68, Measured: "lying"}
			body, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			dec, errs := Decode(body)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if _, ok := dec.decodedInput(); !ok {
				t.Fatal("Decode kept no decoded assessment")
			}
			fresh := dec
			fresh.Assessment = append(json.RawMessage(nil), dec.Assessment...) // other bytes: decoded again
			if _, ok := fresh.decodedInput(); ok {
				t.Fatal("a replaced assessment still reads the kept input")
			}
			_, want, err := Evaluate(fresh, Options{})
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.Marshal(want)
			if len(want.Warnings) == 0 {
				t.Fatalf("the case should warn about the typed z-score: %s", wantJSON)
			}
			for i := 0; i < 2; i++ {
				_, got, err := Evaluate(dec, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if gotJSON, _ := json.Marshal(got); string(gotJSON) != string(wantJSON) {
					t.Errorf("round %d: score from the kept input\n%s\nwant\n%s", i, gotJSON, wantJSON)
				}
			}
		})
	}
}
