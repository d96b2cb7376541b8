package sqlstore

import (
	"context"
	"strings"

	"mesh/indicator"
)

// addCounts adds (sign +1) or removes (sign -1) a record's contributions to the
// facility-month counts, in the caller's transaction: dashboards are fresh on write.
func (tx *Tx) addCounts(facilityID int64, month string, cs []indicator.Contribution, sign float64) error {
	// One multi-row upsert per record instead of one statement per indicator.
	var values []string
	var args []any
	for _, c := range cs {
		if c.Num == 0 && c.Den == 0 {
			continue
		}
		values = append(values, "(?, ?, ?, ?, ?)")
		args = append(args, facilityID, month, c.ID, sign*c.Num, sign*c.Den)
	}
	if len(values) == 0 {
		return nil
	}
	_, err := tx.exec(`INSERT INTO indicator_counts (facility_id, month, indicator, num, den) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (facility_id, month, indicator) DO UPDATE SET num = indicator_counts.num + excluded.num, den = indicator_counts.den + excluded.den`, args...)
	return err
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
