// Package demo loads a demonstration data set shaped like Rwanda's MESH programme:
// two districts with 8 and 13 health centres, their mentors, supervisors and about 80
// health workers with some turnover, a user for each role, and a year of mentoring
// visits with scored case observations of simulated children and nurses whose skill
// grows with mentoring. Loading is deterministic and idempotent.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"mesh"
	"mesh/account"
	"mesh/observation"
	"mesh/place"
	"mesh/staff"
	"mesh/visit"
)

// Password is the demo users' password, printed with the logins.
const Password = "mesh-demo-2026"

// MarkerCode is the code of the demo country; its presence means the demo is loaded.
const MarkerCode = "RW-DEMO"

// Store is what the demo writes to.
type Store interface {
	place.Store
	staff.Store
	account.Store
	visit.Store
	observation.Store
}

// Login is a demo account to print.
type Login struct {
	Username, Role, Scope string
}

// Result tells what Load did.
type Result struct {
	AlreadyLoaded bool
	Places        int
	Workers       int
	Visits        int // mentoring visits done
	PlannedVisits int // next visits planned
	Observations  int // scored case observations
	Logins        []Login
}

var districts = []struct {
	name, code string
	malaria    string
	centres    []string
}{
	{"Kayonza", "RW-KAY", "high", []string{"Rwinkwavu", "Kabarondo", "Mukarange", "Ruramira", "Nyamirama", "Ndego", "Kabare", "Rukara"}},
	{"Kirehe", "RW-KIR", "high", []string{"Nyarubuye", "Kirehe", "Mahama", "Nasho", "Gatore", "Musaza", "Nyamugari", "Mushikiri", "Rusumo", "Kigarama", "Mpanga", "Gahara", "Nyakarambi"}},
}

var givenNames = []string{"Alice", "Jeanne", "Marie", "Claudine", "Esperance", "Josiane", "Emmanuel", "Jean", "Olivier", "Diane",
	"Aline", "Patrick", "Vestine", "Innocent", "Chantal", "Theoneste", "Beatrice", "Eric", "Solange", "Didier"}
var familyNames = []string{"Uwimana", "Mukamana", "Niyonsaba", "Habimana", "Nyirahabimana", "Mugisha", "Uwase", "Ndayisaba",
	"Iradukunda", "Nsengiyumva", "Mukeshimana", "Tuyisenge", "Hakizimana", "Ingabire", "Bizimana"}

// Load writes the demo data set unless it is already there.
func Load(ctx context.Context, s Store) (*Result, error) {
	return LoadWith(ctx, s, Options{Mentoring: true})
}

// Options choose how much of the demo to load.
type Options struct {
	// Mentoring adds the year of visits and scored observations; tests of places,
	// people and access leave it out to start from a known, empty record.
	Mentoring bool
}

// LoadWith writes the demo data set with opts unless it is already there.
func LoadWith(ctx context.Context, s Store, opts Options) (*Result, error) {
	ctx = mesh.WithActor(ctx, mesh.Actor{Username: "demo", Role: "system"})
	code := place.Type(place.Country)
	existing, _, err := s.FindOrgUnits(ctx, place.Filter{Type: &code})
	if err != nil {
		return nil, err
	}
	for _, o := range existing {
		if o.Code == MarkerCode {
			return &Result{AlreadyLoaded: true, Logins: Logins()}, nil
		}
	}
	l := &loader{s: s, ctx: ctx, rng: rand.New(rand.NewPCG(2010, 2026)), res: &Result{}, opts: opts}
	if err := l.load(); err != nil {
		return nil, err
	}
	l.res.Logins = Logins()
	return l.res, nil
}

type loader struct {
	opts Options
	s    Store
	ctx  context.Context
	rng  *rand.Rand
	res  *Result

	country    *place.OrgUnit
	districts  []*place.OrgUnit
	facilities [][]*place.OrgUnit // per district
}

func (l *loader) load() error {
	if err := l.places(); err != nil {
		return err
	}
	if err := l.workers(); err != nil {
		return err
	}
	if err := l.users(); err != nil {
		return err
	}
	if !l.opts.Mentoring {
		return nil
	}
	if err := l.mentoring(); err != nil {
		return err
	}
	return l.facilitySystems() // readiness, stock-outs, issues and QI: demo/facility.go
}

func (l *loader) create(o *place.OrgUnit) error {
	if err := l.s.CreateOrgUnit(l.ctx, o); err != nil {
		return fmt.Errorf("demo place %s: %w", o.Name, err)
	}
	l.res.Places++
	return nil
}

func (l *loader) places() error {
	l.country = &place.OrgUnit{Name: "Rwanda (demo)", Type: place.Country, Code: MarkerCode}
	if err := l.create(l.country); err != nil {
		return err
	}
	province := &place.OrgUnit{Name: "Eastern Province", Type: place.Province, ParentID: &l.country.ID, Code: "RW-EST"}
	if err := l.create(province); err != nil {
		return err
	}
	for _, d := range districts {
		dist := &place.OrgUnit{Name: d.name, Type: place.District, ParentID: &province.ID, Code: d.code}
		if err := l.create(dist); err != nil {
			return err
		}
		l.districts = append(l.districts, dist)
		var fs []*place.OrgUnit
		for i, name := range d.centres {
			sector := &place.OrgUnit{Name: name + " sector", Type: place.Sector, ParentID: &dist.ID, Code: fmt.Sprintf("%s-S%02d", d.code, i+1)}
			if err := l.create(sector); err != nil {
				return err
			}
			risk := d.malaria
			if i%4 == 3 {
				risk = "low"
			}
			f := &place.OrgUnit{Name: name + " Health Centre", Type: place.Facility, ParentID: &sector.ID,
				Code: fmt.Sprintf("%s-HC%02d", d.code, i+1), DHIS2UID: demoUID(d.code, i), MalariaRisk: risk}
			if err := l.create(f); err != nil {
				return err
			}
			fs = append(fs, f)
		}
		l.facilities = append(l.facilities, fs)
	}
	return nil
}

