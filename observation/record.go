package observation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"mesh"
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

	// BodyJSON and ScoreJSON are Observation and Score as JSON (HTML characters left
	// as they are), made once by Build for both the stored row and the answer; nil
	// means encode when needed. Records read from storage leave them nil.
	BodyJSON, ScoreJSON []byte `json:"-"`
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

// Placement is what saving an observation needs from storage, read in one query:
// the visit's facility, the worker's IMCI training and postings, and where an
// observation already stored under the same id counts.
type Placement struct {
	VisitFound   bool
	Place        Place // the visit's facility
	WorkerFound  bool
	WorkerPosted bool      // posted at the visit's facility, now or in the past
	TrainedOn    mesh.Date // the worker's IMCI training date ("" when not trained)
	StoredPath   string    // facility path of an observation stored under the id ("" when none)
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
	// FindPlacement reads, in one query, what saving observation id for visitID and
	// workerID needs to check and score it; a missing visit or worker is reported in
	// the Placement, not as an error.
	FindPlacement(ctx context.Context, id, visitID string, workerID int64) (Placement, error)
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
	body, err := encodeJSON(o)
	if err != nil {
		return nil, err
	}
	sc, err := encodeJSON(score)
	if err != nil {
		return nil, err
	}
	return &Record{Observation: o, FacilityID: at.FacilityID, FacilityPath: at.FacilityPath, Month: LocalMonth(o.ObservedAt, at.TimeZone),
		Expected: exp, Score: score, ContentHash: ContentHash(o), Indicators: score.Indicators(), BodyJSON: body, ScoreJSON: sc}, nil
}

// encodeJSON encodes v as the API answers it: HTML characters as they are, no newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// AppendJSON appends r as JSON, the same bytes as encoding/json with HTML escaping
// off. A record fresh from Build is assembled from the JSON already made for its
// stored row (a save's answer would otherwise encode the same data twice).
func (r *Record) AppendJSON(b []byte) ([]byte, error) {
	if r.BodyJSON == nil || r.ScoreJSON == nil || len(r.Expected) == 0 {
		enc, err := encodeJSON(r)
		return append(b, enc...), err
	}
	created, err := r.CreatedAt.MarshalJSON()
	if err != nil {
		return b, err
	}
	updated, err := r.UpdatedAt.MarshalJSON()
	if err != nil {
		return b, err
	}
	b = append(b, r.BodyJSON[:len(r.BodyJSON)-1]...) // the fields of Observation, without "}"
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(r.Version), 10)
	b = append(b, `,"facility_id":`...)
	b = strconv.AppendInt(b, r.FacilityID, 10)
	b = append(b, `,"expected":`...)
	b = append(b, r.Expected...) // compact: made by json.Marshal in Build
	b = append(b, `,"score":`...)
	b = append(b, r.ScoreJSON...)
	if r.Voided {
		b = append(b, `,"voided":true`...)
	}
	b = append(b, `,"created_at":`...)
	b = append(b, created...)
	b = append(b, `,"updated_at":`...)
	b = append(b, updated...)
	return append(b, '}'), nil
}

// LocalMonth is the month ("YYYY-MM") of t in zone: a record counts in the month the
// facility lived it.
func LocalMonth(t time.Time, zone string) string {
	return t.In(location(zone)).Format("2006-01")
}

// zones caches loaded time zones: time.LoadLocation reads the zone file each time.
var zones sync.Map // name → *time.Location

func location(zone string) *time.Location {
	if loc, ok := zones.Load(zone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.UTC // not cached: a zone file installed later is picked up
	}
	zones.Store(zone, loc)
	return loc
}
