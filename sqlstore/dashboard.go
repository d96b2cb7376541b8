package sqlstore

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"mesh/evaluation"
	"mesh/imci"
	"mesh/indicator"
)

// Dashboard reads. Every number on a dashboard comes from the facility-month
// indicator_counts table, summed in one GROUP BY over the places asked for: the counts
// are kept fresh on write, so a dashboard never scans raw observations.

// IndicatorTotals sums every indicator's counts over the facilities under the paths
// (nil: everywhere) for months from..to inclusive ("YYYY-MM", empty = open): one
// number pair per indicator for a whole period (a month, quarter or year).
func (db *DB) IndicatorTotals(ctx context.Context, under []string, from, to string) ([]indicator.Contribution, error) {
	w := countsWhere(under, from, to)
	return queryRows(ctx, db, `SELECT c.indicator, SUM(c.num), SUM(c.den)`+db.countsFrom()+w.String()+` GROUP BY c.indicator ORDER BY c.indicator`, w.args, 0, func(r rowScanner) (indicator.Contribution, error) {
		var c indicator.Contribution
		err := r.Scan(&c.ID, &c.Num, &c.Den)
		return c, driverError(err)
	})
}

// FacilityTotals sums each facility's counts per indicator over from..to, for the
// facilities under the paths: the cells of the heat map.
func (db *DB) FacilityTotals(ctx context.Context, under []string, from, to string) (map[int64][]indicator.Contribution, error) {
	w := countsWhere(under, from, to)
	rows, err := db.readQuery(ctx, `SELECT c.facility_id, c.indicator, SUM(c.num), SUM(c.den)`+db.countsFrom()+w.String()+` GROUP BY c.facility_id, c.indicator`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]indicator.Contribution{}
	for rows.Next() {
		var fac int64
		var c indicator.Contribution
		if err := rows.Scan(&fac, &c.ID, &c.Num, &c.Den); err != nil {
			return nil, driverError(err)
		}
		out[fac] = append(out[fac], c)
	}
	return out, driverError(rows.Err())
}

// MonthlyCounts sums counts per indicator and month over the facilities under the
// paths: every trend line of a facility or district page in one query.
func (db *DB) MonthlyCounts(ctx context.Context, under []string, from, to string) (map[string][]indicator.MonthCount, error) {
	w := countsWhere(under, from, to)
	rows, err := db.readQuery(ctx, `SELECT c.indicator, c.month, SUM(c.num), SUM(c.den)`+db.countsFrom()+w.String()+` GROUP BY c.indicator, c.month ORDER BY c.indicator, c.month`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]indicator.MonthCount{}
	for rows.Next() {
		var id string
		var m indicator.MonthCount
		if err := rows.Scan(&id, &m.Month, &m.Num, &m.Den); err != nil {
			return nil, driverError(err)
		}
		out[id] = append(out[id], m)
	}
	return out, driverError(rows.Err())
}

func countsWhere(under []string, from, to string) where {
	var w where
	if from != "" {
		w.add("c.month >= ?", from)
	}
	if to != "" {
		w.add("c.month <= ?", to)
	}
	underRange(&w, "o.path", under)
	return w
}

// underRange is where.under as index ranges: paths end in "/", so the places under p
// are those with p <= path < p with its final "/" replaced by "0" (the next byte).
// Unlike LIKE, a range uses the orgunits path index on both databases.
func underRange(w *where, col string, paths []string) {
	if paths == nil {
		return
	}
	if len(paths) == 0 {
		w.add("1 = 0")
		return
	}
	ors := make([]string, len(paths))
	for i, p := range paths {
		ors[i] = "(" + col + " >= ? AND " + col + " < ?)"
		w.args = append(w.args, p, strings.TrimSuffix(p, "/")+"0")
	}
	w.clauses = append(w.clauses, "("+strings.Join(ors, " OR ")+")")
}

// countsFrom joins places to counts with the places as the outer loop: a district's
// ~50 facilities are found by path, then each one's rows by the counts' primary key
// (facility_id, month, …). SQLite's planner otherwise starts from the indicator index
// and visits every facility in the country; CROSS JOIN is how SQLite is told the join
// order. PostgreSQL plans this itself and rejects CROSS JOIN … ON.
func (db *DB) countsFrom() string {
	if db.Dialect == SQLite {
		return ` FROM orgunits o CROSS JOIN indicator_counts c ON o.id = c.facility_id`
	}
	return ` FROM orgunits o JOIN indicator_counts c ON o.id = c.facility_id`
}

