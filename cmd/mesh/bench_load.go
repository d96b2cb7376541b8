package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mesh/api"
	"mesh/demo"
	"mesh/place"
	"mesh/staff"
)

// `mesh bench load` lives in its own file: the bench command is wrapped here rather
// than edited, so that `bench dashboards` stays exactly as it was. Go runs the init
// functions of a package's files in file-name order, so bench.go has registered
// "bench" by the time this runs.
func init() {
	prev, ok := commands["bench"]
	if !ok {
		panic("bench_load.go: the bench command must be registered first")
	}
	command("bench", prev.summary+"; bench load: concurrent clients against a local server", func(env *Env, args []string) error {
		if len(args) > 0 && args[0] == "load" {
			return runBenchLoad(env, args[1:])
		}
		return prev.run(env, args)
	})
}

// loadFigures is what `mesh bench load` prints (JSON on stdout).
type loadFigures struct {
	Database     string                   `json:"database"`
	Clients      int                      `json:"clients"`
	Mentors      int                      `json:"mentor_clients"`
	Supervisors  int                      `json:"supervisor_clients"`
	Seconds      float64                  `json:"seconds"`
	Cores        int                      `json:"cores"`
	GOMAXPROCS   int                      `json:"gomaxprocs"`
	Requests     int                      `json:"requests"`
	Errors       int                      `json:"errors"`
	RecordsSent  int                      `json:"records_stored"`
	PeakRSSMB    float64                  `json:"peak_rss_mb"`
	PeakHeapMB   float64                  `json:"peak_heap_mb"`
	PeakGorout   int                      `json:"peak_goroutines"`
	Endpoints    map[string]*endpointStat `json:"endpoints"`
	FirstErrors  []string                 `json:"first_errors,omitempty"`
	ServerInProc bool                     `json:"server_in_process"`
}

type endpointStat struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	Maxms    float64 `json:"max_ms"`
	ms       []float64
}

