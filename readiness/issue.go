package readiness

import (
	"slices"
	"sort"
	"strings"
	"time"

	"mesh"
)

// Issue categories.
var Categories = []string{"supply", "equipment", "infrastructure", "staffing", "data", "other"}

// Issue statuses: open → in_progress → escalated (to the district) → resolved, in any
// order; a resolved issue may be reopened.
var IssueStatuses = []string{"open", "in_progress", "escalated", "resolved"}

// StatusChange is one entry of an issue's status history.
type StatusChange struct {
	Status string    `json:"status"`
	On     mesh.Date `json:"on"` // the facility's calendar day of the change
	At     time.Time `json:"at"`
	By     string    `json:"by"`
}

// Comment is a note on an issue's progress.
type Comment struct {
	ID      string    `json:"id"`
	IssueID string    `json:"issue_id"`
	Text    string    `json:"text"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// Issue is a system problem found at a facility (supply, equipment, staffing…), with
// who owns it, when it is due, and its status history. Its id is made by the client.
type Issue struct {
	ID          string         `json:"id"`
	FacilityID  int64          `json:"facility_id"`
	VisitID     string         `json:"visit_id,omitempty"`
	Category    string         `json:"category"`
	Description string         `json:"description"`
	Owner       string         `json:"owner"`
	DueOn       mesh.Date      `json:"due_on,omitempty"`
	Status      string         `json:"status"`
	OpenedOn    mesh.Date      `json:"opened_on"`
	ResolvedOn  mesh.Date      `json:"resolved_on,omitempty"`
	History     []StatusChange `json:"history"`
	Comments    []Comment      `json:"comments"`
	Version     int            `json:"version"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`

	FacilityPath string `json:"-"`
	// Unchanged is set by the store when the same content was already stored.
	Unchanged bool `json:"-"`
}

// Normalize fills defaults (status open) and tidies text.
func (i *Issue) Normalize() {
	i.ID = strings.ToLower(strings.TrimSpace(i.ID))
	i.VisitID = strings.ToLower(strings.TrimSpace(i.VisitID))
	i.Description = strings.TrimSpace(i.Description)
	i.Owner = strings.TrimSpace(i.Owner)
	if i.Status == "" {
		i.Status = "open"
	}
}

// Validate returns every problem with i, each naming the field.
func (i *Issue) Validate() error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if !ValidUUID(i.ID) {
		add("id", "INVALID_FORMAT", "id must be a UUID made by the client")
	}
	if i.FacilityID <= 0 {
		add("facility_id", "MISSING_REQUIRED", "facility_id is required")
	}
	if i.VisitID != "" && !ValidUUID(i.VisitID) {
		add("visit_id", "INVALID_FORMAT", "visit_id must be the UUID of a visit")
	}
	if !slices.Contains(Categories, i.Category) {
		add("category", "UNKNOWN_ENUM_VALUE", "category must be one of "+strings.Join(Categories, ", "))
	}
	if i.Description == "" {
		add("description", "MISSING_REQUIRED", "description is required")
	} else if len(i.Description) > 10000 {
		add("description", "OUT_OF_RANGE", "description must be at most 10000 characters")
	}
	if len(i.Owner) > 200 {
		add("owner", "OUT_OF_RANGE", "owner must be at most 200 characters")
	}
	if !slices.Contains(IssueStatuses, i.Status) {
		add("status", "UNKNOWN_ENUM_VALUE", "status must be one of "+strings.Join(IssueStatuses, ", "))
	}
	checkDate(add, "opened_on", i.OpenedOn, true)
	checkDate(add, "due_on", i.DueOn, false)
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// ContentHash fingerprints what a client sent (not the history the server keeps).
func (i *Issue) ContentHash() string {
	return hash(struct {
		FacilityID                            int64
		VisitID, Category, Description, Owner string
		DueOn, OpenedOn                       mesh.Date
		Status                                string
	}{i.FacilityID, i.VisitID, i.Category, i.Description, i.Owner, i.DueOn, i.OpenedOn, i.Status})
}

// SetStatus moves i to status, recording the change in its history (nothing when the
// status does not change). Resolving sets ResolvedOn; reopening clears it.
func (i *Issue) SetStatus(status string, on mesh.Date, at time.Time, by string) {
	if len(i.History) > 0 && i.History[len(i.History)-1].Status == status {
		i.Status = status
		return
	}
	i.Status = status
	i.History = append(i.History, StatusChange{Status: status, On: on, At: at.UTC(), By: by})
	if status == "resolved" {
		i.ResolvedOn = on
	} else {
		i.ResolvedOn = ""
	}
}

// StatusOn is i's status at the end of day d, from its history: "" before it was
// opened.
func (i *Issue) StatusOn(d mesh.Date) string {
	if i.OpenedOn == "" || i.OpenedOn > d {
		return ""
	}
	status := "open"
	for _, h := range i.History {
		if h.On > d {
			break
		}
		status = h.Status
	}
	return status
}

// OpenOn reports whether i was unresolved at the end of day d.
func (i *Issue) OpenOn(d mesh.Date) bool {
	s := i.StatusOn(d)
	return s != "" && s != "resolved"
}

// DaysOpen is how long i has been (or was) open: from OpenedOn to ResolvedOn, or to
// today while unresolved.
func (i *Issue) DaysOpen(today mesh.Date) int {
	end := today
	if i.Status == "resolved" && i.ResolvedOn != "" {
		end = i.ResolvedOn
	}
	d := int(end.Time().Sub(i.OpenedOn.Time()).Hours() / 24)
	return max(d, 0)
}

// IssueStats summarises issues: how many are unresolved and for how long (median days
// open so far), and how long resolved ones took.
type IssueStats struct {
	Open                int            `json:"open"`
	Escalated           int            `json:"escalated"`
	MedianDaysOpen      *float64       `json:"median_days_open"`
	Resolved            int            `json:"resolved"`
	MedianDaysToResolve *float64       `json:"median_days_to_resolve"`
	OpenByCategory      map[string]int `json:"open_by_category"`
}

// Stats summarises issues on day today; each issue's own today is given by todayOf
// (its facility's calendar day).
func Stats(issues []*Issue, todayOf func(*Issue) mesh.Date) IssueStats {
	st := IssueStats{OpenByCategory: map[string]int{}}
	var open, resolved []float64
	for _, i := range issues {
		if i.Status == "resolved" {
			st.Resolved++
			resolved = append(resolved, float64(i.DaysOpen(todayOf(i))))
			continue
		}
		st.Open++
		st.OpenByCategory[i.Category]++
		if i.Status == "escalated" {
			st.Escalated++
		}
		open = append(open, float64(i.DaysOpen(todayOf(i))))
	}
	st.MedianDaysOpen, st.MedianDaysToResolve = Median(open), Median(resolved)
	return st
}

// Median is the sample median (the mean of the two middle values for an even count),
// nil for no values.
func Median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}

// OpenAtMonthEnd counts the issues unresolved at the end of month ("YYYY-MM"), or at
// the end of today when the month is not over: sys.open_issues.
func OpenAtMonthEnd(issues []*Issue, month string, today mesh.Date) int {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return 0
	}
	end := mesh.DateOf(t.AddDate(0, 1, -1))
	if today != "" && today < end {
		end = today
	}
	n := 0
	for _, i := range issues {
		if i.OpenOn(end) {
			n++
		}
	}
	return n
}

// IssueFilter selects issues.
type IssueFilter struct {
	FacilityID *int64
	VisitID    string
	Status     string
	Category   string
	Under      []string
	Limit      int
	Offset     int
}
