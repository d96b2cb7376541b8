package export

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// The one-pass reader must give exactly what encoding/json gives for the same
// document: stored demo observations (dose errors, under- and over-classification,
// young infants) and hand-made edge cases.
func TestScanMatchesEncodingJSON(t *testing.T) {
	raw, err := os.ReadFile("testdata/stored_observations.json")
	if err != nil {
		t.Fatal(err)
	}
	var stored []struct{ Body, Score string }
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	bodies := []string{
		`{"recording_form_used":false,"assessment":{"age_months":2.5,"sex":"male","cough":null,"fever":{"reported":null},"young_infant":null},"worker":{"tasks":{"a":true,"b":false,"c":null},"classifications":null,"treatments":[],"referred":true,"follow_up_days":null}}`,
		`{ "assessment" : { "sex" : "f\u00e9minin \"x\"", "ear" : {"present":true, "discharge_days": 3}, "weight_kg": 1.5e1 , "nested": [ {"a":"]}"} , [1,2] ] } , "notes":"a \\ b", "worker":{"counselling":{"feeding_counselled":true}} }`,
		`{}`,
	}
	scores := []string{
		`{"feedback":[{"args":{"x":"}"}},{}],"warnings":[{"code":"W1","message":"m"}],"facts":{"drug_given":true,"other":false},"protocol":null,"assessment_index":1}`,
		`{"dose_errors":null,"under_classified":[{"box":"cough","given":"A","expected":"B \u2192"}],"tasks_required":["x","y"]}`,
	}
	for _, s := range stored {
		bodies = append(bodies, s.Body)
		scores = append(scores, s.Score)
	}
	for i, b := range bodies {
		var fast, slow exportBody
		if !decodeBody([]byte(b), &fast) {
			t.Errorf("body %d: the reader gave up", i)
			continue
		}
		if err := json.Unmarshal([]byte(b), &slow); err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		if fast.Assessment.YoungInfant != nil && slow.Assessment.YoungInfant != nil {
			// Both keep the raw value; compare it as JSON, not bytes.
			if string(fast.Assessment.YoungInfant) != string(slow.Assessment.YoungInfant) {
				t.Errorf("body %d: young_infant %s, want %s", i, fast.Assessment.YoungInfant, slow.Assessment.YoungInfant)
			}
			fast.Assessment.YoungInfant, slow.Assessment.YoungInfant = nil, nil
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("body %d:\n got %+v\nwant %+v", i, fast, slow)
		}
	}
	for i, s := range scores {
		var fast, slow exportScore
		if !decodeScore([]byte(s), &fast) {
			t.Errorf("score %d: the reader gave up", i)
			continue
		}
		if err := json.Unmarshal([]byte(s), &slow); err != nil {
			t.Fatalf("score %d: %v", i, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("score %d:\n got %+v\nwant %+v", i, fast, slow)
		}
	}
}

// What the reader cannot read it reports, so the row falls back to encoding/json.
func TestScanGivesUpOnBrokenJSON(t *testing.T) {
	for _, doc := range []string{``, `{"assessment":`, `{"recording_form_used":tru}`, `{"worker":{"tasks":{"a":true}`, `[1]`, `{"a\u0062":1}`} {
		var b exportBody
		if decodeBody([]byte(doc), &b) {
			t.Errorf("%q: read as %+v", doc, b)
		}
	}
}

// BenchmarkDecodeStored compares the one-pass reader with encoding/json on stored
// demo observations (body and score of one row per op).
func BenchmarkDecodeStored(b *testing.B) {
	body, score := lastStored(b)
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var x exportBody
			var y exportScore
			if !decodeBody(body, &x) || !decodeScore(score, &y) {
				b.Fatal("gave up")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var x exportBody
			var y exportScore
			if json.Unmarshal(body, &x) != nil || json.Unmarshal(score, &y) != nil {
				b.Fatal("failed")
			}
		}
	})
}

// BenchmarkObservationCells is what a save now pays to format its export row: the
// stored body and score of one demo observation decoded and written as CSV cells.
func BenchmarkObservationCells(b *testing.B) {
	body, score := lastStored(b)
	o := StoredObservation{ID: "x", Body: body, Score: score, Version: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ObservationCells(o); err != nil {
			b.Fatal(err)
		}
	}
}

// lastStored is the body and score JSON of the last stored demo observation in
// testdata.
func lastStored(b *testing.B) (body, score []byte) {
	raw, err := os.ReadFile("testdata/stored_observations.json")
	if err != nil {
		b.Fatal(err)
	}
	var stored []struct{ Body, Score string }
	if err := json.Unmarshal(raw, &stored); err != nil {
		b.Fatal(err)
	}
	doc := stored[len(stored)-1]
	return []byte(doc.Body), []byte(doc.Score)
}
