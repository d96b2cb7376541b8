package sqlstore_test

import (
	"context"
	meshpkg "mesh"
	"testing"
	"time"

	"mesh/account"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
	"mesh/visit"
)

func TestMentoringIndicatorsOnRead(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, district, fac := tree(t, db)
		other := &place.OrgUnit{Name: "Other HC", Type: place.Facility, ParentID: &district.ID, CadenceDays: 30}
		must(t, db.CreateOrgUnit(ctx, other))
		hash, _ := account.HashPassword("a long password")
		m := &account.User{Username: "mentor.test", Role: account.Mentor, PasswordHash: hash}
		must(t, db.CreateUser(ctx, m))
		for _, f := range []int64{fac.ID, other.ID} {
			must(t, db.CreateAssignment(ctx, &account.Assignment{MentorID: m.ID, FacilityID: f, StartOn: "2026-01-01"}))
		}
		// fac (cadence 42): visited 2026-01-10 and 2026-03-05; other (cadence 30): 2026-01-20.
		for i, v := range []struct {
			f    int64
			date string
		}{{fac.ID, "2026-01-10"}, {fac.ID, "2026-03-05"}, {other.ID, "2026-01-20"}} {
			_, err := db.PutVisit(ctx, &visit.Visit{ID: "0190c1a2-0000-7000-8000-00000000e00" + string(rune('1'+i)), FacilityID: v.f, MentorID: m.ID, Date: meshDate(v.date)}, nil)
			must(t, err)
		}
		// Two workers at fac: one trained in February, one never.
		must(t, db.CreateHealthWorker(ctx, &staff.HealthWorker{Name: "A", Cadre: "A2", FacilityID: fac.ID, StartOn: "2025-01-01", IMCITrainedOn: "2026-02-15"}))
		must(t, db.CreateHealthWorker(ctx, &staff.HealthWorker{Name: "B", Cadre: "A2", FacilityID: fac.ID, StartOn: "2025-01-01"}))
		now := time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC)
		get := func(id string) map[string][2]float64 {
			cs, err := db.ComputedCounts(ctx, id, []string{district.Path}, "2026-01", "2026-04", now)
			must(t, err)
			out := map[string][2]float64{}
			for _, c := range cs {
				out[c.Month] = [2]float64{c.Num, c.Den}
			}
			return out
		}
		// Month ends: Jan 31 — fac 21 d ≤ 42 yes, other 11 d ≤ 30 yes; Feb 28 — fac 49 d no,
		// other 39 d no; Mar 31 — fac 26 d yes, other no; Apr 20 (today) — fac 46 d no.
		want := map[string][2]float64{"2026-01": {2, 2}, "2026-02": {0, 2}, "2026-03": {1, 2}, "2026-04": {0, 2}}
		if got := get("mentoring.on_cadence"); !equalCounts(got, want) {
			t.Errorf("on_cadence %v, want %v", got, want)
		}
		if got := get("mentoring.visits_12m"); got["2026-03"][0] != 3 || got["2026-01"][0] != 2 {
			t.Errorf("visits_12m %v", got)
		}
		if got := get("sys.trained_staff"); got["2026-01"] != [2]float64{0, 2} || got["2026-03"] != [2]float64{1, 2} {
			t.Errorf("trained_staff %v", got)
		}
		if got := get("mentoring.observations_per_visit"); got["2026-01"][1] != 2 || got["2026-03"][1] != 1 {
			t.Errorf("observations_per_visit %v", got)
		}
	})
}

func equalCounts(a, b map[string][2]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

func meshDate(s string) meshpkg.Date { return meshpkg.Date(s) }
