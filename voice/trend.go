package voice

import "time"

// Trend is one group's statements month by month, drawn from a monthly Summary: a
// month appears with a mean only where that month's results showed it (the group at
// least K answers and the statement at least K ratings), so a trend tells nothing the
// monthly results do not.
type Trend struct {
	Group Group       `json:"group"`
	ID    int64       `json:"id"`
	Items []ItemTrend `json:"items"`
}

// ItemTrend is one statement's mean per month.
type ItemTrend struct {
	Item   string       `json:"item"`
	Points []TrendPoint `json:"points"`
}

// TrendPoint is one month; Mean is nil where the month is hidden (a gap).
type TrendPoint struct {
	Month string   `json:"month"`
	Mean  *float64 `json:"mean"`
	N     int      `json:"n"`
}

// Months lists the months from..to (YYYY-MM, inclusive); nil when either is not a
// month or from is after to.
func Months(from, to string) []string {
	f, err1 := time.Parse("2006-01", from)
	t, err2 := time.Parse("2006-01", to)
	if err1 != nil || err2 != nil || f.After(t) {
		return nil
	}
	var out []string
	for m := f; !m.After(t); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// Trends regroups a monthly Summary (Options.AllPeriods false) by group: one Trend per
// mentor, facility or district shown in at least one month, in the order first met,
// with every month of months and every statement of items.
func Trends(sum Summary, months, items []string) []Trend {
	type key struct {
		g  Group
		id int64
	}
	var order []key
	byKey := map[key]map[string]Result{}
	for _, r := range sum.Results {
		if r.Period == "all" {
			continue
		}
		k := key{r.Group, r.ID}
		if byKey[k] == nil {
			byKey[k] = map[string]Result{}
			order = append(order, k)
		}
		byKey[k][r.Period] = r
	}
	out := make([]Trend, 0, len(order))
	for _, k := range order {
		t := Trend{Group: k.g, ID: k.id}
		for _, item := range items {
			it := ItemTrend{Item: item}
			for _, m := range months {
				p := TrendPoint{Month: m}
				if r, ok := byKey[k][m]; ok {
					for _, s := range r.Items {
						if s.Item == item && s.Mean != nil {
							p.Mean, p.N = s.Mean, s.N
						}
					}
				}
				it.Points = append(it.Points, p)
			}
			t.Items = append(t.Items, it)
		}
		out = append(out, t)
	}
	return out
}
