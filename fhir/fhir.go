// Package fhir writes MESH data as FHIR R4 (4.0.1) resources: a MeasureReport per
// indicator, facility and period in the style of IHE mADX (the FHIR twin of a DHIS2
// dataValueSet), and a QuestionnaireResponse per case observation. Only the elements
// MESH can fill truthfully are written; every resource is plain JSON with no FHIR
// library, so the shapes are checked by the tests against the R4 definitions.
package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"mesh/dhis2"
	"mesh/indicator"
	"mesh/observation"
)

// DefaultBase is the canonical base used when a deployment names none. It is a
// placeholder: set --base to the server's public FHIR address so Measure and
// Questionnaire canonicals resolve.
const DefaultBase = "http://mesh.local/fhir"

// Code systems from the R4 specification.
const (
	MeasurePopulationSystem  = "http://terminology.hl7.org/CodeSystem/measure-population"
	ImprovementNotationSytem = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"
	UCUM                     = "http://unitsofmeasure.org"
	// DHIS2UIDSystem names org-unit identifiers that are DHIS2 uids (as mADX does).
	DHIS2UIDSystem = "http://dhis2.org/uid"
)

// Coding, CodeableConcept, Identifier, Reference, Period and Quantity are the R4
// datatypes the resources below use.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value"`
}

type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type Quantity struct {
	Value  json.Number `json:"value"`
	Unit   string      `json:"unit,omitempty"`
	System string      `json:"system,omitempty"`
	Code   string      `json:"code,omitempty"`
}

// MeasureReport is R4 MeasureReport, summary type.
type MeasureReport struct {
	ResourceType        string           `json:"resourceType"`
	ID                  string           `json:"id"`
	Identifier          []Identifier     `json:"identifier,omitempty"`
	Status              string           `json:"status"`
	Type                string           `json:"type"`
	Measure             string           `json:"measure"`
	Subject             *Reference       `json:"subject,omitempty"`
	Date                string           `json:"date,omitempty"`
	Reporter            *Reference       `json:"reporter,omitempty"`
	Period              Period           `json:"period"`
	ImprovementNotation *CodeableConcept `json:"improvementNotation,omitempty"`
	Group               []Group          `json:"group"`
}

type Group struct {
	Code         *CodeableConcept `json:"code,omitempty"`
	Population   []Population     `json:"population"`
	MeasureScore *Quantity        `json:"measureScore,omitempty"`
}

type Population struct {
	Code  CodeableConcept `json:"code"`
	Count int             `json:"count"`
}

// Bundle is R4 Bundle: a transaction of updates (PUT by id, so posting the same
// period twice replaces rather than duplicates, as mADX does) or a collection.
type Bundle struct {
	ResourceType string  `json:"resourceType"`
	Type         string  `json:"type"`
	Timestamp    string  `json:"timestamp,omitempty"`
	Entry        []Entry `json:"entry"`
}

type Entry struct {
	FullURL  string   `json:"fullUrl"`
	Resource any      `json:"resource"`
	Request  *Request `json:"request,omitempty"`
}

type Request struct {
	Method string `json:"method"`
	URL    string `json:"url"`
}

// Options set the canonical base and the report date.
type Options struct {
	Base string    // canonical base for Measure, Questionnaire and code systems
	Now  time.Time // MeasureReport.date and Bundle.timestamp
}

func (o Options) base() string {
	if o.Base == "" {
		return DefaultBase
	}
	return strings.TrimRight(o.Base, "/")
}

// PeriodDates turns a DHIS2 period into the FHIR period: first and last day.
func PeriodDates(p dhis2.Period) Period {
	start, _ := time.Parse("2006-01", p.Start)
	end, _ := time.Parse("2006-01", p.End)
	return Period{Start: start.Format(time.DateOnly), End: end.AddDate(0, 1, -1).Format(time.DateOnly)}
}

// resourceID makes a FHIR id ([A-Za-z0-9.-]{1,64}) from parts.
func resourceID(parts ...string) string {
	s := strings.Join(parts, "-")
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '-'
	}, s)
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

func popCode(code string) CodeableConcept {
	return CodeableConcept{Coding: []Coding{{System: MeasurePopulationSystem, Code: code}}}
}

// count turns a summed count into the integer FHIR wants.
func count(x float64) int { return int(math.Round(x)) }

func decimal(x float64) json.Number {
	return json.Number(strconv.FormatFloat(math.Round(x*1e4)/1e4, 'f', -1, 64))
}

