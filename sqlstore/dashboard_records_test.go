package sqlstore_test

import (
	"context"
	"testing"

	"mesh/account"
	"mesh/demo"
	"mesh/indicator"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// The records behind a number add up to it, for every source of counts; health
// workers are named only under NamedUnder, in the query's answer itself; a mentor's
// records are a subset of the place's.
func TestIndicatorRecords(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		district := findPlace(t, db, "Kayonza")
		fac := findPlace(t, db, "Rwinkwavu Health Centre")
		under := []string{district.Path}
		for _, id := range []string{"imci.correct_classification", "imci.assessment_index", "yi.weighed", "mentoring.visits", "sys.tracer_availability", "qi.pdsa_cycles"} {
			counts, err := db.IndicatorCounts(ctx, id, under, "2025-12", "2026-11")
			must(t, err)
			var want [2]float64
			for _, c := range counts {
				want[0] += c.Num
				want[1] += c.Den
			}
			recs, err := db.IndicatorRecords(ctx, indicator.RecordFilter{Indicator: id, Under: under, From: "2025-12", To: "2026-11"})
			must(t, err)
			var got [2]float64
			for _, r := range recs {
				got[0] += r.Num
				got[1] += r.Den
				if r.Worker != "" || r.WorkerID != 0 {
					t.Fatalf("%s: record %s names worker %q with no NamedUnder", id, r.ID, r.Worker)
				}
			}
			if abs(got[0]-want[0]) > 1e-6 || abs(got[1]-want[1]) > 1e-6 {
				t.Errorf("%s: records sum to %v, counts %v", id, got, want)
			}
			if want[0]+want[1] == 0 && id != "yi.weighed" {
				t.Errorf("%s: no data in the demo to check against", id)
			}
		}
		// Named only at the one facility allowed.
		recs, err := db.IndicatorRecords(ctx, indicator.RecordFilter{Indicator: "imci.weighed", Under: under, From: "2025-12", To: "2026-11",
			NamedUnder: []string{fac.Path}})
		must(t, err)
		named, anonymous := 0, 0
		for _, r := range recs {
			switch {
			case r.FacilityID == fac.ID && r.Worker != "" && r.WorkerID != 0:
				named++
			case r.FacilityID != fac.ID && r.Worker == "" && r.WorkerID == 0:
				anonymous++
			default:
				t.Errorf("record %s at facility %d: worker %q (%d)", r.ID, r.FacilityID, r.Worker, r.WorkerID)
			}
		}
		if named == 0 || anonymous == 0 {
			t.Errorf("%d named, %d anonymous records", named, anonymous)
		}
		// One mentor's observations are a subset, and every observation is counted once.
		mentors, _, err := db.FindUsers(ctx, account.UserFilter{Role: ptr(account.Mentor)})
		must(t, err)
		all, err := db.IndicatorRecords(ctx, indicator.RecordFilter{Indicator: indicator.AllObservations, Under: under, From: "2025-12", To: "2026-11"})
		must(t, err)
		sum := 0
		for _, m := range mentors {
			mine, err := db.IndicatorRecords(ctx, indicator.RecordFilter{Indicator: indicator.AllObservations, Under: under, From: "2025-12", To: "2026-11", MentorID: &m.ID})
			must(t, err)
			sum += len(mine)
			perMonth, _, err := db.MentorObservationCounts(ctx, m.ID, under, "2025-12", "2026-11")
			must(t, err)
			n := 0
			for _, c := range perMonth {
				n += c
			}
			if n != len(mine) {
				t.Errorf("mentor %s: %d observations per month, %d records", m.Username, n, len(mine))
			}
		}
		if sum != len(all) || len(all) < 50 {
			t.Errorf("mentors' observations %d, all %d", sum, len(all))
		}
		if _, err := db.IndicatorRecords(ctx, indicator.RecordFilter{Indicator: "mentoring.on_cadence", Under: under}); err == nil {
			t.Error("a computed-on-read indicator has records")
		}
	})
}

func findPlace(t *testing.T, db *sqlstore.DB, name string) *place.OrgUnit {
	t.Helper()
	os, _, err := db.FindOrgUnits(context.Background(), place.Filter{Limit: 1000})
	must(t, err)
	for _, o := range os {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no place %q", name)
	return nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
