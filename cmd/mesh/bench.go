package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"time"

	"mesh"
	"mesh/place"
	"mesh/sqlstore"
)

func init() {
	command("bench", "measure dashboard queries on a national-scale synthetic data set", runBench)
	subcommands("bench", "dashboards", "load")
}

// benchFigures is what `mesh bench dashboards` prints (JSON on stdout).
type benchFigures struct {
	Database       string  `json:"database"`
	Facilities     int     `json:"facilities"`
	Districts      int     `json:"districts"`
	Years          int     `json:"years"`
	Observations   int     `json:"observations"`
	CountRows      int     `json:"count_rows"`
	LoadSeconds    float64 `json:"load_seconds"`
	Cores          int     `json:"cores"`
	Runs           int     `json:"runs"`
	RawRuns        int     `json:"raw_runs"`
	SeriesP50ms    float64 `json:"series_p50_ms"`
	SeriesP95ms    float64 `json:"series_p95_ms"`
	HeatmapP50ms   float64 `json:"heatmap_p50_ms"`
	HeatmapP95ms   float64 `json:"heatmap_p95_ms"`
	RawSeriesP95ms float64 `json:"raw_series_p95_ms"`
	RawHeatP95ms   float64 `json:"raw_heatmap_p95_ms"`
	SeriesSpeedup  float64 `json:"series_speedup_p95"`
	HeatSpeedup    float64 `json:"heatmap_speedup_p95"`
	// CPU time of the process per query (getrusage): what a query costs whatever else
	// the machine runs, where wall time on a shared machine includes waiting for a core.
	SeriesCPUP95ms    float64 `json:"series_cpu_p95_ms"`
	HeatmapCPUP95ms   float64 `json:"heatmap_cpu_p95_ms"`
	RawSeriesCPUP95ms float64 `json:"raw_series_cpu_p95_ms"`
	RawHeatCPUP95ms   float64 `json:"raw_heatmap_cpu_p95_ms"`
	SeriesCPUSpeedup  float64 `json:"series_cpu_speedup_p95"`
	HeatCPUSpeedup    float64 `json:"heatmap_cpu_speedup_p95"`
	Reused            bool    `json:"reused,omitempty"`
	SameNumbers       bool    `json:"same_numbers"`
}

func runBench(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "dashboards" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			printHelp(env, env.Stdout, "bench", nil)
			return errHelp
		}
		printHelp(env, env.Stderr, "bench", nil)
		return usageT(env, "cli.err.missing_subcommand", "bench", "dashboards, load")
	}
	fs := newFlags(env, "bench dashboards", "bench dashboards [--db DSN] [--facilities 1500] [--years 5] [--observations 10000000] [--runs 50]")
	// Not MESH_DB: the bench writes millions of synthetic rows and must never land in a
	// programme's database by accident; it refuses a database that already has places.
	dsn := fs.String("db", "mesh-bench.db", "database for the synthetic data: a new SQLite file or an empty postgres:// database")
	facilities := fs.Int("facilities", 1500, "facilities (50 per district)")
	years := fs.Int("years", 5, "years of monthly data, ending with --end")
	observations := fs.Int("observations", 10_000_000, "scored observations in the raw table")
	runs := fs.Int("runs", 50, "timed runs per dashboard query")
	rawRuns := fs.Int("raw-runs", 10, "timed runs per raw GROUP BY query")
	end := fs.String("end", "2026-12", "last month of data (YYYY-MM)")
	reuse := fs.Bool("reuse", false, "measure a database an earlier run loaded, without loading (the other flags must match that run)")
	if err := parseFlags(fs, env, args[1:]); err != nil {
		return err
	}
	endT, err := time.Parse("2006-01", *end)
	if err != nil || *facilities < 1 || *years < 1 || *observations < 1 || *runs < 1 || *rawRuns < 1 {
		return usageT(env, "cli.err.bench_flags")
	}
	ctx := context.Background()
	ctx = mesh.WithActor(ctx, mesh.Actor{Username: "bench", Role: "system"})
	db, err := openDB(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, n, err := db.FindOrgUnits(ctx, place.Filter{Limit: 1}); err != nil {
		return err
	} else if n > 0 && !*reuse {
		return usageT(env, "cli.err.bench_not_empty", "bench dashboards", describeDSN(*dsn))
	}
	months := make([]string, 12**years)
	for i := range months {
		months[i] = endT.AddDate(0, i-len(months)+1, 0).Format("2006-01")
	}
	fig := benchFigures{Database: string(db.Dialect), Facilities: *facilities, Years: *years, Observations: *observations,
		Cores: runtime.NumCPU(), Runs: *runs, RawRuns: *rawRuns}
	start := time.Now()
	var districts []*place.OrgUnit
	if *reuse {
		districts, err = benchDistricts(ctx, db, &fig)
	} else {
		districts, err = benchLoad(ctx, env.Stderr, db, *facilities, months, *observations, &fig)
		fig.LoadSeconds = math.Round(time.Since(start).Seconds()*10) / 10
	}
	if err != nil {
		return err
	}
	fig.Districts = len(districts)
	if err := benchMeasure(ctx, db, districts, months, &fig); err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(fig)
}

