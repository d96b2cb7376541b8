package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"mesh/indicator"
)

// addCounts adds (sign +1) or removes (sign -1) a record's contributions to the
// facility-month counts, in the caller's transaction: dashboards are fresh on write.
// The deltas are gathered in the transaction and written by flushCounts just before
// COMMIT, one upsert per transaction (a group-commit batch updated the same few rows
// once per write before; on PostgreSQL each of those updates left a row version).
// Nothing reads indicator_counts inside a write, so the deferral is invisible.
func (tx *Tx) addCounts(facilityID int64, month string, cs []indicator.Contribution, sign float64) error {
	if tx.counts == nil {
		tx.counts = countDeltas{}
	}
	for _, c := range cs {
		if c.Num == 0 && c.Den == 0 {
			continue
		}
		k := countKey{facilityID, month, c.ID}
		d := tx.counts[k]
		tx.counts[k] = [2]float64{d[0] + sign*c.Num, d[1] + sign*c.Den}
	}
	return nil
}

// countDeltas are count changes not yet written, by facility, month and indicator.
type countDeltas map[countKey][2]float64

type countKey struct {
	facility  int64
	month, id string
}

// merge adds the deltas of one write (whose savepoint was released) into d.
func (d countDeltas) merge(o countDeltas) {
	for k, v := range o {
		c := d[k]
		d[k] = [2]float64{c[0] + v[0], c[1] + v[1]}
	}
}

// flushCounts writes deltas with multi-row upserts in key order (a fixed lock order
// for PostgreSQL). A key whose deltas sum to zero is still written, as the per-write
// upserts did, so the table holds the same rows.
func (tx *Tx) flushCounts(deltas countDeltas) error {
	keys := make([]countKey, 0, len(deltas))
	for k := range deltas {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b countKey) int {
		return cmp.Or(cmp.Compare(a.facility, b.facility), cmp.Compare(a.month, b.month), cmp.Compare(a.id, b.id))
	})
	for len(keys) > 0 {
		// Rows per statement: a power of two up to 256 (1,280 parameters, far below
		// either database's limit), so at most nine statement shapes are prepared and cached.
		n := 1
		for n*2 <= min(len(keys), 256) {
			n *= 2
		}
		values := make([]string, n)
		args := make([]any, 0, 5*n)
		for i, k := range keys[:n] {
			d := deltas[k]
			values[i] = "(?, ?, ?, ?, ?)"
			args = append(args, k.facility, k.month, k.id, d[0], d[1])
		}
		if _, err := tx.exec(`INSERT INTO indicator_counts (facility_id, month, indicator, num, den) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (facility_id, month, indicator) DO UPDATE SET num = indicator_counts.num + excluded.num, den = indicator_counts.den + excluded.den`, args...); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// IndicatorCounts sums an indicator's counts per month over the facilities under the
// given paths (nil: everywhere), for months from..to inclusive ("YYYY-MM", empty = open).
func (db *DB) IndicatorCounts(ctx context.Context, id string, under []string, from, to string) ([]indicator.MonthCount, error) {
	var w where
	w.add("c.indicator = ?", id)
	if from != "" {
		w.add("c.month >= ?", from)
	}
	if to != "" {
		w.add("c.month <= ?", to)
	}
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, `SELECT c.month, SUM(c.num), SUM(c.den) FROM indicator_counts c JOIN orgunits o ON o.id = c.facility_id`+
		w.String()+` GROUP BY c.month ORDER BY c.month`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indicator.MonthCount
	for rows.Next() {
		var m indicator.MonthCount
		if err := rows.Scan(&m.Month, &m.Num, &m.Den); err != nil {
			return nil, driverError(err)
		}
		out = append(out, m)
	}
	return out, driverError(rows.Err())
}
