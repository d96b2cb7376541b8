package readiness

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"mesh"
	"mesh/indicator"
)

// Answer is what was found for one checklist item. Which fields apply depends on the
// item's section: equipment takes present and functional, infrastructure and
// registers take present, tracer commodities take in_stock and out_since.
type Answer struct {
	Item       string    `json:"item"`
	Present    *bool     `json:"present,omitempty"`
	Functional *bool     `json:"functional,omitempty"`
	InStock    *bool     `json:"in_stock,omitempty"`
	OutSince   mesh.Date `json:"out_since,omitempty"`
}

// Check is one readiness check of a facility, during a visit or on its own. Its id is
// made by the client (a UUID), so a retried upload is harmless.
type Check struct {
	ID               string                   `json:"id"`
	FacilityID       int64                    `json:"facility_id"`
	VisitID          string                   `json:"visit_id,omitempty"`
	Date             mesh.Date                `json:"date"`
	Answers          []Answer                 `json:"answers"`
	Notes            string                   `json:"notes,omitempty"`
	ChecklistVersion string                   `json:"checklist_version"`
	Indicators       []indicator.Contribution `json:"indicators"`
	Version          int                      `json:"version"`
	CreatedAt        time.Time                `json:"created_at"`
	UpdatedAt        time.Time                `json:"updated_at"`

	FacilityPath string `json:"-"`
	// Unchanged is set by the store when the same content was already stored.
	Unchanged bool `json:"-"`
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ValidUUID reports whether s is a lower-case UUID in its 36-character text form
// (Normalize lower-cases ids first).
func ValidUUID(s string) bool { return uuidRE.MatchString(s) }

// Normalize tidies c: lower-case ids, trimmed notes, answers in item order, and
// functional=false for equipment that is not present (it cannot work if it is absent).
func (c *Check) Normalize(cl Checklist) {
	c.ID = strings.ToLower(strings.TrimSpace(c.ID))
	c.VisitID = strings.ToLower(strings.TrimSpace(c.VisitID))
	c.Notes = strings.TrimSpace(c.Notes)
	c.ChecklistVersion = cl.Version
	if c.Answers == nil {
		c.Answers = []Answer{}
	}
	for i := range c.Answers {
		a := &c.Answers[i]
		if it, ok := cl.Item(a.Item); ok && it.Section == Equipment && a.Present != nil && !*a.Present && a.Functional == nil {
			f := false
			a.Functional = &f
		}
	}
	sort.SliceStable(c.Answers, func(i, j int) bool { return c.Answers[i].Item < c.Answers[j].Item })
}

// Validate returns every problem with c against the checklist, each naming the field.
func (c *Check) Validate(cl Checklist) error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if !ValidUUID(c.ID) {
		add("id", "INVALID_FORMAT", "id must be a UUID made by the client, e.g. 0190c1a2-7b3c-7d4e-8f90-123456789abc")
	}
	if c.FacilityID <= 0 {
		add("facility_id", "MISSING_REQUIRED", "facility_id is required")
	}
	if c.VisitID != "" && !ValidUUID(c.VisitID) {
		add("visit_id", "INVALID_FORMAT", "visit_id must be the UUID of a visit")
	}
	checkDate(add, "date", c.Date, true)
	if len(c.Answers) == 0 {
		add("answers", "MISSING_REQUIRED", "answers must hold at least one checklist item")
	}
	seen := map[string]bool{}
	for i, a := range c.Answers {
		f := fmt.Sprintf("answers[%d]", i)
		it, ok := cl.Item(a.Item)
		if !ok {
			add(f+".item", "UNKNOWN_ENUM_VALUE", "item "+a.Item+" is not on the checklist (GET /api/v1/checklist lists them)")
			continue
		}
		if seen[a.Item] {
			add(f+".item", "DUPLICATE", "item "+a.Item+" is answered twice")
		}
		seen[a.Item] = true
		validateAnswer(add, f, it.Section, a, c.Date)
	}
	if len(c.Notes) > 10000 {
		add("notes", "OUT_OF_RANGE", "notes must be at most 10000 characters")
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

func validateAnswer(add func(field, code, msg string), f, section string, a Answer, on mesh.Date) {
	notFor := func(name string) { add(f+"."+name, "NOT_APPLICABLE", name+" does not apply to "+section+" items") }
	switch section {
	case Tracer:
		if a.Present != nil {
			notFor("present")
		}
		if a.Functional != nil {
			notFor("functional")
		}
		if a.InStock == nil {
			add(f+".in_stock", "MISSING_REQUIRED", "in_stock is required for a tracer commodity")
		} else if *a.InStock && a.OutSince != "" {
			add(f+".out_since", "NOT_APPLICABLE", "out_since is only for an item out of stock")
		}
		if checkDate(add, f+".out_since", a.OutSince, false) && a.OutSince != "" && on.Valid() && on != "" && a.OutSince > on {
			add(f+".out_since", "OUT_OF_RANGE", "out_since must not be after the check date")
		}
	default:
		if a.InStock != nil {
			notFor("in_stock")
		}
		if a.OutSince != "" {
			notFor("out_since")
		}
		if a.Present == nil {
			add(f+".present", "MISSING_REQUIRED", "present is required")
		}
		if section != Equipment && a.Functional != nil {
			notFor("functional")
		}
		if section == Equipment && a.Present != nil && *a.Present && a.Functional == nil {
			add(f+".functional", "MISSING_REQUIRED", "functional is required for equipment that is present")
		}
		if section == Equipment && a.Present != nil && !*a.Present && a.Functional != nil && *a.Functional {
			add(f+".functional", "CONFLICTING_FIELDS", "equipment that is not present cannot be functional")
		}
	}
}

// checkDate adds an error for a missing (when required) or malformed date and
// reports whether d is usable.
func checkDate(add func(field, code, msg string), field string, d mesh.Date, required bool) bool {
	if d == "" {
		if required {
			add(field, "MISSING_REQUIRED", field+" is required")
			return false
		}
		return true
	}
	if !d.Valid() {
		add(field, "INVALID_FORMAT", field+" must be a date in YYYY-MM-DD form")
		return false
	}
	return true
}

// ContentHash fingerprints what a client sent, so a repeat of the same check can be
// told from a different check under the same id.
func (c *Check) ContentHash() string {
	return hash(struct {
		FacilityID       int64
		VisitID          string
		Date             mesh.Date
		Answers          []Answer
		Notes            string
		ChecklistVersion string
	}{c.FacilityID, c.VisitID, c.Date, c.Answers, c.Notes, c.ChecklistVersion})
}

func hash(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Month is the month a check counts in. The check date is already the facility's
// local calendar day (a form date, not an instant), so its month needs no conversion.
func (c *Check) Month() string { return string(c.Date)[:7] }

// Indicator ids a check counts into.
const (
	TracerAvailability  = "sys.tracer_availability"
	EquipmentFunctional = "sys.equipment_functional"
	InfrastructureReady = "sys.infrastructure"
)

// Contributions are what c adds to the facility-month counts. Each indicator counts
// only the items answered: a check that skipped a section says nothing about it
// (rather than counting every skipped item as missing).
//
//	sys.tracer_availability  in stock / tracer items checked
//	sys.equipment_functional present and functional / equipment items checked
//	sys.infrastructure       present / infrastructure items checked
func (c *Check) Contributions(cl Checklist) []indicator.Contribution {
	out := []indicator.Contribution{{ID: TracerAvailability}, {ID: EquipmentFunctional}, {ID: InfrastructureReady}}
	for _, a := range c.Answers {
		it, ok := cl.Item(a.Item)
		if !ok {
			continue
		}
		switch it.Section {
		case Tracer:
			out[0].Den++
			if isTrue(a.InStock) {
				out[0].Num++
			}
		case Equipment:
			out[1].Den++
			if isTrue(a.Present) && isTrue(a.Functional) {
				out[1].Num++
			}
		case Infrastructure:
			out[2].Den++
			if isTrue(a.Present) {
				out[2].Num++
			}
		}
	}
	return out
}

// OutOfStock lists the tracer items c found out of stock, with the day each ran out
// (the check date when the mentor did not learn it): what a client opens stock-out
// events from.
func (c *Check) OutOfStock() []Answer {
	var out []Answer
	for _, a := range c.Answers {
		if a.InStock != nil && !*a.InStock {
			if a.OutSince == "" {
				a.OutSince = c.Date
			}
			out = append(out, a)
		}
	}
	return out
}

func isTrue(b *bool) bool { return b != nil && *b }

// CheckFilter selects readiness checks.
type CheckFilter struct {
	FacilityID *int64
	VisitID    string
	From, To   mesh.Date
	Under      []string
	Limit      int
	Offset     int
}
