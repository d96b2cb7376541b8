package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"mesh"
	"mesh/indicator"
	"mesh/qi"
	"mesh/readiness"
	"mesh/visit"
)

// MentoringVisits is the indicator id of visits done.
const MentoringVisits = "mentoring.visits"

// visitContribution is what a visit adds to mentoring.visits: one done mentoring visit
// in the month of its date (a facility calendar day).
func visitContribution(v *visit.Visit) (string, []indicator.Contribution) {
	if v == nil || v.Status != "done" || v.Kind != "mentoring" || len(v.Date) < 7 {
		return "", nil
	}
	return string(v.Date)[:7], []indicator.Contribution{{ID: MentoringVisits, Num: 1}}
}

// countVisit moves a visit's mentoring.visits count from its stored state (old, nil
// when new) to its new state, in the visit's transaction.
func (tx *Tx) countVisit(old, v *visit.Visit) error {
	if month, cs := visitContribution(old); cs != nil {
		if err := tx.addCounts(old.FacilityID, month, cs, -1); err != nil {
			return err
		}
	}
	if month, cs := visitContribution(v); cs != nil {
		return tx.addCounts(v.FacilityID, month, cs, 1)
	}
	return nil
}

// recountFacilitySystems adds to out (keyed like RecountIndicators) what readiness
// checks, visits and PDSA cycles count, recomputed from the records.
func (db *DB) recountFacilitySystems(ctx context.Context, out map[string][2]float64) error {
	add := func(fac int64, month string, cs []indicator.Contribution) {
		for _, c := range cs {
			if c.Num == 0 && c.Den == 0 {
				continue
			}
			k := fmt.Sprintf("%d|%s|%s", fac, month, c.ID)
			x := out[k]
			out[k] = [2]float64{x[0] + c.Num, x[1] + c.Den}
		}
	}
	rows, err := db.readQuery(ctx, `SELECT facility_id, month, indicators FROM readiness_checks`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var fac int64
		var month, inds string
		if err := rows.Scan(&fac, &month, &inds); err != nil {
			rows.Close()
			return driverError(err)
		}
		var cs []indicator.Contribution
		if err := json.Unmarshal([]byte(inds), &cs); err != nil {
			rows.Close()
			return err
		}
		add(fac, month, cs)
	}
	rows.Close()
	rows, err = db.readQuery(ctx, `SELECT facility_id, date, kind, status FROM visits`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v visit.Visit
		if err := rows.Scan(&v.FacilityID, &v.Date, &v.Kind, &v.Status); err != nil {
			rows.Close()
			return driverError(err)
		}
		if month, cs := visitContribution(&v); cs != nil {
			add(v.FacilityID, month, cs)
		}
	}
	rows.Close()
	rows, err = db.readQuery(ctx, `SELECT p.facility_id, c.ended_on, c.result FROM pdsa_cycles c JOIN qi_projects p ON p.id = c.project_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var fac int64
		var c qi.PDSACycle
		if err := rows.Scan(&fac, &c.EndedOn, &c.Result); err != nil {
			return driverError(err)
		}
		if month, cs := c.Contributions(); cs != nil {
			add(fac, month, cs)
		}
	}
	return driverError(rows.Err())
}

// StockoutDaysPrefix starts the ids of the per-commodity stock-out day indicators.
const StockoutDaysPrefix = "sys.stockout_days."

// ComputedCounts answers a computed-on-read indicator (indicator.ComputedOnRead) per
// month from..to ("YYYY-MM", both required) over the facilities under the paths, as
// of now: each facility's "today" is taken in its own time zone, and months after it
// count nothing. Stock-out days sum the days each facility was out; open issues and
// active projects count records.
func (db *DB) ComputedCounts(ctx context.Context, id string, under []string, from, to string, now time.Time) ([]indicator.MonthCount, error) {
	months := readiness.Months(from, to)
	if len(months) == 0 {
		return nil, nil
	}
	switch {
	case strings.HasPrefix(id, "voice."):
		// Mentee feedback means, with the anonymity threshold applied (sqlstore/voice.go),
		// so DHIS2 and other exports of computed indicators get the same safe numbers.
		return db.VoiceIndicatorCounts(ctx, id, under, from, to)
	case strings.HasPrefix(id, StockoutDaysPrefix):
		return db.stockoutDayCounts(ctx, strings.TrimPrefix(id, StockoutDaysPrefix), under, months, now)
	case strings.HasPrefix(id, "mentoring.") || id == "sys.trained_staff":
		return db.mentoringCounts(ctx, id, under, months, now)
	case id == "sys.open_issues":
		issues, today, err := db.issuesWithZones(ctx, under)
		if err != nil {
			return nil, err
		}
		out := make([]indicator.MonthCount, len(months))
		for k, m := range months {
			out[k].Month = m
			for _, i := range issues {
				if t := today[i.ID]; string(t)[:7] >= m && readiness.OpenAtMonthEnd([]*readiness.Issue{i}, m, t) == 1 {
					out[k].Num++
				}
			}
		}
		return out, nil
	case id == "qi.active_projects":
		projects, _, err := db.FindProjects(ctx, qi.Filter{Under: under, Limit: 1000})
		if err != nil {
			return nil, err
		}
		current := string(mesh.DateOf(now))[:7]
		out := make([]indicator.MonthCount, len(months))
		for k, m := range months {
			out[k].Month = m
			for _, p := range projects {
				if m <= current && p.ActiveIn(m) {
					out[k].Num++
				}
			}
		}
		return out, nil
	}
	return nil, mesh.Errorf(mesh.ENOTFOUND, "indicator %s is not computed on read", id)
}

// stockoutDayCounts sums readiness.StockoutDays per month over the facilities under
// the paths, each facility's events counted together so overlaps count once.
func (db *DB) stockoutDayCounts(ctx context.Context, commodity string, under []string, months []string, now time.Time) ([]indicator.MonthCount, error) {
	first := months[0] + "-01"
	last, _ := time.Parse("2006-01", months[len(months)-1])
	var w where
	w.add("e.commodity = ?", commodity)
	w.add("e.started_on < ?", mesh.DateOf(last.AddDate(0, 1, 0)))
	w.add("(e.ended_on IS NULL OR e.ended_on > ?)", mesh.Date(first))
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, `SELECT e.facility_id, o.time_zone, e.started_on, e.ended_on FROM stock_events e JOIN orgunits o ON o.id = e.facility_id`+
		w.String()+` ORDER BY e.facility_id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	spans := map[int64][]readiness.Span{}
	zones := map[int64]string{}
	for rows.Next() {
		var fac int64
		var zone string
		var s readiness.Span
		if err := rows.Scan(&fac, &zone, &s.From, &s.To); err != nil {
			return nil, driverError(err)
		}
		spans[fac], zones[fac] = append(spans[fac], s), zone
	}
	if err := rows.Err(); err != nil {
		return nil, driverError(err)
	}
	out := make([]indicator.MonthCount, len(months))
	for k, m := range months {
		out[k].Month = m
		for fac, ss := range spans {
			out[k].Num += float64(readiness.StockoutDays(ss, m, readiness.Today(now, zones[fac])))
		}
	}
	return out, nil
}
