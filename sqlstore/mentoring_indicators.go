package sqlstore

import (
	"context"
	"time"

	"mesh"
	"mesh/indicator"
	"mesh/readiness"
)

// monthEnd returns the last day of month m ("YYYY-MM"), or today when the month is
// the current one (a month that has not ended is judged as of now).
func monthEnd(m string, today mesh.Date) mesh.Date {
	t, _ := time.Parse("2006-01", m)
	end := mesh.DateOf(t.AddDate(0, 1, -1))
	if string(today) < string(end) {
		return today
	}
	return end
}

// mentoringCounts computes the mentoring indicators and sys.trained_staff per month
// over the facilities under the paths. Each query reads only the rows of those
// facilities; months are few (at most ten years), so the per-month work is done here.
func (db *DB) mentoringCounts(ctx context.Context, id string, under []string, months []string, now time.Time) ([]indicator.MonthCount, error) {
	today := readiness.Today(now, "Africa/Kigali")
	out := make([]indicator.MonthCount, len(months))
	for k, m := range months {
		out[k].Month = m
	}
	var err error
	switch id {
	case "mentoring.on_cadence":
		err = db.onCadence(ctx, under, out, today)
	case "mentoring.visits_12m":
		err = db.visits12m(ctx, under, out, today)
	case "mentoring.observations_per_visit":
		err = db.observationsPerVisit(ctx, under, out)
	case "sys.trained_staff":
		err = db.trainedStaff(ctx, under, out, today)
	default:
		return nil, mesh.Errorf(mesh.ENOTFOUND, "indicator %s is not computed on read", id)
	}
	return out, err
}

// doneVisitDates returns each facility's done mentoring visit dates, oldest first.
func (db *DB) doneVisitDates(ctx context.Context, under []string) (map[int64][]mesh.Date, error) {
	var w where
	w.add("v.status = ?", "done")
	w.add("v.kind = ?", "mentoring")
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, `SELECT v.facility_id, v.date FROM visits v JOIN orgunits o ON o.id = v.facility_id`+w.String()+` ORDER BY v.date`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]mesh.Date{}
	for rows.Next() {
		var f int64
		var d mesh.Date
		if err := rows.Scan(&f, &d); err != nil {
			return nil, driverError(err)
		}
		out[f] = append(out[f], d)
	}
	return out, driverError(rows.Err())
}

func (db *DB) onCadence(ctx context.Context, under []string, out []indicator.MonthCount, today mesh.Date) error {
	visits, err := db.doneVisitDates(ctx, under)
	if err != nil {
		return err
	}
	var w where
	w.add("o.type = ?", "facility")
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, `SELECT o.id, o.cadence_days, a.start_on, a.end_on FROM orgunits o JOIN assignments a ON a.facility_id = o.id`+w.String(), w.args...)
	if err != nil {
		return err
	}
	type assigned struct {
		cadence  int
		from, to mesh.Date
	}
	byFacility := map[int64][]assigned{}
	for rows.Next() {
		var f int64
		var a assigned
		if err := rows.Scan(&f, &a.cadence, &a.from, &a.to); err != nil {
			rows.Close()
			return driverError(err)
		}
		byFacility[f] = append(byFacility[f], a)
	}
	rows.Close()
	for k := range out {
		end := monthEnd(out[k].Month, today)
		if string(end) < out[k].Month+"-01" {
			continue // a future month
		}
		for f, as := range byFacility {
			cadence := 0
			for _, a := range as {
				if a.from <= end && (a.to == "" || a.to >= end) {
					cadence = a.cadence
				}
			}
			if cadence == 0 {
				continue
			}
			out[k].Den++
			if last := lastOnOrBefore(visits[f], end); last != "" && end.Time().Sub(last.Time()) <= time.Duration(cadence)*24*time.Hour {
				out[k].Num++
			}
		}
	}
	return nil
}

func lastOnOrBefore(dates []mesh.Date, d mesh.Date) mesh.Date {
	last := mesh.Date("")
	for _, x := range dates {
		if x <= d {
			last = x
		}
	}
	return last
}

func (db *DB) visits12m(ctx context.Context, under []string, out []indicator.MonthCount, today mesh.Date) error {
	visits, err := db.doneVisitDates(ctx, under)
	if err != nil {
		return err
	}
	for k := range out {
		end := monthEnd(out[k].Month, today)
		start := mesh.DateOf(end.Time().AddDate(-1, 0, 0))
		for _, ds := range visits {
			for _, d := range ds {
				if d > start && d <= end {
					out[k].Num++
				}
			}
		}
	}
	return nil
}

func (db *DB) observationsPerVisit(ctx context.Context, under []string, out []indicator.MonthCount) error {
	visits, err := db.doneVisitDates(ctx, under)
	if err != nil {
		return err
	}
	byMonth := map[string]int{}
	for k := range out {
		byMonth[out[k].Month] = k
	}
	for _, ds := range visits {
		for _, d := range ds {
			if k, ok := byMonth[string(d)[:7]]; ok {
				out[k].Den++
			}
		}
	}
	var w where
	w.add("ob.voided = ?", false)
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, `SELECT ob.month, count(*) FROM observations ob JOIN orgunits o ON o.id = ob.facility_id`+w.String()+` GROUP BY ob.month`, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		var n float64
		if err := rows.Scan(&m, &n); err != nil {
			return driverError(err)
		}
		if k, ok := byMonth[m]; ok {
			out[k].Num = n
		}
	}
	return driverError(rows.Err())
}

func (db *DB) trainedStaff(ctx context.Context, under []string, out []indicator.MonthCount, today mesh.Date) error {
	var w where
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, `SELECT p.start_on, p.end_on, hw.imci_trained_on FROM postings p
		JOIN health_workers hw ON hw.id = p.health_worker_id JOIN orgunits o ON o.id = p.facility_id`+w.String(), w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type posting struct{ from, to, trained mesh.Date }
	var ps []posting
	for rows.Next() {
		var p posting
		if err := rows.Scan(&p.from, &p.to, &p.trained); err != nil {
			return driverError(err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return driverError(err)
	}
	for k := range out {
		end := monthEnd(out[k].Month, today)
		if string(end) < out[k].Month+"-01" {
			continue
		}
		for _, p := range ps {
			if p.from <= end && (p.to == "" || p.to >= end) {
				out[k].Den++
				if p.trained != "" && p.trained <= end {
					out[k].Num++
				}
			}
		}
	}
	return nil
}