// benchDistricts finds the districts of a database an earlier run loaded.
func benchDistricts(ctx context.Context, db *sqlstore.DB, fig *benchFigures) ([]*place.OrgUnit, error) {
	country := place.Country
	if cs, _, err := db.FindOrgUnits(ctx, place.Filter{Type: &country, Limit: 2}); err != nil {
		return nil, err
	} else if len(cs) != 1 || cs[0].Name != "Bench country" {
		return nil, usagef("bench: --reuse needs a database an earlier `mesh bench dashboards` loaded")
	}
	district := place.District
	ds, _, err := db.FindOrgUnits(ctx, place.Filter{Type: &district, Limit: 1000})
	if err != nil {
		return nil, err
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
	fig.Reused = true
	fig.CountRows, err = db.BenchAnalyze(ctx)
	return ds, err
}

// benchLoad writes places, raw observation rows and their facility-month counts. The
// counts are summed from the very rows written, so counts and raw must agree.
func benchLoad(ctx context.Context, progress io.Writer, db *sqlstore.DB, nFac int, months []string, nObs int, fig *benchFigures) ([]*place.OrgUnit, error) {
	country := &place.OrgUnit{Name: "Bench country", Type: place.Country, Code: "BENCH"}
	if err := db.CreateOrgUnit(ctx, country); err != nil {
		return nil, err
	}
	nDist := (nFac + 49) / 50
	var districts []*place.OrgUnit
	var facs []*place.OrgUnit
	for d := 0; d < nDist; d++ {
		dist := &place.OrgUnit{Name: fmt.Sprintf("District %02d", d+1), Type: place.District, ParentID: &country.ID}
		if err := db.CreateOrgUnit(ctx, dist); err != nil {
			return nil, err
		}
		districts = append(districts, dist)
	}
	for f := 0; f < nFac; f++ {
		fac := &place.OrgUnit{Name: fmt.Sprintf("Facility %04d", f+1), Type: place.Facility, ParentID: &districts[f%nDist].ID}
		if err := db.CreateOrgUnit(ctx, fac); err != nil {
			return nil, err
		}
		facs = append(facs, fac)
	}
	if err := db.CreateBenchRaw(ctx); err != nil {
		return nil, err
	}
	if err := db.IndexBenchRaw(ctx); err != nil {
		return nil, err
	}
	var err error
	rng := rand.New(rand.NewPCG(1500, 5))
	perCell := float64(nObs) / float64(nFac*len(months))
	written := 0
	ns, ps := make([]int, len(months)), make([]float64, len(months))
	for fi, fac := range facs {
		skill := 0.4 + 0.4*rng.Float64()
		for mi := range months {
			// Spread the observations so the total is exact: floor plus a remainder share.
			ns[mi] = int(perCell*float64(fi*len(months)+mi+1)) - int(perCell*float64(fi*len(months)+mi))
			ps[mi] = math.Min(0.98, skill+0.3*float64(mi)/float64(len(months)))
			written += ns[mi]
		}
		// The rows are drawn in the database; the counts are summed from them there.
		if err := db.BenchGenerate(ctx, fac.ID, months, ns, ps); err != nil {
			return nil, err
		}
		if fi%10 == 9 || fi == len(facs)-1 {
			bar := strings.Repeat("#", 30*(fi+1)/len(facs))
			fmt.Fprintf(progress, "\r[%-30s] %3d%%  %d/%d facilities  %d observations", bar, 100*(fi+1)/len(facs), fi+1, len(facs), written)
		}
	}
	fmt.Fprintln(progress)
	fmt.Fprintln(progress, "analysing the tables…")
	if fig.CountRows, err = db.BenchAnalyze(ctx); err != nil {
		return nil, err
	}
	return districts, nil
}

// benchMeasure times each query over districts in turn and checks counts and raw agree.
func benchMeasure(ctx context.Context, db *sqlstore.DB, districts []*place.OrgUnit, months []string, fig *benchFigures) error {
	from, to := months[0], months[len(months)-1]
	yearFrom := months[max(0, len(months)-12)]
	ids := sqlstore.BenchRawIndicators
	type timing struct{ wall, cpu []float64 }
	time1 := func(n int, f func(i int) error) (timing, error) {
		var tm timing
		for i := 0; i < n; i++ {
			c := cpuTime()
			t := time.Now()
			if err := f(i); err != nil {
				return tm, err
			}
			tm.wall = append(tm.wall, float64(time.Since(t).Microseconds())/1000)
			tm.cpu = append(tm.cpu, float64((cpuTime()-c).Microseconds())/1000)
		}
		return tm, nil
	}
	under := func(i int) []string { return []string{districts[i%len(districts)].Path} }
	series, err := time1(fig.Runs, func(i int) error {
		_, err := db.DistrictSeries(ctx, ids[i%len(ids)], under(i), from, to)
		return err
	})
	if err != nil {
		return err
	}
	heat, err := time1(fig.Runs, func(i int) error {
		_, err := db.FacilityTotals(ctx, under(i), yearFrom, to)
		return err
	})
	if err != nil {
		return err
	}
	rawSeries, err := time1(fig.RawRuns, func(i int) error {
		_, err := db.RawSeries(ctx, i%len(ids), under(i), from, to)
		return err
	})
	if err != nil {
		return err
	}
	rawHeat, err := time1(fig.RawRuns, func(i int) error {
		_, err := db.RawFacilityTotals(ctx, under(i), yearFrom, to)
		return err
	})
	if err != nil {
		return err
	}
	fig.SeriesP50ms, fig.SeriesP95ms = pct(series.wall, 50), pct(series.wall, 95)
	fig.HeatmapP50ms, fig.HeatmapP95ms = pct(heat.wall, 50), pct(heat.wall, 95)
	fig.RawSeriesP95ms, fig.RawHeatP95ms = pct(rawSeries.wall, 95), pct(rawHeat.wall, 95)
	fig.SeriesSpeedup = math.Round(fig.RawSeriesP95ms/fig.SeriesP95ms*10) / 10
	fig.HeatSpeedup = math.Round(fig.RawHeatP95ms/fig.HeatmapP95ms*10) / 10
	fig.SeriesCPUP95ms, fig.HeatmapCPUP95ms = pct(series.cpu, 95), pct(heat.cpu, 95)
	fig.RawSeriesCPUP95ms, fig.RawHeatCPUP95ms = pct(rawSeries.cpu, 95), pct(rawHeat.cpu, 95)
	// On PostgreSQL the query runs in the server process, outside this one's CPU time.
	if fig.SeriesCPUP95ms > 0 && fig.HeatmapCPUP95ms > 0 {
		fig.SeriesCPUSpeedup = math.Round(fig.RawSeriesCPUP95ms/fig.SeriesCPUP95ms*10) / 10
		fig.HeatCPUSpeedup = math.Round(fig.RawHeatCPUP95ms/fig.HeatmapCPUP95ms*10) / 10
	}
	// The same numbers both ways, for one district and indicator.
	a, err := db.DistrictSeries(ctx, ids[0], under(0), from, to)
	if err != nil {
		return err
	}
	b, err := db.RawSeries(ctx, 0, under(0), from, to)
	if err != nil {
		return err
	}
	fig.SameNumbers = len(a) == len(b)
	for i := range a {
		if fig.SameNumbers && (a[i] != b[i]) {
			fig.SameNumbers = false
		}
	}
	return nil
}

// pct is the p-th percentile (nearest rank) in milliseconds, to 0.01 ms.
func pct(ms []float64, p float64) float64 {
	s := append([]float64(nil), ms...)
	sort.Float64s(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return math.Round(s[max(0, i)]*100) / 100
}
