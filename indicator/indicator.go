// Package indicator declares MESH's indicators (spec/indicators.md) and turns summed
// facility-month counts into values. Each indicator is a declaration, not code:
// numerators and denominators are produced by the record that counts (an observation
// scores itself into indicator ids), and aggregation is always a sum of numerators and
// denominators, never an average of percentages.
package indicator

import (
	"math"
	"sort"

	"mesh/stats"
)

// Kinds of indicator.
const (
	Proportion = "proportion"
	Mean       = "mean"
	Count      = "count"
)

// Indicator is one declaration.
type Indicator struct {
	ID           string            `json:"id"`
	Names        map[string]string `json:"names"` // by language: en, fr, rw
	Kind         string            `json:"kind"`
	Numerator    string            `json:"numerator"`
	Denominator  string            `json:"denominator"`
	HigherBetter bool              `json:"higher_is_better"`
	Goal         *float64          `json:"goal,omitempty"`
	Source       string            `json:"source"` // observations, readiness, visits, qi
	DHIS2        *DHIS2Mapping     `json:"dhis2,omitempty"`
}

// DHIS2Mapping is where an indicator lands in DHIS2 (filled by a deployment's mapping).
type DHIS2Mapping struct {
	DataElement         string `json:"data_element"`
	CategoryOptionCombo string `json:"category_option_combo,omitempty"`
}

// SmallDenominator is the denominator under which a value is shown but marked "too few".
const SmallDenominator = 5

// Value is an indicator for one place and period.
type Value struct {
	Period      string     `json:"period"`
	Numerator   float64    `json:"numerator"`
	Denominator float64    `json:"denominator"`
	Value       *float64   `json:"value"`
	CI95        []*float64 `json:"ci95"`
	TooFew      bool       `json:"too_few"`
}

// Compute turns summed counts into a value: a proportion with its Wilson 95% interval,
// a mean (numerator sum / count), or a count.
func (ind *Indicator) Compute(period string, num, den float64) Value {
	v := Value{Period: period, Numerator: round(num), Denominator: round(den), CI95: []*float64{nil, nil}}
	switch ind.Kind {
	case Count:
		x := round(num)
		v.Value = &x
		return v
	case Mean:
		if den > 0 {
			x := round(num / den)
			v.Value = &x
		}
	default:
		if den > 0 {
			x := round(num / den)
			v.Value = &x
			lo, hi := stats.Wilson(int(math.Round(num)), int(math.Round(den)))
			lo, hi = round(lo), round(hi)
			v.CI95 = []*float64{&lo, &hi}
		}
	}
	v.TooFew = den < SmallDenominator
	return v
}

// round keeps 6 decimals so sums of floats print cleanly.
func round(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// Catalogue returns every indicator, ordered by id.
func Catalogue() []*Indicator {
	out := make([]*Indicator, 0, len(byID))
	for _, ind := range byID {
		out = append(out, ind)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Find returns the indicator with id.
func Find(id string) (*Indicator, bool) {
	ind, ok := byID[id]
	return ind, ok
}

// Contribution is what one record adds to an indicator's numerator and denominator.
type Contribution struct {
	ID  string  `json:"id"`
	Num float64 `json:"num"`
	Den float64 `json:"den"`
}

// MonthCount is an indicator's summed counts for one month ("YYYY-MM").
type MonthCount struct {
	Month string
	Num   float64
	Den   float64
}
