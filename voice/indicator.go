package voice

import "sort"

// IndicatorPrefix starts the ids of the voice.<item> mean indicators.
const IndicatorPrefix = "voice."

// IndicatorFact is one rating of an item, reduced to what an indicator needs: its
// month, its district and whether it lies in the area asked about.
type IndicatorFact struct {
	Month      string
	DistrictID int64
	InArea     bool
	Rating     int
}

// IndicatorMonth is an item's summed ratings (Sum) over N answers in one month.
type IndicatorMonth struct {
	Month  string
	Sum, N float64
}

// IndicatorMonths turns ratings into monthly sums for the area, leaving out a month
// when the area holds fewer than k ratings, or when a district the area lies in has
// between 1 and k−1 ratings outside the area: subtracting this area's value from the
// district's would show those few. Indicators are asked for any place, so the same
// care as Aggregate's pooling is needed here.
func IndicatorMonths(facts []IndicatorFact, k int) []IndicatorMonth {
	k = ClampK(k)
	type dm struct {
		month    string
		district int64
	}
	in, out := map[dm]int{}, map[dm]int{}
	sums := map[string]*IndicatorMonth{}
	for _, f := range facts {
		key := dm{f.Month, f.DistrictID}
		if !f.InArea {
			out[key]++
			continue
		}
		in[key]++
		m := sums[f.Month]
		if m == nil {
			m = &IndicatorMonth{Month: f.Month}
			sums[f.Month] = m
		}
		m.Sum += float64(f.Rating)
		m.N++
	}
	var res []IndicatorMonth
	for month, m := range sums {
		safe := m.N >= float64(k)
		for key := range in {
			if key.month == month && out[key] > 0 && out[key] < k {
				safe = false
			}
		}
		if safe {
			res = append(res, *m)
		}
	}
	sort.Slice(res, func(i, j int) bool { return res[i].Month < res[j].Month })
	return res
}
