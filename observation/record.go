package observation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Record is a stored observation: what the mentor sent, the facility and month it
// counts in, the engine's expected result and the score made at save time.
type Record struct {
	Observation
	Version    int             `json:"version"`
	FacilityID int64           `json:"facility_id"`
	Expected   json.RawMessage `json:"expected"`
	Score      Score           `json:"score"`
	Voided     bool            `json:"voided,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`

	FacilityPath string           `json:"-"`
	Month        string           `json:"-"` // YYYY-MM in the facility's time zone
	ContentHash  string           `json:"-"`
	Indicators   []IndicatorValue `json:"-"`
	// Unchanged is set by PutObservation when the same content was already stored.
	Unchanged bool `json:"-"`
}

// ContentHash fingerprints an observation's content, independent of JSON key order
// and spacing, so a repeated upload can be told from a changed one.
func ContentHash(o Observation) string {
	c := o
	c.ID = ""
	var a any
	if json.Unmarshal(o.Assessment, &a) == nil {
		c.Assessment, _ = json.Marshal(a)
	}
	c.ObservedAt = o.ObservedAt.UTC()
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Filter selects stored observations.
type Filter struct {
	ID             *string
	VisitID        *string
	HealthWorkerID *int64
	FacilityID     *int64
	Under          []string
	IncludeVoided  bool
	Limit, Offset  int
}

// Store keeps observations, and with each write the facility-month indicator counts.
type Store interface {
	// PutObservation stores r under its client id: created when new; a no-op when
	// the same content is sent again; an update (re-counted) when expectedVersion is
	// the stored version; else ECONFLICT.
	PutObservation(ctx context.Context, r *Record, expectedVersion *int) (created bool, err error)
	FindObservationByID(ctx context.Context, id string) (*Record, error)
	FindObservations(ctx context.Context, f Filter) ([]*Record, int, error)
	// VoidObservation marks an observation void and takes it out of the counts.
	VoidObservation(ctx context.Context, id string) (*Record, error)
	// RescoreObservation replaces a stored score (and its counts) in one transaction.
	RescoreObservation(ctx context.Context, id string, expected json.RawMessage, s Score, ind []IndicatorValue) error
}

// Place is where an observation counts: its visit's facility.
type Place struct {
	FacilityID   int64
	FacilityPath string
	TimeZone     string
}

// Build scores o and returns the record to store: the engine's expected result, the
// score, the month (in the facility's time zone) and the indicator contributions. It
// is the one path from an observation to a stored record, used by the API, sync, the
// demo and re-scoring, so their scores cannot differ.
func Build(o Observation, at Place, opt Options) (*Record, error) {
	expected, score, err := Evaluate(o, opt)
	if err != nil {
		return nil, err
	}
	exp, err := json.Marshal(expected)
	if err != nil {
		return nil, err
	}
	return &Record{Observation: o, FacilityID: at.FacilityID, FacilityPath: at.FacilityPath, Month: LocalMonth(o.ObservedAt, at.TimeZone),
		Expected: exp, Score: score, ContentHash: ContentHash(o), Indicators: score.Indicators()}, nil
}

// LocalMonth is the month ("YYYY-MM") of t in zone: a record counts in the month the
// facility lived it.
func LocalMonth(t time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01")
}
