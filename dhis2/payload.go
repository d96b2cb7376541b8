package dhis2

import (
	"math"
	"sort"
	"strconv"

	"mesh/indicator"
)

// DataValueSet is the body of POST /api/dataValueSets in bulk form: period and org
// unit sit on each value, so one payload carries every facility.
type DataValueSet struct {
	DataSet    string      `json:"dataSet,omitempty"`
	DataValues []DataValue `json:"dataValues"`
}

// DataValue is one value for a data element, combo, org unit and period. DHIS2
// wants the value as a string whatever the element's type.
type DataValue struct {
	DataElement         string `json:"dataElement"`
	Period              string `json:"period"`
	OrgUnit             string `json:"orgUnit"`
	CategoryOptionCombo string `json:"categoryOptionCombo,omitempty"`
	Value               string `json:"value"`
}

// Count is an indicator's numerator and denominator summed over a period.
type Count struct {
	Num, Den float64
}

// FacilityCounts are one facility's summed counts for a period, by indicator id.
type FacilityCounts struct {
	ID     int64
	Name   string
	UID    string // dhis2_uid, "" when not set
	Code   string // code, "" when not set
	Counts map[string]Count
}

// Skipped is a facility with data that could not be sent: it has no identifier in
// the mapping's scheme, so DHIS2 could not tell which org unit it is.
type Skipped struct {
	ID   int64
	Name string
}

// Build turns facility counts into a payload for period p: for every facility with
// an identifier in m's scheme, every entry whose indicator has data there gives one
// value. Values are ordered by org unit, data element and combo, so the same data
// always gives the same bytes.
func Build(m *Mapping, p Period, facilities []FacilityCounts) (*DataValueSet, []Skipped) {
	out := &DataValueSet{DataSet: m.DataSet, DataValues: []DataValue{}}
	var skipped []Skipped
	for _, f := range facilities {
		ou := f.UID
		if m.IDScheme == SchemeCode {
			ou = f.Code
		}
		var values []DataValue
		for _, e := range m.Entries {
			c, ok := f.Counts[e.Indicator]
			if !ok {
				continue
			}
			ind, known := indicator.Find(e.Indicator)
			if !known {
				continue
			}
			v, ok := partValue(ind, e.Part, c)
			if !ok {
				continue
			}
			values = append(values, DataValue{DataElement: e.DataElement, Period: p.ID, OrgUnit: ou,
				CategoryOptionCombo: e.CategoryOptionCombo, Value: v})
		}
		if len(values) == 0 {
			continue
		}
		if ou == "" {
			skipped = append(skipped, Skipped{ID: f.ID, Name: f.Name})
			continue
		}
		out.DataValues = append(out.DataValues, values...)
	}
	sort.SliceStable(out.DataValues, func(i, j int) bool {
		a, b := out.DataValues[i], out.DataValues[j]
		if a.OrgUnit != b.OrgUnit {
			return a.OrgUnit < b.OrgUnit
		}
		if a.DataElement != b.DataElement {
			return a.DataElement < b.DataElement
		}
		return a.CategoryOptionCombo < b.CategoryOptionCombo
	})
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].ID < skipped[j].ID })
	return out, skipped
}

// partValue renders one part of an indicator's counts. A value needs a denominator
// (a proportion or mean of nothing is not zero, it is missing), so none is sent then.
func partValue(ind *indicator.Indicator, part string, c Count) (string, bool) {
	switch part {
	case PartNumerator:
		return FormatNumber(c.Num), true
	case PartDenominator:
		if ind.Kind == indicator.Count {
			return "", false
		}
		return FormatNumber(c.Den), true
	case PartValue:
		v := ind.Compute("", c.Num, c.Den).Value
		if v == nil {
			return "", false
		}
		return FormatNumber(*v), true
	}
	return "", false
}

// FormatNumber writes x as DHIS2 reads numbers: a plain decimal with no exponent, at
// most 4 decimals, whole numbers without a point ("42", "0.85", "0.3333").
func FormatNumber(x float64) string {
	r := math.Round(x*1e4) / 1e4
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}
