package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"mesh"
	"mesh/qi"
	"mesh/readiness"
	"mesh/visit"
)

// Facility systems in the demo: readiness checks at the visits that did one, a
// stock-out log of a few tracer items (some still out), system issues in every status
// and QI projects with PDSA cycles. The run charts need a real shift, so the two
// working projects aim at indicators the simulated nurses already move with mentoring
// (correct classification, complete assessment) and freeze the median on the months
// before the project; the growth-chart project, like MESH's own, shows no shift.

// facilityStore is what the facility-systems demo writes; a store without it (a
// test double) simply gets no facility-systems data.
type facilityStore interface {
	readiness.Store
	qi.Store
}

// demoStockout is one stock-out of the demo log: (district, centre), item, first day
// out and restock day ("" while still out).
type demoStockout struct {
	at       [2]int
	item     string
	from, to string
}

// Lengths follow what mentors reported: a few weeks for most, months for the
// commodities supplied centrally (RUTF, amoxicillin DT).
var demoStockouts = []demoStockout{
	{at: [2]int{0, 0}, item: "amoxicillin_dt", from: "2026-03-02", to: "2026-04-20"},
	{at: [2]int{0, 0}, item: "ors", from: "2026-10-26"},
	{at: [2]int{0, 1}, item: "malaria_rdt", from: "2026-06-08", to: "2026-06-29"},
	{at: [2]int{0, 3}, item: "amoxicillin_dt", from: "2026-08-03", to: "2026-08-24"},
	{at: [2]int{0, 4}, item: "zinc", from: "2026-05-11", to: "2026-07-06"},
	{at: [2]int{1, 0}, item: "zinc", from: "2026-09-14"},
	{at: [2]int{1, 1}, item: "artemether_lumefantrine", from: "2026-11-02"},
	{at: [2]int{1, 2}, item: "rutf", from: "2026-01-05", to: "2026-03-30"},
	{at: [2]int{1, 5}, item: "paracetamol", from: "2026-07-20", to: "2026-08-03"},
}

// outOn reports the stock-out of item at facility at on day d, if any.
func outOn(at [2]int, item string, d mesh.Date) *demoStockout {
	for k := range demoStockouts {
		s := &demoStockouts[k]
		if s.at == at && s.item == item && string(d) >= s.from && (s.to == "" || string(d) < s.to) {
			return s
		}
	}
	return nil
}

// facilitySystems writes the facility-systems part of the demo.
func (l *loader) facilitySystems() error {
	fs, ok := l.s.(facilityStore)
	if !ok {
		return nil
	}
	cl := readiness.DefaultChecklist()
	firstCheck := map[*demoStockout]string{}
	visitsAt := map[[2]int][]*visit.Visit{}
	for di, facs := range l.facilities {
		for fi, f := range facs {
			at := [2]int{di, fi}
			list, _, err := l.s.FindVisits(l.ctx, visit.Filter{FacilityID: &f.ID, Status: "done", Limit: 100})
			if err != nil {
				return fmt.Errorf("demo visits: %w", err)
			}
			slices.SortFunc(list, func(a, b *visit.Visit) int { return strings.Compare(string(a.Date), string(b.Date)) })
			visitsAt[at] = list
			rng := rand.New(rand.NewPCG(2026, uint64(di*100+fi)))
			for _, v := range list {
				if !slices.Contains(v.Activities, "readiness_check") {
					continue
				}
				chk := demoCheck(rng, cl, at, f.ID, v)
				if _, err := fs.PutCheck(l.ctx, chk, cl, nil); err != nil {
					return fmt.Errorf("demo readiness check: %w", err)
				}
				for _, a := range chk.OutOfStock() {
					if s := outOn(at, a.Item, chk.Date); s != nil && firstCheck[s] == "" {
						firstCheck[s] = chk.ID
					}
				}
			}
		}
	}
	for k := range demoStockouts {
		s := &demoStockouts[k]
		f := l.facilities[s.at[0]][s.at[1]]
		e := &readiness.StockEvent{ID: demoID("stock", s.at, s.item, s.from), FacilityID: f.ID, Commodity: s.item,
			StartedOn: mesh.Date(s.from), EndedOn: mesh.Date(s.to), CheckID: firstCheck[s]}
		if _, err := fs.PutStockEvent(l.ctx, e, cl, nil); err != nil {
			return fmt.Errorf("demo stock event: %w", err)
		}
	}
	if err := l.demoIssues(fs, visitsAt); err != nil {
		return err
	}
	return l.demoProjects(fs)
}

