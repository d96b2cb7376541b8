package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"mesh"
	"mesh/dhis2"
	"mesh/indicator"
)

// DHIS2Mapping returns the stored indicator ↔ DHIS2 mapping; before any import it is
// an empty mapping with the uid scheme.
func (db *DB) DHIS2Mapping(ctx context.Context) (*dhis2.Mapping, error) {
	m := &dhis2.Mapping{IDScheme: dhis2.SchemeUID, Entries: []dhis2.Entry{}}
	err := db.readRow(ctx, `SELECT data_set, id_scheme FROM dhis2_mapping WHERE id = 1`).Scan(&m.DataSet, &m.IDScheme)
	if err == sql.ErrNoRows {
		return m, nil
	} else if err != nil {
		return nil, driverError(err)
	}
	rows, err := db.readQuery(ctx, `SELECT indicator, part, data_element, category_option_combo FROM dhis2_mapping_entries ORDER BY position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e dhis2.Entry
		if err := rows.Scan(&e.Indicator, &e.Part, &e.DataElement, &e.CategoryOptionCombo); err != nil {
			return nil, driverError(err)
		}
		m.Entries = append(m.Entries, e)
	}
	return m, driverError(rows.Err())
}

// ReplaceDHIS2Mapping validates m and stores it in place of the previous mapping, in
// one audited transaction: an invalid file or a failed write leaves the old mapping
// whole.
func (db *DB) ReplaceDHIS2Mapping(ctx context.Context, m *dhis2.Mapping) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var before struct {
			DataSet, IDScheme string
			Entries           int
		}
		err := tx.queryRow(`SELECT data_set, id_scheme, (SELECT count(*) FROM dhis2_mapping_entries) FROM dhis2_mapping WHERE id = 1`).
			Scan(&before.DataSet, &before.IDScheme, &before.Entries)
		if err != nil && err != sql.ErrNoRows {
			return driverError(err)
		}
		if _, err := tx.exec(`DELETE FROM dhis2_mapping_entries`); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM dhis2_mapping`); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO dhis2_mapping (id, data_set, id_scheme, updated_by, updated_at) VALUES (1, ?, ?, ?, ?)`,
			m.DataSet, m.IDScheme, nullID(mesh.ActorFrom(ctx).UserID), tx.now); err != nil {
			return err
		}
		for i, e := range m.Entries {
			if _, err := tx.exec(`INSERT INTO dhis2_mapping_entries (position, indicator, part, data_element, category_option_combo) VALUES (?, ?, ?, ?, ?)`,
				i, e.Indicator, e.Part, e.DataElement, e.CategoryOptionCombo); err != nil {
				return err
			}
		}
		return tx.audit("dhis2_mapping", 1, "replace", map[string]any{
			"data_set": [2]string{before.DataSet, m.DataSet}, "id_scheme": [2]string{before.IDScheme, m.IDScheme},
			"entries": [2]int{before.Entries, len(m.Entries)}})
	})
}

// DHIS2FacilityCounts sums, per facility under the paths (nil: everywhere), the
// counts of the indicators ids over the months of p. Only facilities with data in
// the period are returned: a non-zero count of any indicator kept on write. Their
// computed-on-read indicators (stock-out days, open issues, active QI projects) are
// added as of now, zeros included, since for an active facility zero stock-out days
// is a fact worth sending; facilities with no data at all are left out so DHIS2 is
// not filled with zeros for places nobody visited.
func (db *DB) DHIS2FacilityCounts(ctx context.Context, ids []string, under []string, p dhis2.Period, now time.Time) ([]dhis2.FacilityCounts, error) {
	wanted := map[string]bool{}
	var computed []string
	for _, id := range ids {
		if ind, ok := indicator.Find(id); ok && indicator.ComputedOnRead(ind) {
			if !wanted[id] {
				computed = append(computed, id)
			}
		}
		wanted[id] = true
	}
	var w where
	w.add("c.month >= ?", p.Start)
	w.add("c.month <= ?", p.End)
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, `SELECT c.facility_id, o.name, COALESCE(o.dhis2_uid, ''), COALESCE(o.code, ''), o.path, c.indicator, SUM(c.num), SUM(c.den)
		FROM indicator_counts c JOIN orgunits o ON o.id = c.facility_id`+w.String()+`
		GROUP BY c.facility_id, o.name, o.dhis2_uid, o.code, o.path, c.indicator ORDER BY c.facility_id, c.indicator`, w.args...)
	if err != nil {
		return nil, err
	}
	var out []dhis2.FacilityCounts
	var paths []string
	for rows.Next() {
		var f dhis2.FacilityCounts
		var path, id string
		var c dhis2.Count
		if err := rows.Scan(&f.ID, &f.Name, &f.UID, &f.Code, &path, &id, &c.Num, &c.Den); err != nil {
			rows.Close()
			return nil, driverError(err)
		}
		if c.Num == 0 && c.Den == 0 {
			continue // every record of the period was voided or moved away
		}
		if n := len(out); n == 0 || out[n-1].ID != f.ID {
			f.Counts = map[string]dhis2.Count{}
			out = append(out, f)
			paths = append(paths, path)
		}
		if wanted[id] {
			out[len(out)-1].Counts[id] = c
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, driverError(err)
	}
	for i := range out {
		for _, id := range computed {
			ms, err := db.ComputedCounts(ctx, id, []string{paths[i]}, p.Start, p.End, now)
			if err != nil {
				return nil, err
			}
			var c dhis2.Count
			for _, m := range ms {
				c.Num += m.Num
				c.Den += m.Den
			}
			out[i].Counts[id] = c
		}
	}
	return out, nil
}

// RecordDHIS2Push writes a push and DHIS2's answer to the audit log, so who sent
// what to the national system, and what it said, can be looked up later.
func (db *DB) RecordDHIS2Push(ctx context.Context, period string, values int, dryRun bool, s *dhis2.ImportSummary, pushErr error) error {
	entry := map[string]any{"period": period, "values": values, "dry_run": dryRun}
	if s != nil {
		entry["status"], entry["http_status"], entry["import_count"], entry["conflicts"] = s.Status, s.HTTPStatus, s.ImportCount, len(s.Conflicts)
	}
	if pushErr != nil {
		entry["error"] = pushErr.Error()
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.audit("dhis2_push", period, "push", entry) })
}
