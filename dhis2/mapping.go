// Package dhis2 maps MESH indicators to DHIS2 data elements, turns facility counts
// into a dataValueSets payload with DHIS2 period ids, and pushes it to a DHIS2
// server's /api/dataValueSets, reading back the import summary.
package dhis2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"mesh"
	"mesh/indicator"
	"mesh/place"
)

// Identifier schemes: how data elements, category option combos, the data set and
// org units are named in the payload (DHIS2's idScheme).
const (
	SchemeUID  = "uid"
	SchemeCode = "code"
)

// Parts of an indicator a mapping entry can send.
const (
	PartNumerator   = "numerator"
	PartDenominator = "denominator"
	PartValue       = "value"
)

// Mapping says where each MESH indicator lands in DHIS2. It is the JSON of
// `mesh dhis2 mapping import|export`.
type Mapping struct {
	DataSet  string  `json:"data_set,omitempty"`
	IDScheme string  `json:"id_scheme"`
	Entries  []Entry `json:"entries"`
}

// Entry maps one part of one indicator to a data element and, optionally, a
// category option combo (DHIS2 uses its default combo when none is sent).
type Entry struct {
	Indicator           string `json:"indicator"`
	Part                string `json:"part"`
	DataElement         string `json:"data_element"`
	CategoryOptionCombo string `json:"category_option_combo,omitempty"`
}

// maxCodeLen is DHIS2's limit on an identifiable object's code.
const maxCodeLen = 50

// DecodeMapping reads a mapping file strictly (unknown fields are errors, so a typo
// cannot silently drop an entry), normalizes it and validates every entry. All
// problems are returned together as one EINVALID error.
func DecodeMapping(r io.Reader) (*Mapping, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, mesh.Invalid(decodeError(err))
	}
	if dec.More() {
		return nil, mesh.Invalid(mesh.FieldError{Code: "MALFORMED_JSON", Field: "", Message: "the file must hold one JSON object"})
	}
	m.Normalize()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func decodeError(err error) mesh.FieldError {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return mesh.FieldError{Code: "WRONG_TYPE", Field: te.Field, Message: fmt.Sprintf("%s must be a JSON %s", te.Field, jsonKind(te.Type.Kind().String()))}
	case errors.As(err, &se):
		return mesh.FieldError{Code: "MALFORMED_JSON", Field: "", Message: fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, err)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return mesh.FieldError{Code: "UNKNOWN_FIELD", Field: name, Message: fmt.Sprintf("unknown field %q (allowed: data_set, id_scheme, entries; in an entry: indicator, part, data_element, category_option_combo)", name)}
	case errors.Is(err, io.EOF):
		return mesh.FieldError{Code: "MALFORMED_JSON", Field: "", Message: "the file is empty"}
	}
	return mesh.FieldError{Code: "MALFORMED_JSON", Field: "", Message: "not valid JSON: " + err.Error()}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return goKind
}

// Normalize trims text and fills the default scheme (uid, as in DHIS2).
func (m *Mapping) Normalize() {
	m.DataSet = strings.TrimSpace(m.DataSet)
	m.IDScheme = strings.ToLower(strings.TrimSpace(m.IDScheme))
	if m.IDScheme == "" {
		m.IDScheme = SchemeUID
	}
	if m.Entries == nil {
		m.Entries = []Entry{}
	}
	for i := range m.Entries {
		e := &m.Entries[i]
		e.Indicator = strings.TrimSpace(e.Indicator)
		e.Part = strings.ToLower(strings.TrimSpace(e.Part))
		e.DataElement = strings.TrimSpace(e.DataElement)
		e.CategoryOptionCombo = strings.TrimSpace(e.CategoryOptionCombo)
	}
}

// Validate returns every problem in m as one EINVALID error whose fields are paths
// such as entries[3].data_element, so a whole file can be fixed in one pass.
func (m *Mapping) Validate() error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	scheme := m.IDScheme
	if scheme != SchemeUID && scheme != SchemeCode {
		add("id_scheme", "UNKNOWN_ENUM_VALUE", "id_scheme must be uid or code")
		scheme = "" // identifiers cannot be checked against an unknown scheme
	}
	checkID := func(field, id string) {
		switch {
		case scheme == SchemeUID && !place.ValidUID(id):
			add(field, "INVALID_FORMAT", fmt.Sprintf("%s %q is not a DHIS2 uid: 11 letters or digits, starting with a letter", field, id))
		case scheme == SchemeCode && len(id) > maxCodeLen:
			add(field, "OUT_OF_RANGE", fmt.Sprintf("%s must be a DHIS2 code of at most %d characters", field, maxCodeLen))
		}
	}
	if m.DataSet != "" {
		checkID("data_set", m.DataSet)
	}
	type target struct{ de, coc string }
	parts := map[[2]string]int{}
	targets := map[target]int{}
	for i, e := range m.Entries {
		at := func(f string) string { return fmt.Sprintf("entries[%d].%s", i, f) }
		ind, known := indicator.Find(e.Indicator)
		switch {
		case e.Indicator == "":
			add(at("indicator"), "MISSING_REQUIRED", "indicator is required")
		case !known:
			add(at("indicator"), "NOT_FOUND", fmt.Sprintf("indicator %q is not in the catalogue (mesh indicators are listed at GET /api/v1/indicators)", e.Indicator))
		}
		switch {
		case e.Part == "":
			add(at("part"), "MISSING_REQUIRED", "part is required: numerator, denominator or value")
		case e.Part != PartNumerator && e.Part != PartDenominator && e.Part != PartValue:
			add(at("part"), "UNKNOWN_ENUM_VALUE", fmt.Sprintf("part %q must be numerator, denominator or value", e.Part))
		case known && e.Part == PartDenominator && ind.Kind == indicator.Count:
			// A count has no denominator: the entry would never produce a value.
			add(at("part"), "NOT_APPLICABLE", fmt.Sprintf("%s is a count and has no denominator: map its numerator or value", e.Indicator))
		}
		if e.DataElement == "" {
			add(at("data_element"), "MISSING_REQUIRED", "data_element is required")
		} else {
			checkID(at("data_element"), e.DataElement)
		}
		if e.CategoryOptionCombo != "" {
			checkID(at("category_option_combo"), e.CategoryOptionCombo)
		}
		if e.Indicator != "" && e.Part != "" {
			k := [2]string{e.Indicator, e.Part}
			if j, dup := parts[k]; dup {
				add(at("part"), "DUPLICATE", fmt.Sprintf("the %s of %s is already mapped by entries[%d]", e.Part, e.Indicator, j))
			} else {
				parts[k] = i
			}
		}
		if e.DataElement != "" {
			// Two entries sending to the same data element and combo would overwrite
			// each other in DHIS2 (one value per element, combo, org unit and period).
			t := target{e.DataElement, e.CategoryOptionCombo}
			if j, dup := targets[t]; dup {
				add(at("data_element"), "DUPLICATE", fmt.Sprintf("data_element %s with this category_option_combo is already the target of entries[%d]", e.DataElement, j))
			} else {
				targets[t] = i
			}
		}
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}
