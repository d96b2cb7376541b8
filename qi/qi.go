// Package qi holds quality-improvement projects: a facility team's problem, a SMART
// aim tied to an indicator, the change ideas it tests and its PDSA (plan, do, study,
// act) cycles. It is pure: no database, no HTTP.
package qi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"mesh"
	"mesh/indicator"
)

// Project statuses.
var Statuses = []string{"planning", "active", "completed", "abandoned"}

// Results a PDSA cycle ends with.
var Results = []string{"adopt", "adapt", "abandon"}

// Aim is the SMART aim: move an indicator to a target value by a date.
type Aim struct {
	Text        string    `json:"text"`
	IndicatorID string    `json:"indicator_id"`
	TargetValue float64   `json:"target_value"`
	TargetDate  mesh.Date `json:"target_date"`
}

// ChangeIdea is one idea the team tests; its ID is short and unique in the project.
type ChangeIdea struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Project is a facility team's QI project. Its id is made by the client (a UUID).
type Project struct {
	ID          string       `json:"id"`
	FacilityID  int64        `json:"facility_id"`
	Title       string       `json:"title"`
	Team        []string     `json:"team"`
	Problem     string       `json:"problem"`
	Aim         Aim          `json:"aim"`
	ChangeIdeas []ChangeIdea `json:"change_ideas"`
	Status      string       `json:"status"`
	StartedOn   mesh.Date    `json:"started_on"`
	EndedOn     mesh.Date    `json:"ended_on,omitempty"`
	// BaselinePoints freezes the run chart's median on the first k months (0: all).
	BaselinePoints int          `json:"baseline_points,omitempty"`
	Cycles         []*PDSACycle `json:"cycles"`
	Version        int          `json:"version"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`

	FacilityPath string `json:"-"`
	// Unchanged is set by the store when the same content was already stored.
	Unchanged bool `json:"-"`
}

