package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"mesh"
	"mesh/account"
	"mesh/imci"
	"mesh/observation"
	"mesh/place"
	"mesh/staff"
	"mesh/visit"
)

// The demo year of mentoring: December 2025 to November 2026, long enough for the
// indicators to show MESH's 12-month before/after picture.
var (
	yearStart = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	yearEnd   = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	// overdueFrom is when visits stop at the overdue facilities, so that at the end
	// of the year the cadence list has a few facilities past the 42-day target.
	overdueFrom = time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC)
)

// overdueFacilities are (district, centre) pairs whose mentor stopped visiting in
// September: one per mentor, so every mentor's cadence list has something to act on.
var overdueFacilities = [][2]int{{0, 5}, {1, 3}, {1, 10}}

// Observation protocol as the mentor's app records it.
const observationProtocol = "imci-who-2014"

var teachingTopics = []string{
	"Counting breaths for a full minute",
	"Malaria RDT: who to test and how to read it",
	"Assessing dehydration: skin pinch, sunken eyes, offering a drink",
	"Plotting weight on the growth chart",
	"Amoxicillin and antimalarial doses by weight band",
	"The four general danger signs: check every child",
	"Counselling the caregiver: when to return immediately",
	"Young infants: umbilicus, skin pustules and jaundice",
	"Classifying every box, including the green rows",
}

var visitNotes = []string{
	"Observed consultations and coached at the bedside.",
	"Busy clinic day; observed cases between consultations.",
	"Reviewed last visit's learning goals with each nurse.",
	"Stock-out of amoxicillin dispersible tablets discussed with the in-charge.",
	"Growth charts missing from some child health cards; raised with the in-charge.",
	"",
}

// mentoring adds the year of visits and scored observations: each facility is
// visited by its assigned mentor about every 4–6 weeks, and at each visit the mentor
// observes 4–8 consultations of the facility's nurses, scored by the real engine
// through observation.Build, exactly as the API would store them.
func (l *loader) mentoring() error {
	mentorOf := map[[2]int]*account.User{}
	for _, du := range demoUsers() {
		var di, a, b int
		if !scan(du.scope, "mentor:%d:%d-%d", &di, &a, &b) {
			continue
		}
		u, err := l.s.FindUserByUsername(l.ctx, du.username)
		if err != nil {
			return fmt.Errorf("demo mentor %s: %w", du.username, err)
		}
		for fi := a; fi <= b; fi++ {
			mentorOf[[2]int{di, fi}] = u
		}
	}
	for di, fs := range l.facilities {
		for fi, f := range fs {
			m := mentorOf[[2]int{di, fi}]
			if m == nil {
				continue // no mentor assigned: no mentoring visits
			}
			// One generator per facility, so a facility's year does not depend on the
			// others and stays the same when the demo grows elsewhere.
			rng := rand.New(rand.NewPCG(2025, uint64(di*100+fi)))
			overdue := slices.Contains(overdueFacilities, [2]int{di, fi})
			if err := l.facilityYear(rng, f, m, overdue); err != nil {
				return err
			}
		}
	}
	return nil
}

// facilityYear writes one facility's visits and observations in date order.
func (l *loader) facilityYear(rng *rand.Rand, f *place.OrgUnit, mentor *account.User, overdue bool) error {
	ctx := mesh.WithActor(l.ctx, mesh.Actor{UserID: mentor.ID, Username: mentor.Username, Role: string(mentor.Role)})
	loc, err := time.LoadLocation(f.TimeZone)
	if err != nil || f.TimeZone == "" {
		loc = time.FixedZone("CAT", 2*60*60) // Africa/Kigali: +02:00, no daylight saving
	}
	at := observation.Place{FacilityID: f.ID, FacilityPath: f.Path, TimeZone: f.TimeZone}
	end := yearEnd
	if overdue {
		end = overdueFrom
	}
	nurses := map[int64]*nurse{}
	day := weekday(yearStart.AddDate(0, 0, rng.IntN(21)))
	var last time.Time
	for !day.After(end) {
		if err := l.visitDay(ctx, rng, f, mentor, loc, at, day, nurses); err != nil {
			return err
		}
		last = day
		day = weekday(day.AddDate(0, 0, 26+rng.IntN(15)))
	}
	if overdue || last.IsZero() || !chance(rng, 0.6) {
		return nil
	}
	// A planned next visit, so the cadence list shows one for most facilities.
	next := weekday(last.AddDate(0, 0, 28+rng.IntN(10)))
	v := &visit.Visit{ID: uuid7(rng, inZone(next, loc, 8, 0)), FacilityID: f.ID, MentorID: mentor.ID,
		Date: mesh.Date(next.Format(mesh.DateLayout)), Kind: "mentoring", Status: "planned",
		Activities: []string{"bedside_coaching", "case_observations"}}
	if _, err := l.s.PutVisit(ctx, v, nil); err != nil {
		return fmt.Errorf("demo planned visit: %w", err)
	}
	l.res.PlannedVisits++
	return nil
}

