package sqlstore

import (
	"context"
	"iter"
	"strconv"
	"strings"
	"time"

	"mesh"
	"mesh/export"
	"mesh/qi"
)

// ExportFilter selects the rows of an export.
type ExportFilter struct {
	From, To mesh.Date // inclusive days; "" leaves that end open
	Under    []string  // only facilities at or under these paths; nil: everywhere
	PageSize int       // rows read per query; 0 means 2000, at most 5000
}

// pageSize is the LIMIT of every page query (a shorter page than asked for ends the
// stream, so the two must agree). Larger pages cost fewer queries; 2,000 stored
// observations are about 10 MB.
func (f ExportFilter) pageSize() int {
	switch {
	case f.PageSize <= 0:
		return 2000
	case f.PageSize > 5000:
		return 5000
	}
	return f.PageSize
}

// limit is the LIMIT clause of a page.
func limit(n int) string { return " LIMIT " + strconv.Itoa(n) }

// paged streams rows page by page with keyset paging: each query starts after the
// last row of the previous one, so the cost per page stays flat on a large table
// (OFFSET would rescan everything skipped) and no connection is held while the
// caller writes. fetch returns one page after the given cursor (nil: the start).
func paged[T any](pageSize int, fetch func(after *T) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var after *T
		for {
			page, err := fetch(after)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, x := range page {
				if !yield(x, nil) {
					return
				}
			}
			if len(page) < pageSize {
				return
			}
			after = &page[len(page)-1]
		}
	}
}

// facilityNames remembers facility names for an export (a few thousand at most).
type facilityNames struct {
	db    *DB
	ctx   context.Context
	names map[int64]string
}

// fill sets the facility name of every row, given how to reach a row's facility id
// and name field.
func fillNames[T any](n *facilityNames, rows []T, facility func(*T) (int64, *string)) error {
	for i := range rows {
		id, name := facility(&rows[i])
		var err error
		if *name, err = n.name(id); err != nil {
			return err
		}
	}
	return nil
}

func (n *facilityNames) name(id int64) (string, error) {
	if s, ok := n.names[id]; ok {
		return s, nil
	}
	var s string
	if err := n.db.readRow(n.ctx, `SELECT name FROM orgunits WHERE id = ?`, id).Scan(&s); err != nil {
		return "", driverError(err)
	}
	n.names[id] = s
	return s, nil
}

// exportObservationSelect reads the export rows kept at save time (observation_rows)
// with the facility's current name.
const exportObservationSelect = `SELECT ob.id, ob.observed_at, ob.month, ob.facility_id, o.name, ob.cells
	FROM observation_rows ob JOIN orgunits o ON o.id = ob.facility_id`

// obsKey is an observation's place in the export order.
type obsKey struct {
	at time.Time
	id string
}

// observationWhere is the filter of the observation export, with the rows after lo
// and up to hi (either nil: open).
func (f ExportFilter) observationWhere(lo, hi *obsKey) (where, error) {
	var w where // observation_rows holds observations that are not voided
	if f.From != "" {
		t, err := time.Parse(time.DateOnly, string(f.From))
		if err != nil {
			return w, invalidDay("from", f.From)
		}
		w.add("ob.observed_at >= ?", t)
	}
	if f.To != "" {
		t, err := time.Parse(time.DateOnly, string(f.To))
		if err != nil {
			return w, invalidDay("to", f.To)
		}
		w.add("ob.observed_at < ?", t.AddDate(0, 0, 1))
	}
	w.under("o.path", f.Under)
	// Row values, which both databases use as a range of the index (an OR of the two
	// columns' conditions is not one: each page would scan the index to its end).
	// The plain range on observed_at repeats what the row values say for PostgreSQL's
	// planner, which estimates two row comparisons as independent (a third of the table
	// each) and chose a sequential scan for every 2,000-row page.
	if lo != nil {
		w.add("(ob.observed_at, ob.id) > (?, ?)", lo.at.UTC(), lo.id)
		w.add("ob.observed_at >= ?", lo.at.UTC())
	}
	if hi != nil {
		w.add("(ob.observed_at, ob.id) <= (?, ?)", hi.at.UTC(), hi.id)
		w.add("ob.observed_at <= ?", hi.at.UTC())
	}
	return w, nil
}