// DistrictSeries is IndicatorCounts planned for a district over years: the same sums
// per month, read facility by facility (see countsFrom).
func (db *DB) DistrictSeries(ctx context.Context, id string, under []string, from, to string) ([]indicator.MonthCount, error) {
	w := countsWhere(under, from, to)
	w.add("c.indicator = ?", id)
	from_ := db.countsFrom()
	if db.Dialect == SQLite {
		// With the places as the outer loop, each facility's rows of the one indicator
		// come from indicator_counts_series (facility_id, indicator, month): 60 entries
		// per facility for five years. SQLite's planner, without statistics, prefers
		// the clustered key (facility_id, month, …), which reads every indicator's
		// rows of those months (12 times as many in the bench, 40 in a real database).
		from_ = ` FROM orgunits o CROSS JOIN indicator_counts c INDEXED BY indicator_counts_series ON o.id = c.facility_id`
	}
	return queryRows(ctx, db, `SELECT c.month, SUM(c.num), SUM(c.den)`+from_+w.String()+` GROUP BY c.month ORDER BY c.month`, w.args, 0, func(r rowScanner) (indicator.MonthCount, error) {
		var m indicator.MonthCount
		err := r.Scan(&m.Month, &m.Num, &m.Den)
		return m, driverError(err)
	})
}

// IndexObservations returns the evaluation model's rows: every child (2–59 months)
// observation not voided under the paths in months from..to, with its worker as a
// cluster id, its assessment index and the covariates read from its assessment. No
// names leave this method: the evaluation is an aggregate.
func (db *DB) IndexObservations(ctx context.Context, under []string, from, to string) ([]evaluation.Observation, error) {
	var w where
	w.add("ob.voided = ?", false)
	w.add("ob.age_group = ?", imci.AgeGroupChild)
	w.add("ob.month >= ?", from)
	w.add("ob.month <= ?", to)
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, `SELECT ob.health_worker_id, ob.month, ob.assessment_index, ob.body FROM observations ob JOIN orgunits o ON o.id = ob.facility_id`+
		w.String()+` ORDER BY ob.observed_at, ob.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evaluation.Observation
	for rows.Next() {
		var o evaluation.Observation
		var body string
		if err := rows.Scan(&o.Worker, &o.Month, &o.Index, &body); err != nil {
			return nil, driverError(err)
		}
		var b struct {
			Assessment json.RawMessage `json:"assessment"`
		}
		_ = json.Unmarshal([]byte(body), &b) // an unreadable body leaves the covariates unknown
		o.Covariates = evaluation.CovariatesOf(b.Assessment)
		out = append(out, o)
	}
	return out, driverError(rows.Err())
}

// The benchmark (`mesh bench dashboards`) compares dashboard reads of indicator_counts
// with the same numbers computed by GROUP BY over raw observation rows. Raw rows live
// in bench_observations, one row per observation with a 0/1 column per indicator: a
// generous stand-in for the real observations table, whose indicators sit in JSON and
// would be slower still to group.

// BenchRawIndicators are the indicators the bench's raw table carries, column rN for
// BenchRawIndicators[N]; their denominator is every observation.
var BenchRawIndicators = []string{"imci.trained_provider", "imci.recording_form_used", "imci.danger_signs_all",
	"imci.main_symptoms_all", "imci.weighed", "imci.growth_chart_used", "imci.pallor_checked", "imci.immunization_checked",
	"imci.return_advice", "imci.correct_classification", "imci.correct_treatment", "imci.correctly_managed"}

// CreateBenchRaw (re)creates the bench's raw table, empty.
func (db *DB) CreateBenchRaw(ctx context.Context) error {
	cols := ""
	for i := range BenchRawIndicators {
		cols += ", r" + strconv.Itoa(i) + " INTEGER NOT NULL"
	}
	for _, q := range []string{`DROP TABLE IF EXISTS bench_observations`,
		`CREATE TABLE bench_observations (facility_id INTEGER NOT NULL, month TEXT NOT NULL` + cols + `)`} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			return driverError(err)
		}
	}
	return nil
}

// IndexBenchRaw adds the index a raw GROUP BY would use. BenchGenerate needs it
// during the load (it sums each facility's new rows); rows arrive in index order, so
// it grows at its right edge.
func (db *DB) IndexBenchRaw(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `CREATE INDEX bench_observations_fac_month ON bench_observations (facility_id, month)`)
	return driverError(err)
}

// BenchGenerate writes one facility's synthetic observations inside the database —
// n[k] rows in months[k], column rI set with probability p[k] − 0.03·(I mod 4) — and
// its indicator_counts rows summed from those very rows, in one transaction. Rows are
// made by SQL (a recursive CTE; random() in the database), since binding 14 values per
// row from Go ran at ~12 k rows/s and 10 M rows would take a quarter of an hour.
// Only the bench calls it, after CreateBenchRaw and IndexBenchRaw.
func (db *DB) BenchGenerate(ctx context.Context, facilityID int64, months []string, n []int, p []float64) error {
	maxN := 0
	var vals []string
	var args []any
	for k, m := range months {
		if n[k] == 0 {
			continue
		}
		maxN = max(maxN, n[k])
		vals = append(vals, "(CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS DOUBLE PRECISION))")
		args = append(args, m, n[k], p[k])
	}
	if maxN == 0 {
		return nil
	}
	rnd := "(abs(random() % 1000000) / 1000000.0)"
	if db.Dialect == Postgres {
		rnd = "random()"
	}
	cols, sets := "", ""
	for i := range BenchRawIndicators {
		c := "r" + strconv.Itoa(i)
		cols += ", " + c
		sets += ", CASE WHEN " + rnd + " < m.p - " + strconv.FormatFloat(0.03*float64(i%4), 'f', 2, 64) + " THEN 1 ELSE 0 END"
	}
	gen := `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?),
		m(month, n, p) AS (VALUES ` + strings.Join(vals, ", ") + `)
		INSERT INTO bench_observations (facility_id, month` + cols + `)
		SELECT ?, m.month` + sets + ` FROM m JOIN k ON k.i < m.n`
	var sums []string
	for i, id := range BenchRawIndicators {
		sums = append(sums, `SELECT facility_id, month, '`+id+`', SUM(r`+strconv.Itoa(i)+`), COUNT(*) FROM bench_observations WHERE facility_id = ? GROUP BY facility_id, month`)
	}
	count := `INSERT INTO indicator_counts (facility_id, month, indicator, num, den) ` + strings.Join(sums, " UNION ALL ")
	countArgs := make([]any, len(sums))
	for i := range countArgs {
		countArgs[i] = facilityID
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return driverError(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, db.rebind(gen), append(append([]any{maxN}, args...), facilityID)...); err != nil {
		return driverError(err)
	}
	if _, err := tx.ExecContext(ctx, db.rebind(count), countArgs...); err != nil {
		return driverError(err)
	}
	return driverError(tx.Commit())
}

// BenchAnalyze readies the tables after the load as production would have them and
// returns the number of indicator_counts rows: on PostgreSQL VACUUM ANALYZE (what
// autovacuum does soon after a bulk load); on SQLite nothing, since a MESH database
// never runs ANALYZE and its planner works without statistics.
func (db *DB) BenchAnalyze(ctx context.Context) (int, error) {
	if db.Dialect == Postgres {
		if _, err := db.write.ExecContext(ctx, `VACUUM ANALYZE indicator_counts, bench_observations`); err != nil {
			return 0, driverError(err)
		}
	}
	var n int
	err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM indicator_counts`).Scan(&n)
	return n, driverError(err)
}

