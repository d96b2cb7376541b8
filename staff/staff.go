// Package staff holds health workers and their postings. Turnover is a named barrier
// in MESH, so a worker's history at facilities is kept: moving a worker ends one
// posting and starts another; nothing is overwritten.
package staff

import (
	"context"
	"slices"
	"strings"
	"time"

	"mesh"
)

// Cadres a health worker can have (Rwanda's A0/A1/A2 nurse levels).
var Cadres = []string{"A0", "A1", "A2", "other"}

// HealthWorker is a mentee. FacilityID, StartOn and EndOn describe the current (or
// last) posting; Postings holds the full history.
type HealthWorker struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Cadre         string    `json:"cadre"`
	FacilityID    int64     `json:"facility_id"`
	IMCITrainedOn mesh.Date `json:"imci_trained_on,omitempty"`
	StartOn       mesh.Date `json:"start_on,omitempty"`
	EndOn         mesh.Date `json:"end_on,omitempty"`
	Postings      []Posting `json:"postings,omitempty"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`

	FacilityPath string `json:"-"` // path of the current facility, for scope checks
}

// Posting is one period of a worker at a facility.
type Posting struct {
	ID         int64     `json:"id"`
	FacilityID int64     `json:"facility_id"`
	StartOn    mesh.Date `json:"start_on"`
	EndOn      mesh.Date `json:"end_on,omitempty"`
}

// Active reports whether the worker is in post on day d.
func (h *HealthWorker) Active(d mesh.Date) bool {
	return h.StartOn <= d && (h.EndOn == "" || h.EndOn >= d)
}

// Normalize trims text before Validate.
func (h *HealthWorker) Normalize() { h.Name = strings.TrimSpace(h.Name) }

// Validate returns every problem with h, each naming the field and the rule.
func (h *HealthWorker) Validate() error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if h.Name == "" {
		add("name", "MISSING_REQUIRED", "name is required")
	} else if len(h.Name) > 200 {
		add("name", "OUT_OF_RANGE", "name must be at most 200 characters")
	}
	if !slices.Contains(Cadres, h.Cadre) {
		add("cadre", "UNKNOWN_ENUM_VALUE", "cadre must be one of A0, A1, A2, other")
	}
	if h.FacilityID <= 0 {
		add("facility_id", "MISSING_REQUIRED", "facility_id is required")
	}
	for field, d := range map[string]mesh.Date{"imci_trained_on": h.IMCITrainedOn, "start_on": h.StartOn, "end_on": h.EndOn} {
		if !d.Valid() {
			add(field, "INVALID_FORMAT", field+" must be a date in YYYY-MM-DD form")
		}
	}
	if h.EndOn != "" && h.StartOn != "" && h.EndOn < h.StartOn {
		add("end_on", "OUT_OF_RANGE", "end_on must not be before start_on")
	}
	if len(errs) > 0 {
		sortFieldErrors(errs)
		return mesh.Invalid(errs...)
	}
	return nil
}

func sortFieldErrors(errs []mesh.FieldError) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Field < errs[j-1].Field; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// Filter selects health workers; zero fields do not filter.
type Filter struct {
	ID         *int64
	FacilityID *int64
	Under      []string // only workers whose current facility is under one of these paths
	ActiveOn   mesh.Date
	Query      string
	Limit      int
	Offset     int
}

// Update changes a worker. A new FacilityID moves the worker on MoveOn (default
// today): the current posting ends the day before and a new one starts.
type Update struct {
	Name          *string
	Cadre         *string
	IMCITrainedOn *mesh.Date
	FacilityID    *int64
	MoveOn        mesh.Date
	EndOn         *mesh.Date // ends the current posting (the worker left)
	Version       *int
}

// Store keeps health workers.
type Store interface {
	CreateHealthWorker(ctx context.Context, h *HealthWorker) error
	FindHealthWorkerByID(ctx context.Context, id int64) (*HealthWorker, error)
	FindHealthWorkers(ctx context.Context, f Filter) ([]*HealthWorker, int, error)
	UpdateHealthWorker(ctx context.Context, id int64, u Update) (*HealthWorker, error)
}