func runBenchLoad(env *Env, args []string) error {
	fs := newFlags(env, "bench load", "bench load [--clients 200] [--duration 60s] [--think 1s] [--db DSN]\n\n"+
		"Starts the real handler on 127.0.0.1 over a fresh database with the demo data set, then runs\n"+
		"simulated mentors (syncing visits and observations) and supervisors (dashboards, indicator\n"+
		"values, cadence) for a bounded time, and prints errors, p50/p99 per endpoint and peak memory.\n\nFlags:")
	// Not MESH_DB: the load writes thousands of synthetic records and must never land in
	// a programme's database by accident; it refuses a database that already has places.
	dsn := fs.String("db", "", "database: a new SQLite file or an empty postgres:// database (default: a temporary SQLite file)")
	clients := fs.Int("clients", 200, "concurrent simulated clients")
	duration := fs.Duration("duration", 60*time.Second, "how long the clients run (bounded)")
	think := fs.Duration("think", time.Second, "mean pause between one client's requests")
	mentorShare := fs.Float64("mentors", 0.5, "share of clients that are mentors syncing (the rest read dashboards)")
	batch := fs.Int("batch", 10, "observations per sync upload (plus one visit)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if *clients < 1 || *clients > 2000 || *duration <= 0 || *duration > 30*time.Minute || *think < 0 ||
		*mentorShare < 0 || *mentorShare > 1 || *batch < 1 || *batch >= api.MaxSyncRecords {
		return usageT(env, "cli.err.bench_load_flags")
	}
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "mesh-bench-load-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dsn = filepath.Join(dir, "load.db")
	}
	ctx := context.Background()
	db, err := openDB(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, n, err := db.FindOrgUnits(ctx, place.Filter{Limit: 1}); err != nil {
		return err
	} else if n > 0 {
		return usageT(env, "cli.err.bench_not_empty", "bench load", describeDSN(*dsn))
	}
	// The full demo (a year of mentoring) so the dashboards read real counts.
	if _, err := demo.Load(ctx, db); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newHandler(db, logger, false, nil), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	lc := newLoadClient(base, *clients)
	fig, err := runLoad(ctx, lc, loadPlan{clients: *clients, duration: *duration, think: *think, mentorShare: *mentorShare, batch: *batch})
	if err != nil {
		return err
	}
	fig.Database = string(db.Dialect)
	fig.ServerInProc = true
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(fig)
}

type loadPlan struct {
	clients     int
	duration    time.Duration
	think       time.Duration
	mentorShare float64
	batch       int
}

// mentorTarget is where one demo mentor may write: a facility in their area and a
// health worker there.
type mentorTarget struct {
	token      string
	facilityID int64
	workerID   int64
}

// runLoad logs the demo users in, then runs the clients until the duration is over.
func runLoad(ctx context.Context, lc *syncClient, p loadPlan) (*loadFigures, error) {
	var targets []mentorTarget
	for _, m := range []struct{ user, facility string }{
		{"mentor.kayonza", "Rwinkwavu Health Centre"}, {"mentor.kirehe1", "Nyarubuye Health Centre"}, {"mentor.kirehe2", ""},
	} {
		tok, err := lc.login(ctx, m.user, demo.Password)
		if err != nil {
			return nil, err
		}
		fac, hw, err := lc.facilityAndWorker(ctx, tok, m.facility)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.user, err)
		}
		targets = append(targets, mentorTarget{token: tok, facilityID: fac, workerID: hw})
	}
	type reader struct {
		token    string
		district int64
	}
	var readers []reader
	for _, u := range []string{"supervisor.kayonza", "supervisor.kirehe", "manager"} {
		tok, err := lc.login(ctx, u, demo.Password)
		if err != nil {
			return nil, err
		}
		var d []struct{ ID int64 }
		if err := lc.getJSON(ctx, tok, "/api/v1/orgunits?type=district", &d); err != nil || len(d) == 0 {
			return nil, fmt.Errorf("%s districts: %v", u, err)
		}
		readers = append(readers, reader{token: tok, district: d[0].ID})
	}

	rec := newRecorder()
	stopMem := make(chan struct{})
	memDone := make(chan struct{})
	var peakHeap uint64
	var peakG int
	go func() {
		// Sampled, not exact: ReadMemStats stops the world briefly, so 5 times a second.
		defer close(memDone)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapInuse)
			peakG = max(peakG, runtime.NumGoroutine())
			select {
			case <-stopMem:
				return
			case <-tick.C:
			}
		}
	}()
	runCtx, cancel := context.WithTimeout(ctx, p.duration)
	defer cancel()
	nMentors := int(float64(p.clients)*p.mentorShare + 0.5)
	var stored atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	run := runID()
	for c := 0; c < p.clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(c), 42))
			pause := func() bool {
				d := time.Duration(0)
				if p.think > 0 {
					d = time.Duration(rng.ExpFloat64() * float64(p.think))
				}
				select {
				case <-runCtx.Done():
					return false
				case <-time.After(d):
					return true
				}
			}
			// Stagger the start over one think time so the clients do not all fire at once.
			if p.think > 0 {
				select {
				case <-runCtx.Done():
					return
				case <-time.After(time.Duration(rng.Float64() * float64(p.think))):
				}
			}
			if c < nMentors {
				tg := targets[c%len(targets)]
				cursor := ""
				for i := 0; runCtx.Err() == nil; i++ {
					recs := loadBatch(run, c, i, tg, p.batch)
					t0 := time.Now()
					// Requests run on ctx, not runCtx: one begun before the end is let
					// finish and counted, so no error is excused as "the clock ran out".
					res, st, err := lc.post(ctx, tg.token, recs)
					ok := err == nil && st == 200 && len(res) == len(recs)
					for _, r := range res {
						ok = ok && (r.Status == "stored" || r.Status == "already_stored")
					}
					rec.add("POST /api/v1/sync", time.Since(t0), ok, fmt.Sprintf("status %d err %v results %v", st, err, res))
					if ok {
						stored.Add(int64(len(recs)))
					}
					if !pause() {
						return
					}
					if i%3 == 2 { // now and then the device pulls what changed
						t0 = time.Now()
						var ch struct{ Cursor string }
						err := lc.getJSON(ctx, tg.token, "/api/v1/sync/changes?limit=200&since="+cursor, &ch)
						rec.add("GET /api/v1/sync/changes", time.Since(t0), err == nil, fmt.Sprint(err))
						if err == nil {
							cursor = ch.Cursor
						}
						if !pause() {
							return
						}
					}
				}
				return
			}
			rd := readers[c%len(readers)]
			for i := 0; runCtx.Err() == nil; i++ {
				var label, path string
				switch i % 3 {
				case 0:
					label, path = "GET /dashboard", "/dashboard"
				case 1:
					ind := []string{"imci.correctly_managed", "imci.correct_classification", "imci.breaths_counted", "mentoring.visits"}[rng.IntN(4)]
					label, path = "GET /api/v1/indicators/{id}/values", fmt.Sprintf("/api/v1/indicators/%s/values?orgunit=%d&from=2026-01&to=2026-11", ind, rd.district)
				default:
					label, path = "GET /api/v1/cadence", "/api/v1/cadence"
				}
				t0 := time.Now()
				st, err := lc.get(ctx, rd.token, path)
				rec.add(label, time.Since(t0), err == nil && st == 200, fmt.Sprintf("%s: status %d err %v", path, st, err))
				if !pause() {
					return
				}
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopMem)
	<-memDone
	fig := &loadFigures{Clients: p.clients, Mentors: nMentors, Supervisors: p.clients - nMentors,
		Seconds: float64(elapsed.Round(100*time.Millisecond)) / float64(time.Second),
		Cores:   runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), RecordsSent: int(stored.Load()),
		PeakHeapMB: mb(peakHeap), PeakGorout: peakG, PeakRSSMB: peakRSSMB()}
	fig.Endpoints, fig.Requests, fig.Errors, fig.FirstErrors = rec.figures()
	return fig, nil
}

