package readiness

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"mesh"
)

// StockEvent is one stock-out of a commodity at a facility: out from StartedOn (the
// first day without stock) until EndedOn (the day it was restocked, when stock is
// available again), or still out while EndedOn is empty.
type StockEvent struct {
	ID         string    `json:"id"`
	FacilityID int64     `json:"facility_id"`
	Commodity  string    `json:"commodity"`
	StartedOn  mesh.Date `json:"started_on"`
	EndedOn    mesh.Date `json:"ended_on"`
	CheckID    string    `json:"check_id,omitempty"`
	Notes      string    `json:"notes,omitempty"`
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	FacilityPath string `json:"-"`
	// Unchanged is set by the store when the same content was already stored.
	Unchanged bool `json:"-"`
}

// Normalize lower-cases ids and trims text.
func (e *StockEvent) Normalize() {
	e.ID = strings.ToLower(strings.TrimSpace(e.ID))
	e.CheckID = strings.ToLower(strings.TrimSpace(e.CheckID))
	e.Commodity = strings.TrimSpace(e.Commodity)
	e.Notes = strings.TrimSpace(e.Notes)
}

// Validate returns every problem with e, each naming the field. The commodity must
// be a tracer item of the checklist.
func (e *StockEvent) Validate(cl Checklist) error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if !ValidUUID(e.ID) {
		add("id", "INVALID_FORMAT", "id must be a UUID made by the client")
	}
	if e.FacilityID <= 0 {
		add("facility_id", "MISSING_REQUIRED", "facility_id is required")
	}
	if e.Commodity == "" {
		add("commodity", "MISSING_REQUIRED", "commodity is required")
	} else if it, ok := cl.Item(e.Commodity); !ok || it.Section != Tracer {
		add("commodity", "UNKNOWN_ENUM_VALUE", "commodity must be a tracer commodity of the checklist (GET /api/v1/checklist lists them)")
	}
	startOK := checkDate(add, "started_on", e.StartedOn, true)
	endOK := checkDate(add, "ended_on", e.EndedOn, false)
	if startOK && endOK && e.EndedOn != "" && e.EndedOn < e.StartedOn {
		add("ended_on", "OUT_OF_RANGE", "ended_on must not be before started_on")
	}
	if e.CheckID != "" && !ValidUUID(e.CheckID) {
		add("check_id", "INVALID_FORMAT", "check_id must be the UUID of a readiness check")
	}
	if len(e.Notes) > 10000 {
		add("notes", "OUT_OF_RANGE", "notes must be at most 10000 characters")
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// ContentHash fingerprints what a client sent.
func (e *StockEvent) ContentHash() string {
	return hash(struct {
		FacilityID         int64
		Commodity          string
		StartedOn, EndedOn mesh.Date
		CheckID, Notes     string
	}{e.FacilityID, e.Commodity, e.StartedOn, e.EndedOn, e.CheckID, e.Notes})
}

// Open reports whether the item is still out of stock.
func (e *StockEvent) Open() bool { return e.EndedOn == "" }

// Span is a stock-out as days: From is the first day out, To the day stock came back
// ("" while still out).
type Span struct {
	From, To mesh.Date
}

// StockoutDays counts the days of month ("YYYY-MM") on which the item was out of
// stock according to spans, counting no day after today (an open stock-out runs up to
// and including today; the restock day itself is a day with stock). Overlapping
// spans (two mentors logging the same stock-out) count each day once.
func StockoutDays(spans []Span, month string, today mesh.Date) int {
	first, err := time.Parse("2006-01", month)
	if err != nil {
		return 0
	}
	end := first.AddDate(0, 1, 0) // exclusive
	if t := today.Time().AddDate(0, 0, 1); today != "" && t.Before(end) {
		end = t
	}
	if !end.After(first) {
		return 0
	}
	var iv [][2]time.Time
	for _, s := range spans {
		from, to := s.From.Time(), end
		if s.To != "" && s.To.Time().Before(to) {
			to = s.To.Time()
		}
		if from.Before(first) {
			from = first
		}
		if to.After(from) {
			iv = append(iv, [2]time.Time{from, to})
		}
	}
	return daysInUnion(iv)
}

// daysInUnion sums the whole days covered by half-open intervals, each day once.
func daysInUnion(iv [][2]time.Time) int {
	sort.Slice(iv, func(i, j int) bool { return iv[i][0].Before(iv[j][0]) })
	days := 0
	var cur [2]time.Time
	for i, x := range iv {
		switch {
		case i == 0:
			cur = x
		case !x[0].After(cur[1]):
			if x[1].After(cur[1]) {
				cur[1] = x[1]
			}
		default:
			days += int(cur[1].Sub(cur[0]).Hours() / 24)
			cur = x
		}
	}
	if len(iv) > 0 {
		days += int(cur[1].Sub(cur[0]).Hours() / 24)
	}
	return days
}

// Months lists the months from..to inclusive ("YYYY-MM"), at most ten years.
func Months(from, to string) []string {
	t, err1 := time.Parse("2006-01", from)
	end, err2 := time.Parse("2006-01", to)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for i := 0; !t.After(end) && i < 120; i++ {
		out = append(out, t.Format("2006-01"))
		t = t.AddDate(0, 1, 0)
	}
	return out
}

// Today is the calendar day of now in a facility's time zone (UTC when the zone is
// unknown): what "open up to today" means at that facility.
func Today(now time.Time, zone string) mesh.Date {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return mesh.DateOf(now.In(loc))
}

// CurrentStockout is one entry of the supervisors' alert list: a tracer item out of
// stock now at a facility.
type CurrentStockout struct {
	EventID       string    `json:"event_id"`
	FacilityID    int64     `json:"facility_id"`
	FacilityName  string    `json:"facility_name"`
	DistrictName  string    `json:"district_name"`
	Commodity     string    `json:"commodity"`
	CommodityName string    `json:"commodity_name"`
	StartedOn     mesh.Date `json:"started_on"`
	DaysOut       int       `json:"days_out"`
}

// StockFilter selects stock events.
type StockFilter struct {
	FacilityID *int64
	Commodity  string
	OpenOnly   bool
	Under      []string
	Limit      int
	Offset     int
}

// StockoutDaysBetween is how many days an item out since from has been out on day
// today, counting both (out since this morning is one day).
func StockoutDaysBetween(from, today mesh.Date) int {
	d := int(today.Time().Sub(from.Time()).Hours()/24) + 1
	return max(d, 0)
}

// MarshalJSON writes an open stock-out's ended_on as null rather than "".
func (e StockEvent) MarshalJSON() ([]byte, error) {
	type plain StockEvent
	var ended *mesh.Date
	if e.EndedOn != "" {
		ended = &e.EndedOn
	}
	return json.Marshal(struct {
		plain
		EndedOn *mesh.Date `json:"ended_on"`
	}{plain(e), ended})
}
