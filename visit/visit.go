// Package visit holds mentoring and supervision visits: planned, done or cancelled,
// with the activities done, and the cadence rules that tell supervisors whether each
// facility is visited as often as its target says.
package visit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"mesh"
)

// Kinds of visit.
var Kinds = []string{"mentoring", "supervision"}

// Statuses a visit moves through: planned → done (or cancelled).
var Statuses = []string{"planned", "done", "cancelled"}

// Activities a visit can include.
var Activities = []string{"case_observations", "bedside_coaching", "group_teaching", "readiness_check", "data_review", "qi_meeting"}

// Visit is one visit of a mentor (or supervisor) to a facility. Its id is made by the
// client (a UUID), so a retried upload from a phone is harmless.
type Visit struct {
	ID                string    `json:"id"`
	FacilityID        int64     `json:"facility_id"`
	MentorID          int64     `json:"mentor_id"`
	Date              mesh.Date `json:"date"`
	Kind              string    `json:"kind"`
	Status            string    `json:"status"`
	Activities        []string  `json:"activities"`
	TeachingTopic     string    `json:"teaching_topic,omitempty"`
	TeachingAttendees int       `json:"teaching_attendees,omitempty"`
	Notes             string    `json:"notes,omitempty"`
	Version           int       `json:"version"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`

	FacilityPath string `json:"-"`
	// Unchanged is set by PutVisit when the same content was already stored (a repeat).
	Unchanged bool `json:"-"`
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidUUID reports whether s is a UUID in its 36-character text form.
func ValidUUID(s string) bool { return uuidRE.MatchString(s) }

// Normalize fills defaults (status done, kind mentoring) and tidies lists.
func (v *Visit) Normalize() {
	v.ID = strings.ToLower(strings.TrimSpace(v.ID))
	if v.Kind == "" {
		v.Kind = "mentoring"
	}
	if v.Status == "" {
		v.Status = "done"
	}
	if v.Activities == nil {
		v.Activities = []string{}
	}
	sort.Strings(v.Activities)
	v.TeachingTopic = strings.TrimSpace(v.TeachingTopic)
	v.Notes = strings.TrimSpace(v.Notes)
}

// Validate returns every problem with v, each naming the field and the rule.
func (v *Visit) Validate() error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if !ValidUUID(v.ID) {
		add("id", "INVALID_FORMAT", "id must be a UUID made by the client, e.g. 0190c1a2-7b3c-7d4e-8f90-123456789abc")
	}
	if v.FacilityID <= 0 {
		add("facility_id", "MISSING_REQUIRED", "facility_id is required")
	}
	if v.Date == "" {
		add("date", "MISSING_REQUIRED", "date is required")
	} else if !v.Date.Valid() {
		add("date", "INVALID_FORMAT", "date must be a date in YYYY-MM-DD form")
	}
	if !slices.Contains(Kinds, v.Kind) {
		add("kind", "UNKNOWN_ENUM_VALUE", "kind must be mentoring or supervision")
	}
	if !slices.Contains(Statuses, v.Status) {
		add("status", "UNKNOWN_ENUM_VALUE", "status must be planned, done or cancelled")
	}
	seen := map[string]bool{}
	for i, a := range v.Activities {
		if !slices.Contains(Activities, a) {
			add(fieldIndex("activities", i), "UNKNOWN_ENUM_VALUE", "activity must be one of "+strings.Join(Activities, ", "))
		} else if seen[a] {
			add(fieldIndex("activities", i), "DUPLICATE", "activity "+a+" is listed twice")
		}
		seen[a] = true
	}
	if v.TeachingAttendees < 0 || v.TeachingAttendees > 500 {
		add("teaching_attendees", "OUT_OF_RANGE", "teaching_attendees must be between 0 and 500")
	}
	if len(v.Notes) > 10000 {
		add("notes", "OUT_OF_RANGE", "notes must be at most 10000 characters")
	}
	if len(v.TeachingTopic) > 500 {
		add("teaching_topic", "OUT_OF_RANGE", "teaching_topic must be at most 500 characters")
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

func fieldIndex(field string, i int) string {
	b, _ := json.Marshal(i)
	return field + "[" + string(b) + "]"
}

// ContentHash fingerprints what a client sent, so a repeat of the same record can be
// told from a different record under the same id.
func (v *Visit) ContentHash() string {
	b, _ := json.Marshal(struct {
		FacilityID        int64
		MentorID          int64
		Date              mesh.Date
		Kind, Status      string
		Activities        []string
		TeachingTopic     string
		TeachingAttendees int
		Notes             string
	}{v.FacilityID, v.MentorID, v.Date, v.Kind, v.Status, v.Activities, v.TeachingTopic, v.TeachingAttendees, v.Notes})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Filter selects visits.
type Filter struct {
	ID         *string
	FacilityID *int64
	MentorID   *int64
	Status     string
	From, To   mesh.Date
	Under      []string
	Limit      int
	Offset     int
}

// Cadence is where one facility stands against its visit target.
type Cadence struct {
	FacilityID     int64     `json:"facility_id"`
	FacilityName   string    `json:"facility_name"`
	TargetDays     int       `json:"target_days"`
	LastVisit      mesh.Date `json:"last_visit,omitempty"`
	DaysSinceLast  *int      `json:"days_since_last"`
	Overdue        bool      `json:"overdue"`
	Visits12Months int       `json:"visits_12_months"`
	NextPlanned    mesh.Date `json:"next_planned,omitempty"`
}

// ComputeCadence fills the derived fields of c for day today: a facility never
// visited is overdue; otherwise overdue once the days since the last visit pass the
// target.
func ComputeCadence(c *Cadence, today mesh.Date) {
	if c.LastVisit == "" {
		c.DaysSinceLast, c.Overdue = nil, true
		return
	}
	days := int(today.Time().Sub(c.LastVisit.Time()).Hours() / 24)
	c.DaysSinceLast = &days
	c.Overdue = days > c.TargetDays
}

// Store keeps visits.
type Store interface {
	// PutVisit stores v under its client id: created (true) when new, unchanged when
	// the same content is sent again, updated when v.Version equals the stored version,
	// else ECONFLICT.
	PutVisit(ctx context.Context, v *Visit, expectedVersion *int) (created bool, err error)
	FindVisitByID(ctx context.Context, id string) (*Visit, error)
	FindVisits(ctx context.Context, f Filter) ([]*Visit, int, error)
	FindCadence(ctx context.Context, under []string, today mesh.Date) ([]*Cadence, error)
}