func mb(b uint64) float64 { return float64(b*10/(1<<20)) / 10 }

// peakRSSMB is the process's high-water resident set (Linux VmHWM), 0 elsewhere.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return float64(int(kb/1024*10)) / 10
		}
	}
	return 0
}

// recorder collects latencies and errors per endpoint.
type recorder struct {
	mu     sync.Mutex
	stats  map[string]*endpointStat
	first  []string
	errors int
}

func newRecorder() *recorder { return &recorder{stats: map[string]*endpointStat{}} }

func (r *recorder) add(label string, d time.Duration, ok bool, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats[label]
	if s == nil {
		s = &endpointStat{}
		r.stats[label] = s
	}
	s.Requests++
	s.ms = append(s.ms, float64(d.Microseconds())/1000)
	if !ok {
		s.Errors++
		r.errors++
		if len(r.first) < 5 {
			r.first = append(r.first, label+": "+truncate(detail, 300))
		}
	}
}

func (r *recorder) figures() (map[string]*endpointStat, int, int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.stats {
		sort.Float64s(s.ms)
		s.P50ms, s.P99ms, s.Maxms = pct(s.ms, 50), pct(s.ms, 99), pct(s.ms, 100)
		n += s.Requests
	}
	return r.stats, n, r.errors, r.first
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// loadBatch is one mentor upload: a new visit and its observations, ids unique per run,
// client and round.
func loadBatch(run string, client, round int, tg mentorTarget, n int) []api.SyncRecord {
	visitID := recordUUID(run, 0xA000+client, round)
	month := 1 + (client+round)%10
	recs := []api.SyncRecord{{Type: "visit", ID: visitID,
		Data: json.RawMessage(fmt.Sprintf(`{"facility_id":%d,"date":"2026-%02d-10"}`, tg.facilityID, month))}}
	for k := 0; k < n; k++ {
		recs = append(recs, api.SyncRecord{Type: "observation", ID: recordUUID(run, client, round*api.MaxSyncRecords+k),
			Data: json.RawMessage(SyntheticObservation(visitID, tg.workerID, month, client*7+round*3+k))})
	}
	return recs
}

// runID is random so that runs against one PostgreSQL database never share ids.
func runID() string {
	b := make([]byte, 2)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// recordUUID makes a well-formed UUIDv7-shaped id from a run, a stream and a counter,
// so a test can tell exactly which records it sent.
func recordUUID(run string, stream, n int) string {
	return fmt.Sprintf("0190%s-%04x-7000-8000-%012x", run, stream&0xffff, n)
}

var syntheticTasks = []string{"ask_drink_or_breastfeed", "ask_vomits_everything", "ask_convulsions", "look_lethargic_unconscious",
	"ask_cough", "ask_diarrhoea", "ask_fever", "ask_ear_problem", "count_breaths_one_minute", "look_chest_indrawing",
	"look_listen_stridor_wheeze", "measure_temperature", "weigh", "plot_growth_chart", "look_oedema", "check_palmar_pallor",
	"check_immunization_card", "measure_muac", "assess_feeding"}

// SyntheticObservation is a valid child observation (the pneumonia case of the API
// tests) varied by k: the breathing rate, whether the worker classified right, and one
// skipped task, so that the records fill many different indicator counts.
func SyntheticObservation(visitID string, workerID int64, month, k int) string {
	tasks := map[string]bool{}
	skip := syntheticTasks[k%len(syntheticTasks)]
	for _, t := range syntheticTasks {
		tasks[t] = t != skip || k%4 == 0
	}
	tj, _ := json.Marshal(tasks)
	rr := 30 + k%30
	classes := `"PNEUMONIA","NO_ANAEMIA","NO_ACUTE_MALNUTRITION"`
	if k%3 == 1 {
		classes = `"COUGH_OR_COLD","NO_ANAEMIA","NO_ACUTE_MALNUTRITION"`
	}
	return fmt.Sprintf(`{"visit_id":%q,"health_worker_id":%d,"observed_at":"2026-%02d-10T09:30:00+02:00","protocol":"imci-who-2014",
"recording_form_used":true,"assessment":{"schema_version":"1.0","age_months":14,"sex":"female","weight_kg":9.5,"temperature_c":37.0,"setting":{"malaria_risk":"low"},
"danger_signs":{"not_able_to_drink_or_breastfeed":false,"vomits_everything":false,"convulsions_this_illness":false,"lethargic_or_unconscious":false,"convulsing_now":false},
"cough":{"present":true,"duration_days":3,"respiratory_rate":%d,"chest_indrawing":false,"stridor_when_calm":false,"wheeze":false},
"diarrhoea":{"present":false},"fever":{"reported":false},"ear":{"present":false},
"nutrition":{"oedema_both_feet":false,"muac_mm":140,"wfh_z":-0.5},"anaemia":{"palmar_pallor":"none"}},
"worker":{"tasks":%s,"classifications":[%s],
"treatments":[{"code":"AMOXICILLIN_ORAL","units_per_dose":1,"unit":"tablet_250mg","frequency_per_day":2,"duration_days":5}],
"referred":false,"follow_up_days":3,
"counselling":{"advised_when_to_return_immediately":true,"taught_how_to_give_oral_drugs":true,"first_dose_given_at_facility":true,"feeding_counselled":true,"fluids_and_feeding_advised":%t}},
"notes":"synthetic record %d"}`, visitID, workerID, month, rr, tj, classes, k%5 != 0, k)
}

// syncClient is a minimal device: it logs in and posts sync batches.
type syncClient struct {
	base string
	http *http.Client
}

func newLoadClient(base string, conns int) *syncClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns+10, conns+10
	return &syncClient{base: base, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

func (c *syncClient) login(ctx context.Context, user, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	req, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/api/v1/auth/token", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Token == "" {
		return "", fmt.Errorf("login %s: status %d", user, resp.StatusCode)
	}
	return out.Token, nil
}

// facilityAndWorker picks the named facility (or the first one the caller can write
// to) and a health worker there.
func (c *syncClient) facilityAndWorker(ctx context.Context, token, name string) (int64, int64, error) {
	var facs []struct {
		ID   int64
		Name string
	}
	if err := c.getJSON(ctx, token, "/api/v1/orgunits?type=facility", &facs); err != nil {
		return 0, 0, err
	}
	for _, f := range facs {
		if name != "" && f.Name != name {
			continue
		}
		var hws []staff.HealthWorker
		if err := c.getJSON(ctx, token, fmt.Sprintf("/api/v1/health-workers?facility_id=%d", f.ID), &hws); err != nil {
			return 0, 0, err
		}
		for _, hw := range hws {
			if hw.FacilityID == f.ID {
				return f.ID, hw.ID, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("no facility %q with a health worker", name)
}

// post sends one sync batch and returns the per-record results. A transport error or
// a non-200 status means nothing in the batch is acknowledged.
func (c *syncClient) post(ctx context.Context, token string, recs []api.SyncRecord) ([]api.SyncResult, int, error) {
	body, err := json.Marshal(map[string]any{"records": recs})
	if err != nil {
		return nil, 0, err
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/api/v1/sync", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, err
	}
	if resp.StatusCode != 200 {
		return nil, resp.StatusCode, fmt.Errorf("status %d: %s", resp.StatusCode, truncate(string(b), 300))
	}
	var out struct{ Results []api.SyncResult }
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, resp.StatusCode, err
	}
	return out.Results, resp.StatusCode, nil
}

func (c *syncClient) get(ctx context.Context, token, path string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

func (c *syncClient) getJSON(ctx context.Context, token, path string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, truncate(string(b), 200))
	}
	// List endpoints answer either a bare array or {"items":[…]}; accept both.
	if len(b) > 0 && b[0] == '{' {
		var wrapped struct {
			Items json.RawMessage `json:"items"`
		}
		if json.Unmarshal(b, &wrapped) == nil && len(wrapped.Items) > 0 {
			if err := json.Unmarshal(wrapped.Items, v); err == nil {
				return nil
			}
		}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.Join(fmt.Errorf("GET %s: %.200s", path, b), err)
	}
	return nil
}
