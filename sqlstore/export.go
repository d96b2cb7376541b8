package sqlstore

import (
	"context"
	"iter"
	"time"

	"mesh"
	"mesh/export"
)

// ExportFilter selects the rows of an export.
type ExportFilter struct {
	From, To mesh.Date // inclusive days; "" leaves that end open
	Under    []string  // only facilities at or under these paths; nil: everywhere
	PageSize int       // rows read per query; 0 or more than 1000 means 1000
}

// pageSize stays within limitOffset's ceiling: a shorter page than asked for ends
// the stream, so the two must agree.
func (f ExportFilter) pageSize() int {
	if f.PageSize <= 0 || f.PageSize > 1000 {
		return 1000
	}
	return f.PageSize
}

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

// ExportObservations streams the observations (not voided) matching f in order of
// observation time. From and To are UTC days.
func (db *DB) ExportObservations(ctx context.Context, f ExportFilter) iter.Seq2[export.Observation, error] {
	names := &facilityNames{db: db, ctx: ctx, names: map[int64]string{}}
	size := f.pageSize()
	return paged(size, func(after *export.Observation) ([]export.Observation, error) {
		var w where
		w.add("ob.voided = ?", false)
		if f.From != "" {
			t, err := time.Parse(time.DateOnly, string(f.From))
			if err != nil {
				return nil, invalidDay("from", f.From)
			}
			w.add("ob.observed_at >= ?", t)
		}
		if f.To != "" {
			t, err := time.Parse(time.DateOnly, string(f.To))
			if err != nil {
				return nil, invalidDay("to", f.To)
			}
			w.add("ob.observed_at < ?", t.AddDate(0, 0, 1))
		}
		w.under("o.path", f.Under)
		if after != nil {
			at := after.ObservedAt.UTC()
			w.add("(ob.observed_at > ? OR (ob.observed_at = ? AND ob.id > ?))", at, at, after.ID)
		}
		rows, err := db.readQuery(ctx, observationSelect+w.String()+` ORDER BY ob.observed_at, ob.id`+limitOffset(size, 0), w.args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := make([]export.Observation, 0, size)
		for rows.Next() {
			r, err := scanObservation(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, export.Observation{Record: r})
		}
		if err := rows.Err(); err != nil {
			return nil, driverError(err)
		}
		rows.Close() // release the connection before the name look-ups
		for i := range out {
			if out[i].Facility, err = names.name(out[i].FacilityID); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
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
		rows, err := db.readQuery(ctx, visitSelect+w.String()+` ORDER BY v.date, v.id`+limitOffset(size, 0), w.args...)
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
		for i := range out {
			if out[i].Facility, err = names.name(out[i].FacilityID); err != nil {
				return nil, err
			}
		}
		return out, nil
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
			` ORDER BY c.facility_id, c.month, c.indicator`+limitOffset(size, 0), w.args...)
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
