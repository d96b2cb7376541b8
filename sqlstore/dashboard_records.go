package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"mesh"
	"mesh/indicator"
	"mesh/qi"
)

// The records behind a dashboard number. Each indicator kept in indicator_counts has
// one source table whose rows added to it on write; these methods read those rows back
// for a place and period, with what each added, so a number can be traced to its
// records and the records' sums equal the number.

// maxIndicatorRecords bounds one answer: a district's year of observations is a few
// thousand; a national year asked from the records page is refused, not streamed.
const maxIndicatorRecords = 20000

// IndicatorRecords returns the records behind f.Indicator's numerator and denominator,
// newest first. Only records that count (a denominator or numerator above zero) are
// returned. A health worker's name leaves the store only for observations at places
// under f.NamedUnder (observation.md §5): the name is chosen in the query itself.
func (db *DB) IndicatorRecords(ctx context.Context, f indicator.RecordFilter) ([]indicator.Record, error) {
	if f.Indicator == indicator.AllObservations {
		return db.observationRecords(ctx, f)
	}
	ind, ok := indicator.Find(f.Indicator)
	if !ok {
		return nil, mesh.Errorf(mesh.EINVALID, "indicator: %q is not in the catalogue", f.Indicator)
	}
	if indicator.ComputedOnRead(ind) {
		return nil, mesh.Errorf(mesh.EINVALID, "indicator: %s is computed on read and has no records page", f.Indicator)
	}
	switch ind.Source {
	case "observations":
		return db.observationRecords(ctx, f)
	case "visits":
		return db.visitRecords(ctx, f)
	case "readiness":
		return db.readinessRecords(ctx, f)
	case "qi":
		return db.cycleRecords(ctx, f)
	}
	return nil, mesh.Errorf(mesh.EINVALID, "indicator: %s has no records page", f.Indicator)
}

// nextMonthStart is the first day of the month after m ("YYYY-MM"), as "YYYY-MM-DD":
// the exclusive end of a month range over a date column.
func nextMonthStart(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m + "-99" // not a month: the caller validated it; compare as text
	}
	return t.AddDate(0, 1, 0).Format(time.DateOnly)
}

// listsIndicator keeps rows whose JSON list of contributions col has an entry for id:
// a text match on SQLite (the exact entry is read after), jsonb containment on
// PostgreSQL, where the column is jsonb.
func (db *DB) listsIndicator(w *where, col, id string) {
	if db.Dialect == Postgres {
		entry, _ := json.Marshal([]map[string]string{{"id": id}})
		w.add(col+" @> ?::jsonb", string(entry))
		return
	}
	w.add(col+" LIKE ?", `%"`+id+`"%`)
}

// namedCase is a SQL expression that is col where the place path lies under one of
// paths and NULL elsewhere, with its arguments.
func namedCase(pathCol, col string, paths []string) (string, []any) {
	if len(paths) == 0 {
		return "NULL", nil
	}
	var ors []string
	var args []any
	for _, p := range paths {
		ors = append(ors, "("+pathCol+" >= ? AND "+pathCol+" < ?)")
		args = append(args, p, strings.TrimSuffix(p, "/")+"0")
	}
	return "CASE WHEN " + strings.Join(ors, " OR ") + " THEN " + col + " END", args
}

