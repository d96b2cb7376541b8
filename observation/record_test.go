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