// demoCheck answers the checklist at visit v: equipment and registers mostly fine,
// electricity sometimes missing, tracer items out only during the logged stock-outs.
func demoCheck(rng *rand.Rand, cl readiness.Checklist, at [2]int, facilityID int64, v *visit.Visit) *readiness.Check {
	yes, no := true, false
	chk := &readiness.Check{ID: demoID("check", at, v.ID), FacilityID: facilityID, VisitID: v.ID, Date: v.Date}
	for _, it := range cl.Items {
		a := readiness.Answer{Item: it.Code}
		switch it.Section {
		case readiness.Equipment:
			switch r := rng.Float64(); {
			case r < 0.06:
				a.Present, a.Functional = &no, &no
			case r < 0.14:
				a.Present, a.Functional = &yes, &no
			default:
				a.Present, a.Functional = &yes, &yes
			}
		case readiness.Infrastructure:
			p := 0.95
			if it.Code == "electricity" {
				p = 0.8
			}
			if chance(rng, p) {
				a.Present = &yes
			} else {
				a.Present = &no
			}
		case readiness.Registers:
			if chance(rng, 0.9) {
				a.Present = &yes
			} else {
				a.Present = &no
			}
		case readiness.Tracer:
			a.InStock = &yes
			if s := outOn(at, it.Code, v.Date); s != nil {
				a.InStock, a.OutSince = &no, mesh.Date(s.from)
			}
		}
		chk.Answers = append(chk.Answers, a)
	}
	return chk
}

// demoID makes a stable UUID-shaped id from the demo seed and parts, so a reload
// writes the same records.
func demoID(parts ...any) string {
	rng := rand.New(rand.NewPCG(hashParts(parts), 7))
	return uuid7(rng, yearStart)
}

func hashParts(parts []any) uint64 {
	h := uint64(1469598103934665603)
	for _, b := range []byte(fmt.Sprint(parts...)) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}

// demoIssue is one system issue of the demo.
type demoIssue struct {
	at                           [2]int
	category, description, owner string
	opened, due                  string
	status                       string
	atVisit                      bool // link it to the last visit before it was opened
	comments                     []string
}

var demoIssues = []demoIssue{
	{[2]int{0, 0}, "supply", "Amoxicillin DT out of stock: children with pneumonia sent to buy syrup.", "In-charge and district pharmacist", "2026-03-16", "2026-04-15", "resolved", true,
		[]string{"Emergency order sent to the district pharmacy.", "Delivered on 20 April."}},
	{[2]int{0, 0}, "supply", "ORS out of stock since late October.", "District pharmacist", "2026-10-28", "2026-11-10", "escalated", true,
		[]string{"Requested from the district twice; no delivery date yet."}},
	{[2]int{0, 1}, "equipment", "ARI timer broken; nurses count breaths with a phone.", "In-charge", "2026-05-04", "2026-06-01", "in_progress", true, nil},
	{[2]int{0, 2}, "staffing", "Only one IMCI-trained nurse on weekend duty.", "In-charge", "2026-07-13", "2026-08-31", "open", false, nil},
	{[2]int{0, 5}, "infrastructure", "No electricity in the consultation room after the storm.", "Sector executive", "2026-09-01", "2026-10-01", "escalated", true,
		[]string{"Raised at the district health meeting."}},
	{[2]int{1, 0}, "supply", "Zinc out of stock; diarrhoea treated with ORS only.", "District pharmacist", "2026-09-21", "2026-10-15", "escalated", true, nil},
	{[2]int{1, 1}, "data", "Under-five register not filled on busy days.", "Data manager", "2026-04-06", "2026-05-06", "resolved", false,
		[]string{"A second register opened for the afternoon shift."}},
	{[2]int{1, 3}, "equipment", "Weighing scale gives wrong weights.", "In-charge", "2026-06-15", "2026-07-15", "open", true, nil},
	{[2]int{1, 7}, "other", "Caregivers wait over two hours before consultation.", "In-charge", "2026-08-10", "", "in_progress", false, nil},
	{[2]int{1, 9}, "staffing", "Two nurses left; the remaining nurse has not had IMCI training.", "District HR", "2026-10-05", "2026-12-01", "open", false, nil},
}

func (l *loader) demoIssues(fs facilityStore, visitsAt map[[2]int][]*visit.Visit) error {
	for _, d := range demoIssues {
		f := l.facilities[d.at[0]][d.at[1]]
		i := &readiness.Issue{ID: demoID("issue", d.at, d.description), FacilityID: f.ID, Category: d.category, Description: d.description,
			Owner: d.owner, DueOn: mesh.Date(d.due), Status: d.status, OpenedOn: mesh.Date(d.opened)}
		if d.atVisit {
			for _, v := range visitsAt[d.at] {
				if string(v.Date) <= d.opened {
					i.VisitID, i.OpenedOn = v.ID, v.Date
				}
			}
		}
		if _, err := fs.PutIssue(l.ctx, i, nil); err != nil {
			return fmt.Errorf("demo issue: %w", err)
		}
		for k, text := range d.comments {
			if _, err := fs.AddIssueComment(l.ctx, &readiness.Comment{ID: demoID("comment", i.ID, k), IssueID: i.ID, Text: text}); err != nil {
				return fmt.Errorf("demo issue comment: %w", err)
			}
		}
	}
	return nil
}

// demoProject is one QI project with its cycles.
type demoProject struct {
	at                  [2]int
	title, problem, aim string
	indicator           string
	target              float64
	targetDate, started string
	team                []string
	ideas               []string
	cycles              []demoCycle
}