// demoUID makes a stable DHIS2-shaped uid (11 characters, a letter first).
func demoUID(code string, i int) string {
	return fmt.Sprintf("Dm%s%06d", code[len(code)-3:], i+1)
}

// workers adds about four nurses per centre; some trained in IMCI before MESH, some
// during it, and about one in eight moved or left (MESH named turnover as a barrier).
func (l *loader) workers() error {
	cadres := []string{"A2", "A2", "A2", "A1", "A1", "A0", "other"}
	n := 0
	for di, fs := range l.facilities {
		for fi, f := range fs {
			count := 3 + l.rng.IntN(3)
			for k := 0; k < count; k++ {
				n++
				h := &staff.HealthWorker{
					Name:       givenNames[l.rng.IntN(len(givenNames))] + " " + familyNames[l.rng.IntN(len(familyNames))],
					Cadre:      cadres[l.rng.IntN(len(cadres))],
					FacilityID: f.ID,
					StartOn:    mesh.Date(fmt.Sprintf("20%02d-%02d-01", 5+l.rng.IntN(6), 1+l.rng.IntN(12))),
				}
				if l.rng.IntN(10) < 6 {
					h.IMCITrainedOn = mesh.Date(fmt.Sprintf("20%02d-%02d-15", 8+l.rng.IntN(4), 1+l.rng.IntN(12)))
					if h.IMCITrainedOn < h.StartOn {
						h.IMCITrainedOn = h.StartOn
					}
				}
				if err := l.s.CreateHealthWorker(l.ctx, h); err != nil {
					return fmt.Errorf("demo health worker: %w", err)
				}
				l.res.Workers++
				if err := l.turnover(h, l.facilities[di][(fi+1)%len(fs)], n); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// turnover moves every 11th worker to a neighbouring centre and ends every 13th
// worker's posting, so lists and history show real churn.
func (l *loader) turnover(h *staff.HealthWorker, next *place.OrgUnit, n int) error {
	var err error
	switch {
	case n%11 == 0:
		_, err = l.s.UpdateHealthWorker(l.ctx, h.ID, staff.Update{FacilityID: &next.ID, MoveOn: "2011-03-01"})
	case n%13 == 0:
		end := mesh.Date("2011-09-30")
		_, err = l.s.UpdateHealthWorker(l.ctx, h.ID, staff.Update{EndOn: &end})
	}
	if err != nil {
		return fmt.Errorf("demo turnover: %w", err)
	}
	return nil
}

// demoUsers are the accounts, one per role and a mentor per group of centres.
func demoUsers() []struct {
	username, name string
	role           account.Role
	scope          string // "country", "district:N", "facility:D:F"
} {
	return []struct {
		username, name string
		role           account.Role
		scope          string
	}{
		{"admin", "Demo Administrator", account.Admin, ""},
		{"manager", "Programme Manager (M&E)", account.Manager, "country"},
		{"supervisor.kayonza", "Kayonza District Supervisor", account.Supervisor, "district:0"},
		{"supervisor.kirehe", "Kirehe District Supervisor", account.Supervisor, "district:1"},
		{"mentor.kayonza", "Mentor Kayonza", account.Mentor, "mentor:0:0-7"},
		{"mentor.kirehe1", "Mentor Kirehe North", account.Mentor, "mentor:1:0-6"},
		{"mentor.kirehe2", "Mentor Kirehe South", account.Mentor, "mentor:1:7-12"},
		{"incharge.rwinkwavu", "In-charge Rwinkwavu HC", account.FacilityIC, "facility:0:0"},
	}
}

// Logins lists the demo accounts.
func Logins() []Login {
	var out []Login
	for _, u := range demoUsers() {
		out = append(out, Login{Username: u.username, Role: string(u.role), Scope: u.name})
	}
	return out
}

func (l *loader) users() error {
	hash, err := account.HashPassword(Password)
	if err != nil {
		return err
	}
	for _, du := range demoUsers() {
		u := &account.User{Username: du.username, DisplayName: du.name, Role: du.role, PasswordHash: hash}
		var di, a, b int
		var mentorFacilities []*place.OrgUnit
		switch {
		case du.scope == "country":
			u.ScopeID = &l.country.ID
		case scan(du.scope, "district:%d", &di):
			u.ScopeID = &l.districts[di].ID
		case scan(du.scope, "facility:%d:%d", &di, &a):
			u.ScopeID = &l.facilities[di][a].ID
		case scan(du.scope, "mentor:%d:%d-%d", &di, &a, &b):
			mentorFacilities = l.facilities[di][a : b+1]
		}
		if err := l.s.CreateUser(l.ctx, u); err != nil {
			return fmt.Errorf("demo user %s: %w", du.username, err)
		}
		for _, f := range mentorFacilities {
			if err := l.s.CreateAssignment(l.ctx, &account.Assignment{MentorID: u.ID, FacilityID: f.ID, StartOn: "2010-01-01"}); err != nil {
				return fmt.Errorf("demo assignment: %w", err)
			}
		}
	}
	return nil
}

func scan(s, format string, args ...any) bool {
	n, err := fmt.Sscanf(s, format, args...)
	return err == nil && n == len(args)
}