func (db *DB) observationRecords(ctx context.Context, f indicator.RecordFilter) ([]indicator.Record, error) {
	nameExpr, nameArgs := namedCase("o.path", "hw.name", f.NamedUnder)
	idExpr, idArgs := namedCase("o.path", "hw.id", f.NamedUnder)
	var w where
	w.add("ob.voided = ?", false)
	if f.From != "" {
		w.add("ob.month >= ?", f.From)
	}
	if f.To != "" {
		w.add("ob.month <= ?", f.To)
	}
	all := f.Indicator == indicator.AllObservations
	if !all {
		// A coarse text filter first (an indicator id is one JSON string in the
		// list); the contributions are read exactly below.
		db.listsIndicator(&w, "ob.indicators", f.Indicator)
	}
	underRange(&w, "o.path", f.Under)
	if f.MentorID != nil {
		w.add("v.mentor_id = ?", *f.MentorID)
	}
	args := append(append(nameArgs, idArgs...), w.args...)
	rows, err := db.readQuery(ctx, `SELECT ob.id, ob.facility_id, o.name, ob.observed_at, ob.month, ob.indicators,
		COALESCE(NULLIF(u.display_name, ''), u.username), `+nameExpr+`, `+idExpr+`
		FROM orgunits o JOIN observations ob ON ob.facility_id = o.id
		JOIN health_workers hw ON hw.id = ob.health_worker_id
		JOIN visits v ON v.id = ob.visit_id JOIN users u ON u.id = v.mentor_id`+
		w.String()+` ORDER BY ob.observed_at DESC, ob.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indicator.Record
	for rows.Next() {
		r := indicator.Record{Kind: "observation"}
		var at time.Time
		var inds string
		var worker *string
		var workerID *int64
		if err := rows.Scan(&r.ID, &r.FacilityID, &r.FacilityName, &at, &r.Month, &inds, &r.Mentor, &worker, &workerID); err != nil {
			return nil, driverError(err)
		}
		var cs []indicator.Contribution
		if all {
			cs = []indicator.Contribution{{ID: f.Indicator, Num: 1}}
		} else if err := json.Unmarshal([]byte(inds), &cs); err != nil {
			return nil, mesh.Errorf(mesh.EINTERNAL, "stored indicators of observation %s: %v", r.ID, err)
		}
		for _, c := range cs {
			if c.ID == f.Indicator && (c.Den != 0 || c.Num != 0) {
				r.Num, r.Den = c.Num, c.Den
				r.Date = at.UTC().Format(time.DateOnly)
				if worker != nil && workerID != nil {
					r.Worker, r.WorkerID = *worker, *workerID
				}
				out = append(out, r)
				break
			}
		}
		if len(out) > maxIndicatorRecords {
			return nil, mesh.Errorf(mesh.EINVALID, "period: more than %d records; choose a smaller place or period", maxIndicatorRecords)
		}
	}
	return out, driverError(rows.Err())
}

func (db *DB) visitRecords(ctx context.Context, f indicator.RecordFilter) ([]indicator.Record, error) {
	var w where
	w.add("v.status = ?", "done")
	w.add("v.kind = ?", "mentoring")
	if f.From != "" {
		w.add("v.date >= ?", f.From+"-01")
	}
	if f.To != "" {
		w.add("v.date < ?", nextMonthStart(f.To))
	}
	underRange(&w, "o.path", f.Under)
	if f.MentorID != nil {
		w.add("v.mentor_id = ?", *f.MentorID)
	}
	rows, err := db.readQuery(ctx, `SELECT v.id, v.facility_id, o.name, v.date, COALESCE(NULLIF(u.display_name, ''), u.username)
		FROM orgunits o JOIN visits v ON v.facility_id = o.id JOIN users u ON u.id = v.mentor_id`+w.String()+` ORDER BY v.date DESC, v.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indicator.Record
	for rows.Next() {
		r := indicator.Record{Kind: "visit", Num: 1}
		if err := rows.Scan(&r.ID, &r.FacilityID, &r.FacilityName, &r.Date, &r.Mentor); err != nil {
			return nil, driverError(err)
		}
		r.Month = r.Date[:min(7, len(r.Date))]
		out = append(out, r)
	}
	return out, driverError(rows.Err())
}

func (db *DB) readinessRecords(ctx context.Context, f indicator.RecordFilter) ([]indicator.Record, error) {
	var w where
	if f.From != "" {
		w.add("r.month >= ?", f.From)
	}
	if f.To != "" {
		w.add("r.month <= ?", f.To)
	}
	db.listsIndicator(&w, "r.indicators", f.Indicator)
	underRange(&w, "o.path", f.Under)
	if f.MentorID != nil {
		w.add("r.created_by = ?", *f.MentorID)
	}
	rows, err := db.readQuery(ctx, `SELECT r.id, r.facility_id, o.name, r.date, r.month, r.indicators, COALESCE(NULLIF(u.display_name, ''), u.username, '')
		FROM orgunits o JOIN readiness_checks r ON r.facility_id = o.id LEFT JOIN users u ON u.id = r.created_by`+w.String()+` ORDER BY r.date DESC, r.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indicator.Record
	for rows.Next() {
		r := indicator.Record{Kind: "readiness_check"}
		var inds string
		if err := rows.Scan(&r.ID, &r.FacilityID, &r.FacilityName, &r.Date, &r.Month, &inds, &r.Mentor); err != nil {
			return nil, driverError(err)
		}
		var cs []indicator.Contribution
		if err := json.Unmarshal([]byte(inds), &cs); err != nil {
			return nil, mesh.Errorf(mesh.EINTERNAL, "stored indicators of readiness check %s: %v", r.ID, err)
		}
		for _, c := range cs {
			if c.ID == f.Indicator && (c.Den != 0 || c.Num != 0) {
				r.Num, r.Den = c.Num, c.Den
				out = append(out, r)
				break
			}
		}
	}
	return out, driverError(rows.Err())
}

func (db *DB) cycleRecords(ctx context.Context, f indicator.RecordFilter) ([]indicator.Record, error) {
	var w where
	w.add("c.ended_on IS NOT NULL")
	if f.From != "" {
		w.add("c.ended_on >= ?", f.From+"-01")
	}
	if f.To != "" {
		w.add("c.ended_on < ?", nextMonthStart(f.To))
	}
	underRange(&w, "o.path", f.Under)
	if f.MentorID != nil {
		w.add("c.created_by = ?", *f.MentorID)
	}
	rows, err := db.readQuery(ctx, `SELECT c.id, p.facility_id, o.name, c.ended_on, c.result, COALESCE(NULLIF(u.display_name, ''), u.username, '')
		FROM orgunits o JOIN qi_projects p ON p.facility_id = o.id JOIN pdsa_cycles c ON c.project_id = p.id
		LEFT JOIN users u ON u.id = c.created_by`+w.String()+` ORDER BY c.ended_on DESC, c.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indicator.Record
	for rows.Next() {
		r := indicator.Record{Kind: "pdsa_cycle"}
		var c qi.PDSACycle
		if err := rows.Scan(&r.ID, &r.FacilityID, &r.FacilityName, &c.EndedOn, &c.Result, &r.Mentor); err != nil {
			return nil, driverError(err)
		}
		month, cs := c.Contributions()
		if cs == nil {
			continue
		}
		r.Date, r.Month, r.Num = string(c.EndedOn), month, cs[0].Num
		out = append(out, r)
	}
	return out, driverError(rows.Err())
}

// MentorObservationCounts sums the observations made on mentorID's visits at places
// under under for months from..to: the number observed per month and, per indicator,
// the summed contributions per month (months in order). It reads the observations
// themselves (a mentor makes tens a month), since indicator_counts are kept per
// facility, not per mentor. No worker is named: the answer is per mentor.
func (db *DB) MentorObservationCounts(ctx context.Context, mentorID int64, under []string, from, to string) (map[string]int, map[string][]indicator.MonthCount, error) {
	var w where
	w.add("v.mentor_id = ?", mentorID)
	w.add("ob.voided = ?", false)
	w.add("ob.month >= ?", from)
	w.add("ob.month <= ?", to)
	underRange(&w, "o.path", under)
	rows, err := db.readQuery(ctx, `SELECT ob.month, ob.indicators FROM visits v JOIN observations ob ON ob.visit_id = v.id
		JOIN orgunits o ON o.id = ob.facility_id`+w.String()+` ORDER BY ob.month`, w.args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	perMonth, counts := map[string]int{}, map[string][]indicator.MonthCount{}
	for rows.Next() {
		var month, inds string
		if err := rows.Scan(&month, &inds); err != nil {
			return nil, nil, driverError(err)
		}
		var cs []indicator.Contribution
		if err := json.Unmarshal([]byte(inds), &cs); err != nil {
			return nil, nil, mesh.Errorf(mesh.EINTERNAL, "stored indicators: %v", err)
		}
		perMonth[month]++
		for _, c := range cs {
			if c.Num == 0 && c.Den == 0 {
				continue
			}
			ms := counts[c.ID]
			if len(ms) == 0 || ms[len(ms)-1].Month != month {
				ms = append(ms, indicator.MonthCount{Month: month})
			}
			ms[len(ms)-1].Num += c.Num
			ms[len(ms)-1].Den += c.Den
			counts[c.ID] = ms
		}
	}
	return perMonth, counts, driverError(rows.Err())
}
