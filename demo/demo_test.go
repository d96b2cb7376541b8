package demo

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"mesh/imci"
	"mesh/observation"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/visit"
)

// loaded is the demo loaded into a fresh SQLite database.
func loaded(t *testing.T) (*sqlstore.DB, *Result) {
	t.Helper()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	res, err := Load(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return db, res
}

// quarterRate sums the stored facility-month counts of an indicator over months
// from..to (summing numerators and denominators, as indicators.md says).
func quarterRate(t *testing.T, db *sqlstore.DB, id, from, to string) (float64, float64) {
	t.Helper()
	counts, err := db.IndicatorCounts(context.Background(), id, nil, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var num, den float64
	for _, c := range counts {
		num += c.Num
		den += c.Den
	}
	if den == 0 {
		t.Fatalf("%s %s..%s: no observations", id, from, to)
	}
	return num / den, den
}

func TestDemoYearOfMentoring(t *testing.T) {
	ctx := context.Background()
	db, res := loaded(t)
	if res.Visits < 150 || res.Observations < 1000 || res.Observations > 3000 || res.PlannedVisits == 0 {
		t.Fatalf("visits %d (+%d planned), observations %d: want about monthly visits of 21 centres with 4-8 observations each",
			res.Visits, res.PlannedVisits, res.Observations)
	}

	t.Run("indicators look like MESH", func(t *testing.T) {
		first, last := [2]string{"2025-12", "2026-02"}, [2]string{"2026-09", "2026-11"}
		for _, c := range []struct {
			id            string
			firstBelow    float64
			lastAbove     float64
			minRiseOrFlat float64 // last - first must be above this (negative: flat allowed)
		}{
			{"imci.correct_classification", 0.70, 0.85, 0.15},
			{"imci.correct_treatment", 0.85, 0.90, 0.08},
			{"imci.assessment_index", 0.75, 0.82, 0.10},
		} {
			f, fn := quarterRate(t, db, c.id, first[0], first[1])
			l, ln := quarterRate(t, db, c.id, last[0], last[1])
			t.Logf("%s: first quarter %.3f (n=%.0f), last quarter %.3f (n=%.0f)", c.id, f, fn, l, ln)
			if f >= c.firstBelow || l <= c.lastAbove || l-f < c.minRiseOrFlat {
				t.Errorf("%s: first quarter %.3f (want < %.2f), last %.3f (want > %.2f), rise %.3f (want > %.2f)",
					c.id, f, c.firstBelow, l, c.lastAbove, l-f, c.minRiseOrFlat)
			}
		}
		f, _ := quarterRate(t, db, "imci.growth_chart_used", first[0], first[1])
		l, _ := quarterRate(t, db, "imci.growth_chart_used", last[0], last[1])
		t.Logf("imci.growth_chart_used: first quarter %.3f, last quarter %.3f", f, l)
		if math.Abs(l-f) >= 0.15 || f > 0.45 || l > 0.45 {
			t.Errorf("growth chart use should stay flat and low: first quarter %.3f, last %.3f", f, l)
		}
	})

	t.Run("presentations have realistic frequencies", func(t *testing.T) {
		recs, total, err := db.FindObservations(ctx, observation.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != res.Observations {
			t.Fatalf("stored %d observations, Load says %d", total, res.Observations)
		}
		var n, cough, fever, diarrhoea, ear, infants float64
		for _, r := range recs {
			in, errs := imci.Decode(r.Assessment)
			if len(errs) > 0 {
				t.Fatalf("observation %s: stored assessment does not decode: %v", r.ID, errs)
			}
			if in.YoungInfant != nil {
				infants++
				continue
			}
			n++
			cough += b(in.Cough.Present)
			fever += b(in.Fever.Reported)
			diarrhoea += b(in.Diarrhoea.Present)
			ear += b(in.Ear.Present)
		}
		for _, c := range []struct {
			name       string
			got, want  float64
			tolerance  float64
			denominate float64
		}{
			{"cough", cough, pCough, 0.04, n}, {"fever", fever, pFever, 0.04, n},
			{"diarrhoea", diarrhoea, pDiarrhoea, 0.03, n}, {"ear problem", ear, pEar, 0.015, n},
			{"young infants", infants, pYoungInfant, 0.03, n + infants},
		} {
			share := c.got / c.denominate
			t.Logf("%s: %.3f (target %.3f)", c.name, share, c.want)
			if math.Abs(share-c.want) > c.tolerance {
				t.Errorf("%s: %.3f of children, want %.3f ± %.3f", c.name, share, c.want, c.tolerance)
			}
		}
	})

	t.Run("observations are what the API would accept", func(t *testing.T) {
		recs, _, err := db.FindObservations(ctx, observation.Filter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			body, _ := json.Marshal(r.Observation)
			if _, errs := observation.Decode(body); len(errs) > 0 {
				t.Fatalf("observation %s does not decode as an API body: %v", r.ID, errs)
			}
			if !visit.ValidUUID(r.ID) || r.ID[14] != '7' {
				t.Errorf("observation id %q is not a version-7 UUID", r.ID)
			}
			if !strings.HasSuffix(r.ObservedAt.Format(time.RFC3339), "+02:00") {
				t.Errorf("observation %s observed_at %s: want the facility's +02:00 offset", r.ID, r.ObservedAt.Format(time.RFC3339))
			}
			v, err := db.FindVisitByID(ctx, r.VisitID)
			if err != nil {
				t.Fatalf("observation %s: visit: %v", r.ID, err)
			}
			hw, err := db.FindHealthWorkerByID(ctx, r.HealthWorkerID)
			if err != nil {
				t.Fatal(err)
			}
			if v.FacilityID != r.FacilityID || !hw.Active(v.Date) {
				t.Errorf("observation %s: worker %d not in post at the visit's facility on %s", r.ID, hw.ID, v.Date)
			}
		}
	})

	t.Run("cadence has overdue and planned facilities", func(t *testing.T) {
		cs, err := db.FindCadence(ctx, nil, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		var overdue, planned, visited int
		for _, c := range cs {
			if c.Overdue {
				overdue++
			}
			if c.NextPlanned != "" {
				planned++
			}
			if c.Visits12Months >= 8 {
				visited++
			}
		}
		if overdue < len(overdueFacilities) || overdue > len(cs)/3 || planned == 0 || visited < len(cs)/2 {
			t.Errorf("cadence on 2026-11-30: %d of %d overdue, %d with a planned visit, %d with 8+ visits: want a few overdue, most visited about monthly",
				overdue, len(cs), planned, visited)
		}
	})

	t.Run("counts equal a recount", func(t *testing.T) {
		want, err := db.RecountIndicators(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.StoredCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || len(got) != len(want) {
			t.Fatalf("stored %d counts, recount %d", len(got), len(want))
		}
		for k, w := range want {
			if g := got[k]; math.Abs(g[0]-w[0]) > 1e-9 || math.Abs(g[1]-w[1]) > 1e-9 {
				t.Errorf("%s: stored %v, recount %v", k, g, w)
			}
		}
	})

	t.Run("loading again changes nothing", func(t *testing.T) {
		before, _ := db.StoredCounts(ctx)
		again, err := Load(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		_, visits, _ := db.FindVisits(ctx, visit.Filter{Limit: 1})
		_, obs, _ := db.FindObservations(ctx, observation.Filter{Limit: 1})
		after, _ := db.StoredCounts(ctx)
		if !again.AlreadyLoaded || visits != res.Visits+res.PlannedVisits || obs != res.Observations || len(after) != len(before) {
			t.Errorf("second load: already %v, %d visits, %d observations, %d count rows (was %d)", again.AlreadyLoaded, visits, obs, len(after), len(before))
		}
	})
}

// The demo is the same on every load: same ids, same content, same scores.
func TestDemoDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo twice")
	}
	ctx := context.Background()
	fingerprint := func() []string {
		db, _ := loaded(t)
		recs, _, err := db.FindObservations(ctx, observation.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(recs))
		for i, r := range recs {
			out[i] = r.ID + " " + r.ContentHash
		}
		return out
	}
	a, b := fingerprint(), fingerprint()
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("two loads differ (%d vs %d observations)", len(a), len(b))
	}
}

// A nurse who does everything right is scored correctly managed on every simulated
// child: every error in the demo is one the nurse simulation made on purpose, never
// an artefact of the simulated child (an incomplete box, a dose outside the band).
func TestPerfectNurseIsAlwaysRight(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 3000 {
		risk := []string{"high", "low"}[i%2]
		ch := newChild(rng, risk)
		assessment, _ := json.Marshal(ch.in)
		o := observation.Observation{ObservedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Protocol: observationProtocol,
			Assessment: assessment, Measurements: ch.meas}
		c, errs := observation.Prepare(o)
		if len(errs) > 0 {
			t.Fatalf("child %d: %v", i, errs)
		}
		exp, err := imci.Classify(c.Input)
		if err != nil {
			t.Fatal(err)
		}
		if len(exp.Incomplete) > 0 {
			t.Fatalf("child %d: boxes left incomplete: %+v in %s", i, exp.Incomplete, assessment)
		}
		w := observation.WorkerActions{Tasks: map[string]bool{}, Classifications: codes(exp.Classifications),
			Treatments: treatmentsFor(exp, codes(exp.Classifications), *ch.in.WeightKg), Referred: exp.UrgentReferral,
			Counselling: observation.Counselling{AdvisedWhenToReturnImmediately: true, TaughtHowToGiveOralDrugs: true,
				FirstDoseGivenAtFacility: true, FeedingCounselled: true, FluidsAndFeedingAdvised: true}}
		for _, task := range observation.RequiredTasks(c.Input, exp) {
			w.Tasks[task] = true
		}
		if exp.FollowUpDays.OK {
			w.FollowUpDays = ptr(exp.FollowUpDays.V)
		}
		o.Worker = w
		rec, err := observation.Build(o, observation.Place{FacilityID: 1, TimeZone: "Africa/Kigali"}, observation.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if s := rec.Score; !s.CorrectlyManaged || s.AssessmentIndex != 1 {
			t.Fatalf("child %d: perfect nurse scored %+v", i, s)
		}
	}
}

func b(p *bool) float64 {
	if p != nil && *p {
		return 1
	}
	return 0
}