// visitDay writes one done visit and its observations, then counts the visit in the
// skill of every nurse in post that day (group teaching and feedback reach them all).
func (l *loader) visitDay(ctx context.Context, rng *rand.Rand, f *place.OrgUnit, mentor *account.User, loc *time.Location,
	at observation.Place, day time.Time, nurses map[int64]*nurse) error {
	date := mesh.Date(day.Format(mesh.DateLayout))
	workers, _, err := l.s.FindHealthWorkers(ctx, staff.Filter{FacilityID: &f.ID, ActiveOn: date})
	if err != nil {
		return fmt.Errorf("demo workers: %w", err)
	}
	v := &visit.Visit{ID: uuid7(rng, inZone(day, loc, 8, 0)), FacilityID: f.ID, MentorID: mentor.ID, Date: date,
		Kind: "mentoring", Status: "done", Activities: []string{"bedside_coaching"}, Notes: visitNotes[rng.IntN(len(visitNotes))]}
	if len(workers) > 0 {
		v.Activities = append(v.Activities, "case_observations")
	}
	if chance(rng, 0.4) {
		v.Activities = append(v.Activities, "group_teaching")
		v.TeachingTopic = teachingTopics[rng.IntN(len(teachingTopics))]
		v.TeachingAttendees = max(len(workers), 1) + rng.IntN(3)
	}
	for _, a := range []struct {
		name string
		p    float64
	}{{"data_review", 0.3}, {"readiness_check", 0.25}, {"qi_meeting", 0.2}} {
		if chance(rng, a.p) {
			v.Activities = append(v.Activities, a.name)
		}
	}
	if _, err := l.s.PutVisit(ctx, v, nil); err != nil {
		return fmt.Errorf("demo visit: %w", err)
	}
	l.res.Visits++
	for _, hw := range workers {
		if nurses[hw.ID] == nil {
			nurses[hw.ID] = newNurse(rng, hw)
		}
	}
	if len(workers) > 0 {
		order := rng.Perm(len(workers))
		t := inZone(day, loc, 8, 30+rng.IntN(30))
		for i := range 4 + rng.IntN(5) {
			n := nurses[workers[order[i%len(order)]].ID]
			if err := l.observe(ctx, rng, v, n, f.MalariaRisk, t, at); err != nil {
				return err
			}
			t = t.Add(time.Duration(20+rng.IntN(40)) * time.Minute)
		}
	}
	for _, hw := range workers {
		nurses[hw.ID].mentored++
	}
	return nil
}

// observe simulates one consultation, scores it and stores it.
func (l *loader) observe(ctx context.Context, rng *rand.Rand, v *visit.Visit, n *nurse, risk string, t time.Time, at observation.Place) error {
	ch := newChild(rng, risk)
	assessment, err := json.Marshal(ch.in)
	if err != nil {
		return err
	}
	o := observation.Observation{ID: uuid7(rng, t), VisitID: v.ID, HealthWorkerID: n.id, ObservedAt: t,
		Protocol: observationProtocol, Assessment: assessment, Measurements: ch.meas}
	// The correct answer is the engine's result on the assessment as scoring sees it
	// (with the z-scores the server computes from the measurements).
	c, errs := observation.Prepare(o)
	if len(errs) > 0 {
		return fmt.Errorf("demo observation: %w", mesh.Invalid(errs...))
	}
	exp, err := imci.Classify(c.Input)
	if err != nil {
		return fmt.Errorf("demo observation: %w", err)
	}
	o.Worker, o.RecordingFormUsed, o.Notes = n.act(rng, exp, observation.RequiredTasks(c.Input, exp), *ch.in.WeightKg)
	rec, err := observation.Build(o, at, observation.Options{TrainedOn: n.trainedOn})
	if err != nil {
		return fmt.Errorf("demo observation: %w", err)
	}
	if _, err := l.s.PutObservation(ctx, rec, nil); err != nil {
		return fmt.Errorf("demo observation: %w", err)
	}
	l.res.Observations++
	return nil
}

// weekday moves a Saturday or Sunday to the next Monday: mentors visit on working days.
func weekday(d time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, 2)
	case time.Sunday:
		return d.AddDate(0, 0, 1)
	}
	return d
}

// inZone is hour:minute of calendar day d in loc.
func inZone(d time.Time, loc *time.Location, hour, minute int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc)
}

// uuid7 makes a version-7-shaped UUID (RFC 9562) for time t from the seeded
// generator, so ids sort by time like a mentor's phone would make them, yet the demo
// stays the same on every load.
func uuid7(rng *rand.Rand, t time.Time) string {
	ms := uint64(t.UnixMilli()) & (1<<48 - 1)
	hi := ms<<16 | 0x7000 | rng.Uint64()&0x0fff
	lo := rng.Uint64()&^(3<<62) | 1<<63
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&(1<<48-1))
}