type demoCycle struct {
	idea                   int // index into ideas
	plan, do, study, act   string
	started, ended, result string
}

var demoProjects = []demoProject{
	{[2]int{0, 0}, "Classify every sick child correctly",
		"Nurses miss classifications when the clinic is busy: only about six in ten children were classified correctly in the first months of mentoring.",
		"Raise correct classification at Rwinkwavu HC from 60% to 90% by December 2026.",
		"imci.correct_classification", 0.9, "2026-12-31", "2026-03-02",
		[]string{"In-charge", "Two IMCI nurses", "Mentor"},
		[]string{"Chart booklet open on the desk at every consultation", "Friday peer review of two cases", "Classification stamp on the consultation register"},
		[]demoCycle{
			{0, "Keep the chart booklet open at every under-five consultation for four weeks.", "Done in both consultation rooms.",
				"Correct classification rose in the mentor's observations; nurses found the booklet quicker than memory.", "Adopt: booklets stay on every desk.",
				"2026-03-02", "2026-04-03", "adopt"},
			{1, "Review two cases together every Friday for a month.", "Three of four Fridays held.",
				"Useful, but Friday afternoons are busy.", "Adapt: move the review to Tuesday morning.", "2026-05-04", "2026-06-05", "adapt"},
			{1, "Tuesday morning review of two cases.", "Held every week.", "Every nurse attended; misclassified fever cases discussed.",
				"Adopt.", "2026-06-09", "2026-07-10", "adopt"},
		}},
	{[2]int{1, 0}, "Check every child for danger signs",
		"General danger signs and main symptoms were not asked for every child.",
		"Raise the assessment index at Nyarubuye HC to 95% by December 2026.",
		"imci.assessment_index", 0.95, "2026-12-31", "2026-04-06",
		[]string{"In-charge", "Nurses of the under-five clinic"},
		[]string{"Danger-sign checklist poster at triage", "Caregiver asked the four questions while waiting"},
		[]demoCycle{
			{0, "Put a danger-sign poster at triage and at each consultation desk.", "Posters printed and put up in week one.",
				"Nurses asked the danger signs more often in observed consultations.", "Adopt.", "2026-04-06", "2026-05-08", "adopt"},
			{1, "A community health worker asks caregivers the four questions while they wait.", "Tried for two weeks.",
				"The CHW was not always available.", "Abandon.", "2026-06-01", "2026-06-15", "abandon"},
		}},
	{[2]int{0, 1}, "Plot every child's weight on the growth chart",
		"Weights are taken but rarely plotted on the child's growth chart.",
		"Plot the weight of 80% of children seen by December 2026.",
		"imci.growth_chart_used", 0.8, "2026-12-31", "2026-06-01",
		[]string{"In-charge", "Nurse in charge of growth monitoring"},
		[]string{"Weigh and plot at triage", "Spare growth charts at every desk"},
		[]demoCycle{
			{0, "The triage nurse weighs and plots every child before consultation.", "Tried for a month.",
				"Triage queue grew; plotting did not rise.", "Abandon: not enough staff at triage.", "2026-06-01", "2026-07-03", "abandon"},
			{1, "Keep spare growth charts at every consultation desk.", "Charts placed on desks.", "", "", "2026-09-07", "", ""},
		}},
}

func (l *loader) demoProjects(fs facilityStore) error {
	for _, d := range demoProjects {
		f := l.facilities[d.at[0]][d.at[1]]
		p := &qi.Project{ID: demoID("project", d.at, d.title), FacilityID: f.ID, Title: d.title, Team: d.team, Problem: d.problem,
			Aim:    qi.Aim{Text: d.aim, IndicatorID: d.indicator, TargetValue: d.target, TargetDate: mesh.Date(d.targetDate)},
			Status: "active", StartedOn: mesh.Date(d.started),
			// The median is frozen on the three months of mentoring before the project
			// (December to February), so a rise after it shows as a shift.
			BaselinePoints: 3}
		for k, idea := range d.ideas {
			p.ChangeIdeas = append(p.ChangeIdeas, qi.ChangeIdea{ID: fmt.Sprintf("c%d", k+1), Text: idea})
		}
		if _, err := fs.PutProject(l.ctx, p, nil); err != nil {
			return fmt.Errorf("demo QI project: %w", err)
		}
		for k, c := range d.cycles {
			cy := &qi.PDSACycle{ID: demoID("cycle", p.ID, k), ProjectID: p.ID, ChangeIdeaID: fmt.Sprintf("c%d", c.idea+1), Plan: c.plan, Do: c.do,
				Study: c.study, Act: c.act, StartedOn: mesh.Date(c.started), EndedOn: mesh.Date(c.ended), Result: c.result}
			if _, err := fs.PutCycle(l.ctx, cy, nil); err != nil {
				return fmt.Errorf("demo PDSA cycle: %w", err)
			}
		}
	}
	return nil
}