// MeasureReports builds one report per indicator with data at each facility, for
// period p, in the order facility then indicator. A proportion carries numerator and
// denominator populations and its score as a fraction 0–1 (UCUM "1"); a mean carries
// its denominator (the observations) and the mean as the score, since its numerator
// is a sum of scores and not a count of anyone; a count carries it as the initial
// population and the score. A zero denominator leaves the score out (missing, not 0).
func MeasureReports(p dhis2.Period, facilities []dhis2.FacilityCounts, opt Options) []*MeasureReport {
	base := opt.base()
	period := PeriodDates(p)
	var out []*MeasureReport
	for _, f := range facilities {
		ids := make([]string, 0, len(f.Counts))
		for id := range f.Counts {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		loc := &Reference{Reference: "Location/" + strconv.FormatInt(f.ID, 10), Display: f.Name}
		if f.UID != "" {
			loc.Identifier = &Identifier{System: DHIS2UIDSystem, Value: f.UID}
		}
		org := &Reference{Reference: "Organization/" + strconv.FormatInt(f.ID, 10), Display: f.Name}
		for _, id := range ids {
			ind, ok := indicator.Find(id)
			if !ok {
				continue
			}
			c := f.Counts[id]
			g := Group{Code: &CodeableConcept{Coding: []Coding{{System: base + "/CodeSystem/mesh-indicator", Code: id, Display: ind.Names["en"]}}}}
			v := ind.Compute(p.ID, c.Num, c.Den)
			switch ind.Kind {
			case indicator.Count:
				g.Population = []Population{{Code: popCode("initial-population"), Count: count(c.Num)}}
				g.MeasureScore = &Quantity{Value: decimal(c.Num)}
			case indicator.Mean:
				g.Population = []Population{{Code: popCode("denominator"), Count: count(c.Den)}}
			default:
				g.Population = []Population{{Code: popCode("numerator"), Count: count(c.Num)}, {Code: popCode("denominator"), Count: count(c.Den)}}
			}
			if ind.Kind != indicator.Count && v.Value != nil {
				g.MeasureScore = &Quantity{Value: decimal(*v.Value)}
				if ind.Kind != indicator.Mean {
					g.MeasureScore.Unit, g.MeasureScore.System, g.MeasureScore.Code = "1", UCUM, "1"
				}
			}
			notation := "decrease"
			if ind.HigherBetter {
				notation = "increase"
			}
			mr := &MeasureReport{
				ResourceType:        "MeasureReport",
				ID:                  resourceID(id, strconv.FormatInt(f.ID, 10), p.ID),
				Status:              "complete",
				Type:                "summary",
				Measure:             base + "/Measure/" + id,
				Subject:             loc,
				Reporter:            org,
				Period:              period,
				ImprovementNotation: &CodeableConcept{Coding: []Coding{{System: ImprovementNotationSytem, Code: notation}}},
				Group:               []Group{g},
			}
			if !opt.Now.IsZero() {
				mr.Date = opt.Now.UTC().Format(time.RFC3339)
			}
			out = append(out, mr)
		}
	}
	return out
}

// TransactionBundle wraps resources as a transaction of PUTs by id.
func TransactionBundle(opt Options, resources ...Resource) *Bundle {
	b := &Bundle{ResourceType: "Bundle", Type: "transaction", Entry: []Entry{}}
	if !opt.Now.IsZero() {
		b.Timestamp = opt.Now.UTC().Format(time.RFC3339)
	}
	for _, r := range resources {
		typ, id := r.key()
		b.Entry = append(b.Entry, Entry{FullURL: opt.base() + "/" + typ + "/" + id, Resource: r, Request: &Request{Method: "PUT", URL: typ + "/" + id}})
	}
	return b
}

// CollectionBundle wraps resources as a collection (a document of record, no action).
func CollectionBundle(opt Options, resources ...Resource) *Bundle {
	b := &Bundle{ResourceType: "Bundle", Type: "collection", Entry: []Entry{}}
	if !opt.Now.IsZero() {
		b.Timestamp = opt.Now.UTC().Format(time.RFC3339)
	}
	for _, r := range resources {
		typ, id := r.key()
		b.Entry = append(b.Entry, Entry{FullURL: opt.base() + "/" + typ + "/" + id, Resource: r})
	}
	return b
}

// Resource is a resource a bundle can carry.
type Resource interface{ key() (typ, id string) }

func (m *MeasureReport) key() (string, string)         { return m.ResourceType, m.ID }
func (q *QuestionnaireResponse) key() (string, string) { return q.ResourceType, q.ID }

// QuestionnaireResponse is R4 QuestionnaireResponse.
type QuestionnaireResponse struct {
	ResourceType  string      `json:"resourceType"`
	ID            string      `json:"id"`
	Identifier    *Identifier `json:"identifier,omitempty"`
	Questionnaire string      `json:"questionnaire"`
	Status        string      `json:"status"`
	Subject       *Reference  `json:"subject,omitempty"`
	Authored      string      `json:"authored,omitempty"`
	Item          []Item      `json:"item"`
}

// Item is one answered question, or a group of them.
type Item struct {
	LinkID string   `json:"linkId"`
	Text   string   `json:"text,omitempty"`
	Answer []Answer `json:"answer,omitempty"`
	Item   []Item   `json:"item,omitempty"`
}

// Answer holds exactly one value[x].
type Answer struct {
	ValueBoolean *bool       `json:"valueBoolean,omitempty"`
	ValueDecimal json.Number `json:"valueDecimal,omitempty"`
	ValueString  *string     `json:"valueString,omitempty"`
}

// QuestionnaireVersion versions the MESH case-observation Questionnaire the items
// follow (their linkIds are the JSON paths of the observation record).
const QuestionnaireVersion = "1"

// ObservationResponse turns a case observation into a QuestionnaireResponse with
// three groups: the assessment as the mentor recorded it, what the health worker
// did, and the score. The subject is the health worker as a Practitioner reference
// (an id, no name); the child is never named (assessments carry no names, and the
// free-text notes and next steps, which could, are left out). A voided observation
// is "entered-in-error".
func ObservationResponse(r *observation.Record, opt Options) (*QuestionnaireResponse, error) {
	base := opt.base()
	q := &QuestionnaireResponse{
		ResourceType:  "QuestionnaireResponse",
		ID:            resourceID(r.ID),
		Identifier:    &Identifier{System: base + "/observation", Value: r.ID},
		Questionnaire: base + "/Questionnaire/imci-case-observation|" + QuestionnaireVersion,
		Status:        "completed",
		Subject:       &Reference{Reference: "Practitioner/" + strconv.FormatInt(r.HealthWorkerID, 10)},
		Authored:      r.ObservedAt.UTC().Format(time.RFC3339),
	}
	if r.Voided {
		q.Status = "entered-in-error"
	}
	groups := []struct {
		link, text string
		v          any
	}{
		{"assessment", "Assessment (IMCI inputs as observed)", r.Assessment},
		{"worker", "What the health worker did", r.Worker},
		{"score", "Score against IMCI", scoreForFHIR(r.Score)},
	}
	for _, g := range groups {
		b, err := json.Marshal(g.v)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var tree any
		if err := dec.Decode(&tree); err != nil {
			return nil, fmt.Errorf("fhir: observation %s %s: %w", r.ID, g.link, err)
		}
		item := Item{LinkID: g.link, Text: g.text, Item: items(g.link, tree)}
		if len(item.Item) > 0 {
			q.Item = append(q.Item, item)
		}
	}
	return q, nil
}

// scoreForFHIR drops the feedback texts (they are advice for the mentor, written
// from templates, and long) and keeps their number.
func scoreForFHIR(s observation.Score) any {
	b, _ := json.Marshal(s)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	delete(m, "feedback")
	m["feedback_points"] = json.RawMessage(strconv.Itoa(len(s.Feedback)))
	return m
}

// items flattens a JSON tree into nested items: objects become groups, scalars and
// lists of scalars become answers, lists of objects become numbered groups. Keys are
// sorted so the same observation always gives the same bytes; nulls and empty values
// are left out (unanswered, not false); any key naming a name is dropped as a guard
// against identifying the child.
func items(prefix string, v any) []Item {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if strings.Contains(strings.ToLower(k), "name") {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Item
	for _, k := range keys {
		link := prefix + "." + k
		switch x := m[k].(type) {
		case map[string]any:
			if sub := items(link, x); len(sub) > 0 {
				out = append(out, Item{LinkID: link, Item: sub})
			}
		case []any:
			var answers []Answer
			var groups []Item
			for i, e := range x {
				if obj, ok := e.(map[string]any); ok {
					l := link + "." + strconv.Itoa(i)
					if sub := items(l, obj); len(sub) > 0 {
						groups = append(groups, Item{LinkID: l, Item: sub})
					}
				} else if a, ok := answer(e); ok {
					answers = append(answers, a)
				}
			}
			if len(answers) > 0 {
				out = append(out, Item{LinkID: link, Answer: answers})
			}
			if len(groups) > 0 {
				out = append(out, Item{LinkID: link, Item: groups})
			}
		default:
			if a, ok := answer(x); ok {
				out = append(out, Item{LinkID: link, Answer: []Answer{a}})
			}
		}
	}
	return out
}

func answer(v any) (Answer, bool) {
	switch x := v.(type) {
	case bool:
		return Answer{ValueBoolean: &x}, true
	case json.Number:
		return Answer{ValueDecimal: x}, true
	case string:
		if x == "" {
			return Answer{}, false
		}
		return Answer{ValueString: &x}, true
	}
	return Answer{}, false
}
