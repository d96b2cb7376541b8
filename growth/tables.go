package growth

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// who2006LMS holds the WHO 2006 LMS rows converted from jsgrowup by tools/gen-who-tables.
//
//go:embed data/who2006_lms.csv
var who2006LMS string

// daysPerMonth is WHO's average month, used by anthro to turn months into days.
const daysPerMonth = 30.4375

// agePower is WHO's age transformation for the weight- and length-for-age LMS curves:
// WHO fitted its splines in age^0.35, so interpolating in that scale reproduces the
// published by-day values far better than interpolating in plain days (docs/growth.md).
const agePower = 0.35

// lengthLinearDays: WHO's by-day length-for-age L, M and S are a straight line between
// birth and day 14 (a deliberate adjustment of the standard), so they are interpolated so.
const lengthLinearDays = 14

// lms is one row of a reference table.
type lms struct{ l, m, s float64 }

// curve gives L, M and S for any x in [lo, hi]: age in days or length/height in cm.
type curve struct {
	lo, hi   float64
	power    float64 // x is transformed to x^power before the spline; 1 for lengths
	l, m, s  spline
	linearTo float64 // below this x, interpolate straight from lin0 to lin1
	lin0     lms
	lin1     lms
}

// at returns the LMS values at x, or false when x lies outside the table.
func (c *curve) at(x float64) (lms, bool) {
	if c == nil || math.IsNaN(x) || x < c.lo || x > c.hi {
		return lms{}, false
	}
	if x < c.linearTo {
		t := x / c.linearTo
		return lms{lerp(c.lin0.l, c.lin1.l, t), lerp(c.lin0.m, c.lin1.m, t), lerp(c.lin0.s, c.lin1.s, t)}, true
	}
	t := x
	if c.power != 1 {
		t = math.Pow(x, c.power)
	}
	return lms{c.l.at(t), c.m.at(t), c.s.at(t)}, true
}

func lerp(a, b, t float64) float64 { return a + t*(b-a) }

// knot is one table row placed on the curve's x scale.
type knot struct {
	x float64
	lms
}

// curves holds every curve by table name ("wfa", "lfa", "hfa", "wfl", "wfh") and sex.
var curves = mustLoadCurves(who2006LMS)

type curveKey struct{ table, sex string }

func mustLoadCurves(text string) map[curveKey]*curve {
	cs, err := loadCurves(text)
	if err != nil {
		panic("growth: embedded WHO table: " + err.Error())
	}
	return cs
}

// loadCurves parses the CSV and builds one curve per table and sex.
func loadCurves(text string) (map[curveKey]*curve, error) {
	knots, err := parseKnots(text)
	if err != nil {
		return nil, err
	}
	out := map[curveKey]*curve{}
	for k, ks := range knots {
		if len(ks) < 4 {
			return nil, fmt.Errorf("%s/%s: only %d rows", k.table, k.sex, len(ks))
		}
		out[k] = buildCurve(k.table, ks)
	}
	return out, nil
}

// parseKnots reads the rows, puts weeks and months on a scale of days, and keeps the
// weekly rows where both exist (months 0–3 duplicate weeks 0–13).
func parseKnots(text string) (map[curveKey][]knot, error) {
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "indicator,sex,x,x_unit,L,M,S" {
		return nil, fmt.Errorf("unexpected header")
	}
	weekly := map[curveKey]float64{}
	var all []struct {
		key  curveKey
		unit string
		k    knot
	}
	for i, r := range rows[1:] {
		var v [4]float64
		for j, f := range []string{r[2], r[4], r[5], r[6]} {
			if v[j], err = strconv.ParseFloat(f, 64); err != nil {
				return nil, fmt.Errorf("row %d: %w", i+2, err)
			}
		}
		x, key := v[0], curveKey{r[0], r[1]}
		switch r[3] {
		case "week":
			x *= 7
			weekly[key] = max(weekly[key], x)
		case "month":
			x *= daysPerMonth
		}
		all = append(all, struct {
			key  curveKey
			unit string
			k    knot
		}{key, r[3], knot{x, lms{v[1], v[2], v[3]}}})
	}
	out := map[curveKey][]knot{}
	for _, a := range all {
		// A monthly row within a week of the weekly rows would only make the spline wiggle.
		if a.unit == "month" && a.k.x < weekly[a.key]+7 && weekly[a.key] > 0 {
			continue
		}
		out[a.key] = append(out[a.key], a.k)
	}
	for _, ks := range out {
		sort.Slice(ks, func(i, j int) bool { return ks[i].x < ks[j].x })
	}
	return out, nil
}

// buildCurve fits the splines for one table; see docs/growth.md for why each choice.
func buildCurve(table string, ks []knot) *curve {
	c := &curve{lo: ks[0].x, hi: ks[len(ks)-1].x, power: 1}
	if table == "wfa" || table == "lfa" || table == "hfa" {
		c.power = agePower
	}
	leftSlope := math.NaN()
	if table == "lfa" {
		i := sort.Search(len(ks), func(i int) bool { return ks[i].x >= lengthLinearDays })
		c.linearTo, c.lin0, c.lin1 = lengthLinearDays, ks[0].lms, ks[i].lms
		ks = ks[i:]
		leftSlope = 0 // marks "clamped": the slopes are estimated per parameter below
	}
	x := make([]float64, len(ks))
	var l, m, s []float64
	for i, k := range ks {
		x[i] = math.Pow(k.x, c.power)
		l, m, s = append(l, k.l), append(m, k.m), append(s, k.s)
	}
	c.l, c.m, c.s = fit(x, l, leftSlope), fit(x, m, leftSlope), fit(x, s, leftSlope)
	return c
}

// fit builds a natural spline, or, when clamp is not NaN, one whose left slope follows
// the parabola through the first three knots.
func fit(x, y []float64, clamp float64) spline {
	if math.IsNaN(clamp) {
		return newSpline(x, y, math.NaN())
	}
	return newSpline(x, y, parabolaSlope(x, y))
}