// PDSACycle is one plan-do-study-act test of a change idea. It is complete once it
// has an end date and a result; qi.pdsa_cycles counts it in the month it ended.
type PDSACycle struct {
	ID           string    `json:"id"`
	ProjectID    string    `json:"project_id"`
	ChangeIdeaID string    `json:"change_idea_id,omitempty"`
	Plan         string    `json:"plan"`
	Do           string    `json:"do"`
	Study        string    `json:"study"`
	Act          string    `json:"act"`
	StartedOn    mesh.Date `json:"started_on"`
	EndedOn      mesh.Date `json:"ended_on,omitempty"`
	Result       string    `json:"result,omitempty"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	// Unchanged is set by the store when the same content was already stored.
	Unchanged bool `json:"-"`
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Normalize fills defaults (status active) and tidies text.
func (p *Project) Normalize() {
	p.ID = strings.ToLower(strings.TrimSpace(p.ID))
	p.Title = strings.TrimSpace(p.Title)
	p.Problem = strings.TrimSpace(p.Problem)
	p.Aim.Text = strings.TrimSpace(p.Aim.Text)
	if p.Status == "" {
		p.Status = "active"
	}
	if p.Team == nil {
		p.Team = []string{}
	}
	if p.ChangeIdeas == nil {
		p.ChangeIdeas = []ChangeIdea{}
	}
	for i := range p.ChangeIdeas {
		p.ChangeIdeas[i].ID = strings.TrimSpace(p.ChangeIdeas[i].ID)
		p.ChangeIdeas[i].Text = strings.TrimSpace(p.ChangeIdeas[i].Text)
	}
}

// Validate returns every problem with p, each naming the field.
func (p *Project) Validate() error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if !uuidRE.MatchString(p.ID) {
		add("id", "INVALID_FORMAT", "id must be a UUID made by the client")
	}
	if p.FacilityID <= 0 {
		add("facility_id", "MISSING_REQUIRED", "facility_id is required")
	}
	if p.Title == "" || len(p.Title) > 300 {
		add("title", "MISSING_REQUIRED", "title is required (at most 300 characters)")
	}
	if p.Problem == "" {
		add("problem", "MISSING_REQUIRED", "problem is required")
	}
	if p.Aim.Text == "" {
		add("aim.text", "MISSING_REQUIRED", "aim.text is required")
	}
	if ind, ok := indicator.Find(p.Aim.IndicatorID); !ok {
		add("aim.indicator_id", "UNKNOWN_ENUM_VALUE", "aim.indicator_id must name an indicator (GET /api/v1/indicators lists them)")
	} else if ind.Kind == indicator.Proportion && (p.Aim.TargetValue < 0 || p.Aim.TargetValue > 1) {
		add("aim.target_value", "OUT_OF_RANGE", "aim.target_value of a proportion must be between 0 and 1")
	}
	dateField(add, "aim.target_date", p.Aim.TargetDate, true)
	start := dateField(add, "started_on", p.StartedOn, true)
	if dateField(add, "ended_on", p.EndedOn, false) && start && p.EndedOn != "" && p.EndedOn < p.StartedOn {
		add("ended_on", "OUT_OF_RANGE", "ended_on must not be before started_on")
	}
	if !slices.Contains(Statuses, p.Status) {
		add("status", "UNKNOWN_ENUM_VALUE", "status must be one of "+strings.Join(Statuses, ", "))
	}
	for i, m := range p.Team {
		if strings.TrimSpace(m) == "" {
			add(fmt.Sprintf("team[%d]", i), "MISSING_REQUIRED", "a team member needs a name")
		}
	}
	seen := map[string]bool{}
	for i, c := range p.ChangeIdeas {
		f := fmt.Sprintf("change_ideas[%d]", i)
		if c.ID == "" || len(c.ID) > 40 {
			add(f+".id", "MISSING_REQUIRED", "a change idea needs a short id, unique in the project")
		} else if seen[c.ID] {
			add(f+".id", "DUPLICATE", "change idea "+c.ID+" is listed twice")
		}
		seen[c.ID] = true
		if c.Text == "" {
			add(f+".text", "MISSING_REQUIRED", "a change idea needs a text")
		}
	}
	if p.BaselinePoints < 0 || p.BaselinePoints > 60 {
		add("baseline_points", "OUT_OF_RANGE", "baseline_points must be between 0 and 60")
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// ContentHash fingerprints what a client sent (cycles are stored on their own).
func (p *Project) ContentHash() string {
	return hash(struct {
		FacilityID         int64
		Title              string
		Team               []string
		Problem            string
		Aim                Aim
		ChangeIdeas        []ChangeIdea
		Status             string
		StartedOn, EndedOn mesh.Date
		BaselinePoints     int
	}{p.FacilityID, p.Title, p.Team, p.Problem, p.Aim, p.ChangeIdeas, p.Status, p.StartedOn, p.EndedOn, p.BaselinePoints})
}

// Idea returns the change idea with id.
func (p *Project) Idea(id string) (ChangeIdea, bool) {
	for _, c := range p.ChangeIdeas {
		if c.ID == id {
			return c, true
		}
	}
	return ChangeIdea{}, false
}

// ActiveIn reports whether p ran during month ("YYYY-MM"): started by its end and
// not ended before its start (qi.active_projects).
func (p *Project) ActiveIn(month string) bool {
	if p.StartedOn == "" || string(p.StartedOn)[:7] > month {
		return false
	}
	return p.EndedOn == "" || string(p.EndedOn)[:7] >= month
}

// Normalize tidies c.
func (c *PDSACycle) Normalize() {
	c.ID = strings.ToLower(strings.TrimSpace(c.ID))
	c.ProjectID = strings.ToLower(strings.TrimSpace(c.ProjectID))
	c.ChangeIdeaID = strings.TrimSpace(c.ChangeIdeaID)
	for _, s := range []*string{&c.Plan, &c.Do, &c.Study, &c.Act} {
		*s = strings.TrimSpace(*s)
	}
}

// Validate returns every problem with c within project p, each naming the field.
func (c *PDSACycle) Validate(p *Project) error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if !uuidRE.MatchString(c.ID) {
		add("id", "INVALID_FORMAT", "id must be a UUID made by the client")
	}
	if c.ChangeIdeaID != "" {
		if _, ok := p.Idea(c.ChangeIdeaID); !ok {
			add("change_idea_id", "NOT_FOUND", "change_idea_id must name one of the project's change ideas")
		}
	}
	if c.Plan == "" {
		add("plan", "MISSING_REQUIRED", "plan is required")
	}
	start := dateField(add, "started_on", c.StartedOn, true)
	if dateField(add, "ended_on", c.EndedOn, false) && start && c.EndedOn != "" && c.EndedOn < c.StartedOn {
		add("ended_on", "OUT_OF_RANGE", "ended_on must not be before started_on")
	}
	if c.Result != "" && !slices.Contains(Results, c.Result) {
		add("result", "UNKNOWN_ENUM_VALUE", "result must be adopt, adapt or abandon")
	}
	if c.Result != "" && c.EndedOn == "" {
		add("ended_on", "MISSING_REQUIRED", "a cycle with a result needs ended_on")
	}
	for name, s := range map[string]string{"plan": c.Plan, "do": c.Do, "study": c.Study, "act": c.Act} {
		if len(s) > 10000 {
			add(name, "OUT_OF_RANGE", name+" must be at most 10000 characters")
		}
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// ContentHash fingerprints what a client sent.
func (c *PDSACycle) ContentHash() string {
	return hash(struct {
		ProjectID, ChangeIdeaID, Plan, Do, Study, Act string
		StartedOn, EndedOn                            mesh.Date
		Result                                        string
	}{c.ProjectID, c.ChangeIdeaID, c.Plan, c.Do, c.Study, c.Act, c.StartedOn, c.EndedOn, c.Result})
}

// Completed reports whether the cycle has ended with a result.
func (c *PDSACycle) Completed() bool { return c.EndedOn != "" && c.Result != "" }

// PDSACycles is the indicator id of completed cycles.
const PDSACycles = "qi.pdsa_cycles"

// Contributions are what c adds to its facility-month counts: one completed cycle in
// the month it ended (the end date is the facility's calendar day).
func (c *PDSACycle) Contributions() (month string, cs []indicator.Contribution) {
	if !c.Completed() {
		return "", nil
	}
	return string(c.EndedOn)[:7], []indicator.Contribution{{ID: PDSACycles, Num: 1}}
}

func dateField(add func(field, code, msg string), field string, d mesh.Date, required bool) bool {
	if d == "" {
		if required {
			add(field, "MISSING_REQUIRED", field+" is required")
		}
		return !required
	}
	if !d.Valid() {
		add(field, "INVALID_FORMAT", field+" must be a date in YYYY-MM-DD form")
		return false
	}
	return true
}

func hash(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Filter selects projects.
type Filter struct {
	FacilityID *int64
	Status     string
	Under      []string
	Limit      int
	Offset     int
}

// Store keeps QI projects and their PDSA cycles, idempotent on client ids like
// visits: same content unchanged, different content needs the current version.
type Store interface {
	PutProject(ctx context.Context, p *Project, expectedVersion *int) (created bool, err error)
	// FindProjectByID returns a project with its cycles, oldest first.
	FindProjectByID(ctx context.Context, id string) (*Project, error)
	FindProjects(ctx context.Context, f Filter) ([]*Project, int, error)
	PutCycle(ctx context.Context, c *PDSACycle, expectedVersion *int) (created bool, err error)
}