// BulkInsert writes rows into table's columns in one transaction, in multi-row
// statements: the bench loads millions of rows, where one statement per row would take
// the whole time budget. Only the bench calls it, with its own table and column names.
func (db *DB) BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return driverError(err)
	}
	defer tx.Rollback()
	per := max(1, 30000/len(cols))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+", ", len(chunk)), ", ")
		if _, err := tx.ExecContext(ctx, db.rebind(q), args...); err != nil {
			return driverError(err)
		}
	}
	return driverError(tx.Commit())
}

// RawSeries computes one bench indicator per month from the raw rows: the GROUP BY a
// dashboard would run without the counts table.
func (db *DB) RawSeries(ctx context.Context, col int, under []string, from, to string) ([]indicator.MonthCount, error) {
	var w where
	w.add("b.month >= ?", from)
	w.add("b.month <= ?", to)
	w.under("o.path", under)
	c := "b.r" + strconv.Itoa(col)
	return queryRows(ctx, db, `SELECT b.month, SUM(`+c+`), COUNT(*) FROM bench_observations b JOIN orgunits o ON o.id = b.facility_id`+
		w.String()+` GROUP BY b.month ORDER BY b.month`, w.args, 0, func(r rowScanner) (indicator.MonthCount, error) {
		var m indicator.MonthCount
		err := r.Scan(&m.Month, &m.Num, &m.Den)
		return m, driverError(err)
	})
}

// RawFacilityTotals computes the heat map from the raw rows.
func (db *DB) RawFacilityTotals(ctx context.Context, under []string, from, to string) (map[int64][]indicator.Contribution, error) {
	var w where
	w.add("b.month >= ?", from)
	w.add("b.month <= ?", to)
	w.under("o.path", under)
	sums := ""
	for i := range BenchRawIndicators {
		sums += ", SUM(b.r" + strconv.Itoa(i) + ")"
	}
	rows, err := db.readQuery(ctx, `SELECT b.facility_id, COUNT(*)`+sums+` FROM bench_observations b JOIN orgunits o ON o.id = b.facility_id`+
		w.String()+` GROUP BY b.facility_id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]indicator.Contribution{}
	for rows.Next() {
		var fac int64
		var n float64
		nums := make([]float64, len(BenchRawIndicators))
		dest := []any{&fac, &n}
		for i := range nums {
			dest = append(dest, &nums[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, driverError(err)
		}
		for i, id := range BenchRawIndicators {
			out[fac] = append(out[fac], indicator.Contribution{ID: id, Num: nums[i], Den: n})
		}
	}
	return out, driverError(rows.Err())
}
