package voice

import (
	"math"
	"sort"
)

// Group is what results are grouped by.
type Group string

// The groupings of results.
const (
	ByMentor   Group = "mentor"
	ByFacility Group = "facility"
	ByDistrict Group = "district"
)

// Groups lists the groupings.
var Groups = []Group{ByMentor, ByFacility, ByDistrict}

// Valid reports whether g is a known grouping.
func (g Group) Valid() bool { return g == ByMentor || g == ByFacility || g == ByDistrict }

// Options say how to aggregate.
type Options struct {
	Group Group
	// K is the least number of answers a group must hold to be shown (ClampK applies).
	K int
	// Items orders the items in each result; keys answered but not listed follow.
	Items []string
	// AllPeriods pools every month into one period "all" instead of one per month.
	AllPeriods bool
}

// Result is one group's answers in one period.
type Result struct {
	// Group is the level shown: facility groups too small to show on their own are
	// pooled and shown at district level.
	Group Group `json:"group"`
	// ID is the mentor, facility or district; 0 for a pool of small mentors or
	// districts ("others").
	ID     int64  `json:"id"`
	Period string `json:"period"`
	N      int    `json:"n"`
	// Pooled counts the groups merged into this one because each alone was too small.
	Pooled   int        `json:"pooled,omitempty"`
	Items    []ItemStat `json:"items"`
	Comments []string   `json:"comments"`
}

// ItemStat is one statement's answers within a group.
type ItemStat struct {
	Item string `json:"item"`
	N    int    `json:"n"`
	// Mean and Distribution (counts of 1…5) are nil when fewer than K in the group
	// rated this statement: the few who did could otherwise be singled out.
	Mean         *float64 `json:"mean"`
	Distribution *[5]int  `json:"distribution"`
}

// Summary is the outcome of Aggregate.
type Summary struct {
	K       int      `json:"k"`
	Results []Result `json:"results"`
	// Hidden counts the groups left out because they stayed below K even after pooling.
	Hidden int `json:"hidden_groups"`
}

type groupKey struct {
	period string
	id     int64
}

type bucket struct {
	key    groupKey
	parent int64 // district, for facility groups
	rs     []*Response
	pooled int
}

// Aggregate groups responses and reports each group's item means and distributions,
// only for groups of at least K answers. Groups below K are pooled with their
// siblings (facilities within their district, mentors and districts with the others
// of the same period), and when the pool is itself below K the smallest shown siblings
// are folded in until it is not: otherwise a hidden group's answers could be worked
// out by subtracting the shown groups from a total shown elsewhere. What is still
// below K is hidden. Comments are listed, sorted (arrival order would say who wrote
// which), only in shown groups.
func Aggregate(rs []Response, o Options) Summary {
	k := ClampK(o.K)
	sum := Summary{K: k, Results: []Result{}}
	period := func(r *Response) string {
		if o.AllPeriods {
			return "all"
		}
		return r.Month
	}
	// Siblings that may be pooled together: facilities of one district, or all
	// mentors/districts of one period.
	type sibKey struct {
		period string
		parent int64
	}
	buckets := map[groupKey]*bucket{}
	var order []groupKey
	for i := range rs {
		r := &rs[i]
		var id, parent int64
		switch o.Group {
		case ByFacility:
			id, parent = r.FacilityID, r.DistrictID
		case ByDistrict:
			id = r.DistrictID
		default:
			id = r.MentorID
		}
		gk := groupKey{period(r), id}
		b := buckets[gk]
		if b == nil {
			b = &bucket{key: gk, parent: parent}
			buckets[gk] = b
			order = append(order, gk)
		}
		b.rs = append(b.rs, r)
	}
	siblings := map[sibKey][]*bucket{}
	var sibOrder []sibKey
	for _, gk := range order {
		b := buckets[gk]
		sk := sibKey{gk.period, b.parent}
		if _, ok := siblings[sk]; !ok {
			sibOrder = append(sibOrder, sk)
		}
		siblings[sk] = append(siblings[sk], b)
	}
	for _, sk := range sibOrder {
		shown, pool := fold(siblings[sk], k)
		for _, b := range shown {
			sum.Results = append(sum.Results, result(o.Group, b, o.Items, k))
		}
		if pool == nil {
			continue
		}
		if len(pool.rs) < k {
			sum.Hidden += pool.pooled
			continue
		}
		g, id := o.Group, int64(0)
		if o.Group == ByFacility {
			g, id = ByDistrict, sk.parent
		}
		pool.key = groupKey{sk.period, id}
		sum.Results = append(sum.Results, result(g, pool, o.Items, k))
	}
	sort.SliceStable(sum.Results, func(i, j int) bool {
		a, b := sum.Results[i], sum.Results[j]
		if a.Period != b.Period {
			return a.Period < b.Period
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return a.ID < b.ID
	})
	return sum
}

// fold splits sibling groups into those shown alone and a pool of the rest (nil when
// every group is large enough). The pool takes the smallest large groups until it
// reaches k or nothing is left.
func fold(bs []*bucket, k int) (shown []*bucket, pool *bucket) {
	var large []*bucket
	var rest []*Response
	small := 0
	for _, b := range bs {
		if len(b.rs) >= k {
			large = append(large, b)
		} else {
			rest = append(rest, b.rs...)
			small++
		}
	}
	if small == 0 {
		return large, nil
	}
	sort.SliceStable(large, func(i, j int) bool {
		if len(large[i].rs) != len(large[j].rs) {
			return len(large[i].rs) < len(large[j].rs)
		}
		return large[i].key.id < large[j].key.id
	})
	pool = &bucket{rs: rest, pooled: small}
	for len(pool.rs) < k && len(large) > 0 {
		pool.rs = append(pool.rs, large[0].rs...)
		pool.pooled++
		large = large[1:]
	}
	return large, pool
}

func result(g Group, b *bucket, items []string, k int) Result {
	res := Result{Group: g, ID: b.key.id, Period: b.key.period, N: len(b.rs), Comments: []string{}}
	if b.pooled > 1 {
		res.Pooled = b.pooled
	}
	keys := append([]string(nil), items...)
	listed := map[string]bool{}
	for _, key := range keys {
		listed[key] = true
	}
	var extra []string
	for _, r := range b.rs {
		for key := range r.Ratings {
			if !listed[key] {
				listed[key] = true
				extra = append(extra, key)
			}
		}
		if r.Comment != "" {
			res.Comments = append(res.Comments, r.Comment)
		}
	}
	sort.Strings(extra)
	sort.Strings(res.Comments)
	for _, key := range append(keys, extra...) {
		res.Items = append(res.Items, itemStat(key, b.rs, k))
	}
	return res
}

func itemStat(key string, rs []*Response, k int) ItemStat {
	st := ItemStat{Item: key}
	var dist [5]int
	total := 0
	for _, r := range rs {
		if v, ok := r.Ratings[key]; ok && v >= 1 && v <= 5 {
			dist[v-1]++
			total += v
			st.N++
		}
	}
	if st.N >= k {
		m := math.Round(float64(total)/float64(st.N)*100) / 100
		st.Mean, st.Distribution = &m, &dist
	}
	return st
}