// observationPage reads the rows after lo up to hi (at most limit when > 0).
func (db *DB) observationPage(ctx context.Context, f ExportFilter, lo, hi *obsKey, max int) ([]export.Observation, error) {
	w, err := f.observationWhere(lo, hi)
	if err != nil {
		return nil, err
	}
	q := exportObservationSelect + w.String() + ` ORDER BY ob.observed_at, ob.id`
	if max > 0 {
		q += limit(max)
	}
	rows, err := db.readQuery(ctx, q, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]export.Observation, 0, f.pageSize())
	for rows.Next() {
		var o export.Observation
		if err := rows.Scan(&o.ID, &o.ObservedAt, &o.Month, &o.FacilityID, &o.Facility, &o.Cells); err != nil {
			return nil, driverError(err)
		}
		out = append(out, o)
	}
	return out, driverError(rows.Err())
}

// observationBounds lists the key of every size-th row of the export, in order: the
// pages' upper ends. It reads the covering index observation_rows_order alone.
func (db *DB) observationBounds(ctx context.Context, f ExportFilter, size int) ([]obsKey, error) {
	w, err := f.observationWhere(nil, nil)
	if err != nil {
		return nil, err
	}
	rows, err := db.readQuery(ctx, `SELECT at, id FROM (SELECT ob.observed_at AS at, ob.id AS id,
		ROW_NUMBER() OVER (ORDER BY ob.observed_at, ob.id) AS n
		FROM observation_rows ob JOIN orgunits o ON o.id = ob.facility_id`+w.String()+`) k WHERE n % ? = 0 ORDER BY n`,
		append(w.args, size)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []obsKey
	for rows.Next() {
		var k obsKey
		if err := rows.Scan(&k.at, &k.id); err != nil {
			return nil, driverError(err)
		}
		out = append(out, k)
	}
	return out, driverError(rows.Err())
}

// exportObservationsReaders is how many pages are read at once: reading the rows is
// most of what an export still costs, and keyset paging alone reads one page after
// another on one core while the writer waits.
const exportObservationsReaders = 2

// ExportObservations streams the export rows of the observations (not voided) matching
// f in order of observation time (index observation_rows_order). From and To are UTC
// days.
//
// The first page is read and handed over at once (the first rows leave without
// waiting); meanwhile the page boundaries are taken from the index, and the remaining pages, each a key
// range, are read by two goroutines a few pages ahead and handed over in order. A
// page starts after the previous page's last boundary and after the first page's last
// row, so pages never overlap even when rows are written meanwhile.
func (db *DB) ExportObservations(ctx context.Context, f ExportFilter) iter.Seq2[export.Observation, error] {
	size := f.pageSize()
	return func(yield func(export.Observation, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type result struct {
			rows []export.Observation
			err  error
		}
		firstc := make(chan result, 1)
		go func() {
			rows, err := db.observationPage(ctx, f, nil, nil, size)
			firstc <- result{rows, err}
		}()
		type boundsResult struct {
			keys []obsKey
			err  error
		}
		boundsc := make(chan boundsResult, 1)
		go func() {
			keys, err := db.observationBounds(ctx, f, size)
			boundsc <- boundsResult{keys, err}
		}()
		first := <-firstc
		if first.err != nil {
			yield(export.Observation{}, first.err)
			return
		}
		for _, o := range first.rows {
			if !yield(o, nil) {
				return
			}
		}
		if len(first.rows) < size {
			return
		}
		b := <-boundsc
		if b.err != nil {
			yield(export.Observation{}, b.err)
			return
		}
		bounds := b.keys
		last := first.rows[len(first.rows)-1]
		floor := obsKey{last.ObservedAt, last.ID}
		if len(bounds) == 0 {
			bounds = []obsKey{floor} // rows deleted meanwhile: read the rest as one page
		}
		after := func(a, b obsKey) bool { return a.at.After(b.at) || (a.at.Equal(b.at) && a.id > b.id) }
		// Page i > 0 runs from bounds[i-1] (or the first page's last row, if later) to
		// bounds[i]; the last page is open-ended.
		type job struct {
			lo  obsKey
			hi  *obsKey
			out chan result
		}
		jobs := make(chan job)
		order := make(chan chan result, exportObservationsReaders-1)
		for range exportObservationsReaders {
			go func() {
				for j := range jobs {
					rows, err := db.observationPage(ctx, f, &j.lo, j.hi, 0)
					j.out <- result{rows, err}
				}
			}()
		}
		go func() {
			defer close(order)
			defer close(jobs)
			for i := 1; i <= len(bounds); i++ {
				lo := bounds[i-1]
				if after(floor, lo) {
					lo = floor
				}
				var hi *obsKey
				if i < len(bounds) {
					hi = &bounds[i]
					if !after(*hi, lo) {
						continue // rows written meanwhile moved this page under the first
					}
				}
				out := make(chan result, 1)
				select {
				case order <- out:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- job{lo, hi, out}:
				case <-ctx.Done():
					return
				}
			}
		}()
		for out := range order {
			var r result
			select {
			case r = <-out:
			case <-ctx.Done():
				yield(export.Observation{}, ctx.Err())
				return
			}
			if r.err != nil {
				yield(export.Observation{}, r.err)
				return
			}
			for _, o := range r.rows {
				if !yield(o, nil) {
					return
				}
			}
		}
	}
}

// ExportVisits streams the visits matching f in date order.
func (db *DB) ExportVisits(ctx context.Context, f ExportFilter) iter.Seq2[export.Visit, error] {
	names := &facilityNames{db: db, ctx: ctx, names: map[int64]string{}}
	size := f.pageSize()
	return paged(size, func(after *export.Visit) ([]export.Visit, error) {
		var w where
		if f.From != "" {
			w.add("v.date >= ?", string(f.From))
		}
		if f.To != "" {
			w.add("v.date <= ?", string(f.To))
		}
		w.under("o.path", f.Under)
		if after != nil {
			d := string(after.Date)
			w.add("(v.date > ? OR (v.date = ? AND v.id > ?))", d, d, after.ID)
		}
		rows, err := db.readQuery(ctx, visitSelect+w.String()+` ORDER BY v.date, v.id`+limit(size), w.args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := make([]export.Visit, 0, size)
		for rows.Next() {
			v, _, err := scanVisit(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, export.Visit{Visit: v})
		}
		if err := rows.Err(); err != nil {
			return nil, driverError(err)
		}
		rows.Close()
		return out, fillNames(names, out, func(x *export.Visit) (int64, *string) { return x.FacilityID, &x.Facility })
	})
}

// ExportIndicatorCounts streams the facility-month counts kept on write for months
// touching f's days, by facility, month and indicator, leaving out rows that came
// back to zero (every record voided).
func (db *DB) ExportIndicatorCounts(ctx context.Context, f ExportFilter) iter.Seq2[export.IndicatorCount, error] {
	size := f.pageSize()
	return paged(size, func(after *export.IndicatorCount) ([]export.IndicatorCount, error) {
		var w where
		w.add("NOT (c.num = 0 AND c.den = 0)")
		if len(f.From) >= 7 {
			w.add("c.month >= ?", string(f.From)[:7])
		}
		if len(f.To) >= 7 {
			w.add("c.month <= ?", string(f.To)[:7])
		}
		w.under("o.path", f.Under)
		if a := after; a != nil {
			w.add("(c.facility_id > ? OR (c.facility_id = ? AND (c.month > ? OR (c.month = ? AND c.indicator > ?))))",
				a.FacilityID, a.FacilityID, a.Month, a.Month, a.Indicator)
		}
		rows, err := db.readQuery(ctx, `SELECT c.facility_id, o.name, COALESCE(o.dhis2_uid, ''), COALESCE(o.code, ''), c.month, c.indicator, c.num, c.den
			FROM indicator_counts c JOIN orgunits o ON o.id = c.facility_id`+w.String()+
			` ORDER BY c.facility_id, c.month, c.indicator`+limit(size), w.args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := make([]export.IndicatorCount, 0, size)
		for rows.Next() {
			var c export.IndicatorCount
			if err := rows.Scan(&c.FacilityID, &c.Facility, &c.DHIS2UID, &c.Code, &c.Month, &c.Indicator, &c.Num, &c.Den); err != nil {
				return nil, driverError(err)
			}
			out = append(out, c)
		}
		return out, driverError(rows.Err())
	})
}

func invalidDay(field string, d mesh.Date) error {
	return mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: field, Message: field + " " + string(d) + " must be a day in YYYY-MM-DD form"})
}

// dayRange adds from/to on a day column (YYYY-MM-DD text, so ranges compare as text).
func (f ExportFilter) dayRange(w *where, col string) {
	if f.From != "" {
		w.add(col+" >= ?", string(f.From))
	}
	if f.To != "" {
		w.add(col+" <= ?", string(f.To))
	}
}

// afterKey continues a keyset-paged export after the last row's (day, id).
func (w *where) afterKey(dayCol, idCol, day, id string) {
	w.add("("+dayCol+" > ? OR ("+dayCol+" = ? AND "+idCol+" > ?))", day, day, id)
}

// queryRows reads every row of query, each made by scan (a page of an export, a
// dashboard's series).
func queryRows[T any](ctx context.Context, db *DB, query string, args []any, size int, scan func(rowScanner) (T, error)) ([]T, error) {
	rows, err := db.readQuery(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]T, 0, size)
	for rows.Next() {
		t, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, driverError(rows.Err())
}

// ExportReadinessChecks streams the readiness checks matching f in date order.
func (db *DB) ExportReadinessChecks(ctx context.Context, f ExportFilter) iter.Seq2[export.ReadinessCheck, error] {
	names := &facilityNames{db: db, ctx: ctx, names: map[int64]string{}}
	size := f.pageSize()
	return paged(size, func(after *export.ReadinessCheck) ([]export.ReadinessCheck, error) {
		var w where
		f.dayRange(&w, "c.date")
		w.under("o.path", f.Under)
		if after != nil {
			w.afterKey("c.date", "c.id", string(after.Date), after.ID)
		}
		out, err := queryRows(ctx, db, checkSelect+w.String()+` ORDER BY c.date, c.id`+limit(size), w.args, size, func(r rowScanner) (export.ReadinessCheck, error) {
			c, _, err := scanCheck(r)
			return export.ReadinessCheck{Check: c}, err
		})
		if err != nil {
			return nil, err
		}
		return out, fillNames(names, out, func(x *export.ReadinessCheck) (int64, *string) { return x.FacilityID, &x.Facility })
	})
}

// ExportStockEvents streams the stock-out events that overlap f's days (started by
// its last day and not ended before its first), by start day.
func (db *DB) ExportStockEvents(ctx context.Context, f ExportFilter) iter.Seq2[export.StockEvent, error] {
	names := &facilityNames{db: db, ctx: ctx, names: map[int64]string{}}
	size := f.pageSize()
	return paged(size, func(after *export.StockEvent) ([]export.StockEvent, error) {
		var w where
		if f.From != "" {
			w.add("(e.ended_on IS NULL OR e.ended_on = '' OR e.ended_on >= ?)", string(f.From))
		}
		if f.To != "" {
			w.add("e.started_on <= ?", string(f.To))
		}
		w.under("o.path", f.Under)
		if after != nil {
			w.afterKey("e.started_on", "e.id", string(after.StartedOn), after.ID)
		}
		out, err := queryRows(ctx, db, stockSelect+w.String()+` ORDER BY e.started_on, e.id`+limit(size), w.args, size, func(r rowScanner) (export.StockEvent, error) {
			e, _, err := scanStockEvent(r)
			return export.StockEvent{StockEvent: e}, err
		})
		if err != nil {
			return nil, err
		}
		return out, fillNames(names, out, func(x *export.StockEvent) (int64, *string) { return x.FacilityID, &x.Facility })
	})
}

// ExportIssues streams the issues opened in f's days, by opening day, each with its
// number of comments.
func (db *DB) ExportIssues(ctx context.Context, f ExportFilter) iter.Seq2[export.Issue, error] {
	names := &facilityNames{db: db, ctx: ctx, names: map[int64]string{}}
	size := f.pageSize()
	return paged(size, func(after *export.Issue) ([]export.Issue, error) {
		var w where
		f.dayRange(&w, "i.opened_on")
		w.under("o.path", f.Under)
		if after != nil {
			w.afterKey("i.opened_on", "i.id", string(after.OpenedOn), after.ID)
		}
		out, err := queryRows(ctx, db, issueSelect+w.String()+` ORDER BY i.opened_on, i.id`+limit(size), w.args, size, func(r rowScanner) (export.Issue, error) {
			is, _, _, err := scanIssue(r)
			return export.Issue{Issue: is}, err
		})
		if err != nil {
			return nil, err
		}
		if len(out) == 0 {
			return out, nil
		}
		// One query for the page's comment counts, not one per issue.
		ids := make([]any, len(out))
		at := make(map[string]int, len(out))
		for i := range out {
			ids[i] = out[i].ID
			at[out[i].ID] = i
		}
		crows, err := db.readQuery(ctx, `SELECT issue_id, COUNT(*) FROM issue_comments WHERE issue_id IN (?`+
			strings.Repeat(", ?", len(ids)-1)+`) GROUP BY issue_id`, ids...)
		if err != nil {
			return nil, err
		}
		defer crows.Close()
		for crows.Next() {
			var id string
			var n int
			if err := crows.Scan(&id, &n); err != nil {
				return nil, driverError(err)
			}
			out[at[id]].Comments = n
		}
		if err := crows.Err(); err != nil {
			return nil, driverError(err)
		}
		crows.Close()
		return out, fillNames(names, out, func(x *export.Issue) (int64, *string) { return x.FacilityID, &x.Facility })
	})
}

// exportCycleSelect is a PDSA cycle (cycleColumns, prefixed) with its project's
// facility, for the area filter.
var exportCycleSelect = "SELECT c." + strings.ReplaceAll(cycleColumns, ", ", ", c.") +
	` FROM pdsa_cycles c JOIN qi_projects p ON p.id = c.project_id JOIN orgunits o ON o.id = p.facility_id`

// ExportQICycles streams the PDSA cycles started in f's days, by start day, each
// with its project.
func (db *DB) ExportQICycles(ctx context.Context, f ExportFilter) iter.Seq2[export.QICycle, error] {
	names := &facilityNames{db: db, ctx: ctx, names: map[int64]string{}}
	projects := map[string]*qi.Project{}
	size := f.pageSize()
	return paged(size, func(after *export.QICycle) ([]export.QICycle, error) {
		var w where
		f.dayRange(&w, "c.started_on")
		w.under("o.path", f.Under)
		if after != nil {
			w.afterKey("c.started_on", "c.id", string(after.StartedOn), after.ID)
		}
		out, err := queryRows(ctx, db, exportCycleSelect+w.String()+` ORDER BY c.started_on, c.id`+limit(size), w.args, size, func(r rowScanner) (export.QICycle, error) {
			c, _, err := scanCycle(r)
			return export.QICycle{PDSACycle: c}, err
		})
		if err != nil {
			return nil, err
		}
		for i := range out {
			p, ok := projects[out[i].ProjectID]
			if !ok {
				if p, _, err = scanProject(db.readRow(ctx, projectSelect+` WHERE p.id = ?`, out[i].ProjectID)); err != nil {
					return nil, err
				}
				projects[p.ID] = p
			}
			out[i].Project = p
			if out[i].Facility, err = names.name(p.FacilityID); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

// ExportCount counts the rows an export of table (a `mesh export` table name) with f
// will write, for the progress bar. It runs the same filters as the export, so the
// count and the file agree unless rows are written in between.
func (db *DB) ExportCount(ctx context.Context, table string, f ExportFilter) (int, error) {
	var w where
	var from string
	switch table {
	case "observations":
		from = `observation_rows ob JOIN orgunits o ON o.id = ob.facility_id`
		if f.From != "" {
			t, err := time.Parse(time.DateOnly, string(f.From))
			if err != nil {
				return 0, invalidDay("from", f.From)
			}
			w.add("ob.observed_at >= ?", t)
		}
		if f.To != "" {
			t, err := time.Parse(time.DateOnly, string(f.To))
			if err != nil {
				return 0, invalidDay("to", f.To)
			}
			w.add("ob.observed_at < ?", t.AddDate(0, 0, 1))
		}
	case "visits":
		from = `visits v JOIN orgunits o ON o.id = v.facility_id`
		f.dayRange(&w, "v.date")
	case "indicators":
		from = `indicator_counts c JOIN orgunits o ON o.id = c.facility_id`
		w.add("NOT (c.num = 0 AND c.den = 0)")
		if len(f.From) >= 7 {
			w.add("c.month >= ?", string(f.From)[:7])
		}
		if len(f.To) >= 7 {
			w.add("c.month <= ?", string(f.To)[:7])
		}
	case "readiness":
		from = `readiness_checks c JOIN orgunits o ON o.id = c.facility_id`
		f.dayRange(&w, "c.date")
	case "stockouts":
		from = `stock_events e JOIN orgunits o ON o.id = e.facility_id`
		if f.From != "" {
			w.add("(e.ended_on IS NULL OR e.ended_on = '' OR e.ended_on >= ?)", string(f.From))
		}
		if f.To != "" {
			w.add("e.started_on <= ?", string(f.To))
		}
	case "issues":
		from = `issues i JOIN orgunits o ON o.id = i.facility_id`
		f.dayRange(&w, "i.opened_on")
	case "qi-cycles":
		from = `pdsa_cycles c JOIN qi_projects p ON p.id = c.project_id JOIN orgunits o ON o.id = p.facility_id`
		f.dayRange(&w, "c.started_on")
	default:
		return 0, mesh.Errorf(mesh.EINVALID, "no export table %q", table)
	}
	w.under("o.path", f.Under)
	var n int
	if err := db.readRow(ctx, `SELECT COUNT(*) FROM `+from+w.String(), w.args...).Scan(&n); err != nil {
		return 0, driverError(err)
	}
	return n, nil
}
