package dhis2

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"mesh"
)

// Schedule is an admin's settings for the monthly push: off by default, and a dry
// run until someone who has read a dry run's log says otherwise.
type Schedule struct {
	Enabled  bool   `json:"enabled"`
	URL      string `json:"url"`
	Token    string `json:"-"` // never sent back: TokenSet says whether there is one
	TokenSet bool   `json:"token_set"`
	// TokenError says why a stored token cannot be read (sealed under another key);
	// Token is then "" and a save without a new token keeps the stored one.
	TokenError string    `json:"token_error,omitempty"`
	DayOfMonth int       `json:"day_of_month"` // push last month's data on this day (1–28)
	DryRun     bool      `json:"dry_run"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// DefaultSchedule is the settings before an admin saves any.
func DefaultSchedule() *Schedule { return &Schedule{DayOfMonth: 5, DryRun: true} }

// Validate checks a schedule; every problem names its field.
func (s *Schedule) Validate() error {
	var errs []mesh.FieldError
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			errs = append(errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: "url",
				Message: "url must be the DHIS2 server's http(s) address, e.g. https://dhis2.example.org, without a user or password"})
		}
	}
	if s.DayOfMonth < 1 || s.DayOfMonth > 28 {
		errs = append(errs, mesh.FieldError{Code: "OUT_OF_RANGE", Field: "day_of_month",
			Message: "day_of_month must be 1 to 28 (every month has it)"})
	}
	if s.Enabled && s.URL == "" {
		errs = append(errs, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "url", Message: "url is required to turn the monthly push on"})
	}
	if s.Enabled && s.Token == "" {
		errs = append(errs, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "token", Message: "token is required to turn the monthly push on"})
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// TokenUnreadable starts the error a push logs when the stored token does not
// decrypt: the key it was sealed under is not this server's.
const TokenUnreadable = "cannot decrypt the DHIS2 token: was MESH_SECRET_KEY changed?"

// Job statuses.
const (
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
)

// Job origins: the monthly schedule, or an admin's "push now".
const (
	OriginScheduled = "scheduled"
	OriginManual    = "manual"
)

// Job is one push of a period, with its log: what the admin page shows.
type Job struct {
	ID          int64       `json:"id"`
	Period      string      `json:"period"`
	Status      string      `json:"status"`
	DryRun      bool        `json:"dry_run"`
	Origin      string      `json:"origin"`               // OriginScheduled or OriginManual
	StartedBy   string      `json:"started_by,omitempty"` // the admin who pressed "push now"
	StartedByID int64       `json:"-"`
	Attempts    int         `json:"attempts"`
	Count       ImportCount `json:"import_count"`
	Conflicts   []string    `json:"conflicts"` // in plain words
	Log         []LogLine   `json:"log"`
	StartedAt   time.Time   `json:"started_at"`
	EndedAt     *time.Time  `json:"ended_at,omitempty"`
}

// LogLine is one timestamped line of a job's log.
type LogLine struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

func (j *Job) logf(now time.Time, format string, args ...any) {
	j.Log = append(j.Log, LogLine{At: now.UTC(), Text: fmt.Sprintf(format, args...)})
}

// ScheduleStore keeps the schedule, its jobs and the lease (sqlstore.DB).
type ScheduleStore interface {
	DHIS2Schedule(ctx context.Context) (*Schedule, error)
	// AcquireLease takes or renews the named lease for holder until now+ttl, and
	// reports false when another holder's lease has not run out.
	AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	// FindDHIS2Jobs lists jobs newest first; period "" means every period.
	FindDHIS2Jobs(ctx context.Context, period string, limit int) ([]*Job, error)
	SaveDHIS2Job(ctx context.Context, j *Job) error // inserts when j.ID is 0
}

// PayloadSource gives what a payload is built from (sqlstore.DB).
type PayloadSource interface {
	DHIS2Mapping(ctx context.Context) (*Mapping, error)
	DHIS2FacilityCounts(ctx context.Context, ids []string, under []string, p Period, now time.Time) ([]FacilityCounts, error)
}

// BuildPayload builds the whole country's payload for p from the stored mapping and
// counts, as `mesh dhis2 export` does, and names the facilities left out.
func BuildPayload(ctx context.Context, src PayloadSource, p Period, now time.Time) (*DataValueSet, *Mapping, []Skipped, error) {
	m, err := src.DHIS2Mapping(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	var ids []string
	for _, e := range m.Entries {
		if !slices.Contains(ids, e.Indicator) {
			ids = append(ids, e.Indicator)
		}
	}
	counts, err := src.DHIS2FacilityCounts(ctx, ids, nil, p, now)
	if err != nil {
		return nil, nil, nil, err
	}
	set, skipped := Build(m, p, counts)
	return set, m, skipped, nil
}

// LeaseName is the lease every server competes for before a push, scheduled or
// started by hand: whoever holds it is the only one pushing.
const LeaseName = "dhis2.monthly_push"

// Scheduler pushes last month's payload once a month, on the schedule's day, with
// retries, whatever the number of servers: each tick, a server first takes the
// lease in the database, so at most one push runs at a time. Start runs the same
// push at once for an admin ("push now"), under the same lease.
type Scheduler struct {
	Store   ScheduleStore
	Source  PayloadSource
	Holder  string           // this server, e.g. host:pid
	Now     func() time.Time // injected in tests
	Sleep   func(ctx context.Context, d time.Duration) error
	HTTP    *http.Client
	Backoff []time.Duration // waits between attempts; default 1, 5 and 30 minutes
	Logger  *slog.Logger
	// Background is the server's lifetime: pushes started by hand stop with it
	// (default: they run to their end).
	Background context.Context

	running sync.WaitGroup // pushes started by hand, still running
	manual  atomic.Int64   // numbers each manual push's lease holder
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Scheduler) backoff() []time.Duration {
	if s.Backoff != nil {
		return s.Backoff
	}
	return []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute}
}

// leaseTTL outlives every retry's wait and a slow DHIS2 (the client's 10 minutes per
// attempt), so the lease cannot run out under a working holder.
func leaseTTL(backoff []time.Duration) time.Duration {
	var wait time.Duration
	for _, d := range backoff {
		wait += d
	}
	return wait + time.Duration(len(backoff)+1)*11*time.Minute
}

// Due says which period is to be pushed at now, or "" when nothing is: the schedule
// is on, its day has come (UTC), and last month has no finished scheduled job with
// the same dry-run setting (a failed one that used every retry counts as finished;
// its log says why, and the next month tries again). A push started by hand does
// not count: the figures may have changed since, and pushing again only updates.
func Due(sc *Schedule, jobs []*Job, now time.Time) string {
	now = now.UTC()
	if !sc.Enabled || now.Day() < sc.DayOfMonth {
		return ""
	}
	period := LastMonth(now)
	for _, j := range jobs {
		if j.Period == period && j.DryRun == sc.DryRun && j.Status != JobRunning && j.Origin != OriginManual {
			return ""
		}
	}
	return period
}

// LastMonth is the DHIS2 id of the month before now's (UTC): what a push sends by default.
func LastMonth(now time.Time) string {
	now = now.UTC()
	return now.AddDate(0, 0, -now.Day()+1).AddDate(0, -1, 0).Format("200601")
}

// Tick runs the due push, if any, holding the lease; it returns the job it ran (nil
// when nothing was due or another server holds the lease).
func (s *Scheduler) Tick(ctx context.Context) (*Job, error) {
	sc, err := s.Store.DHIS2Schedule(ctx)
	if err != nil || !sc.Enabled {
		return nil, err
	}
	backoff := s.backoff()
	ok, err := s.Store.AcquireLease(ctx, LeaseName, s.Holder, s.now(), leaseTTL(backoff))
	if err != nil || !ok {
		return nil, err
	}
	defer s.release(ctx, s.Holder)
	// Read the jobs only under the lease, so two servers cannot both find the month due;
	// only last month's, so pushes by hand cannot crowd the month's own out of the list.
	jobs, err := s.Store.FindDHIS2Jobs(ctx, LastMonth(s.now()), 100)
	if err != nil {
		return nil, err
	}
	period := Due(sc, jobs, s.now()) // before closeOrphans: a month whose push died is still due
	if err := s.closeOrphans(ctx); err != nil {
		return nil, err
	}
	if period == "" {
		return nil, nil
	}
	j, err := s.begin(ctx, sc, &Job{Period: period, DryRun: sc.DryRun, Origin: OriginScheduled})
	if err != nil {
		return nil, err
	}
	return s.run(ctx, sc, j, s.Holder, backoff)
}

// closeOrphans ends, as failed, the jobs still marked running: the caller holds the
// lease, and only a lease holder pushes, so such a job's server stopped (a crash, a
// kill) before it could write its end. Left alone, the log would show it running
// for ever.
func (s *Scheduler) closeOrphans(ctx context.Context) error {
	jobs, err := s.Store.FindDHIS2Jobs(ctx, "", 100)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if j.Status != JobRunning {
			continue
		}
		end := s.now().UTC()
		j.Status, j.EndedAt = JobFailed, &end
		j.logf(end, "ended: failed: the server running this push stopped before it ended (its lease ran out); "+
			"whether DHIS2 received the data is not known: the next push sends it again")
		if err := s.Store.SaveDHIS2Job(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scheduler) release(ctx context.Context, holder string) {
	if err := s.Store.ReleaseLease(context.WithoutCancel(ctx), LeaseName, holder); err != nil {
		s.log().Error("dhis2 push: release lease", "err", err)
	}
}

const pushRunning = "a push is already running: wait for it to end (its log is on the DHIS2 page)"

// ErrPushRunning is Start's answer while any server holds the push lease (HTTP 409;
// its code PUSH_RUNNING is said in the caller's language as api.error.push_running).
var ErrPushRunning = &mesh.Error{Code: mesh.ECONFLICT, Message: pushRunning, Fields: []mesh.FieldError{{Code: "PUSH_RUNNING", Message: pushRunning}}}

// Start pushes period now with the saved address and token, dry run or not, for the
// actor of ctx (an admin's "push now"): it takes the same lease as the scheduled
// push, saves the job (running) and returns it, and pushes in the background. It
// answers ErrPushRunning while another push holds the lease, on any server, and
// EINVALID naming the field for a bad period or missing settings.
func (s *Scheduler) Start(ctx context.Context, period string, dryRun bool) (*Job, error) {
	p, err := ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	if p.Type != Monthly {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "period",
			Message: fmt.Sprintf("period %q must be a month, e.g. 202603: the push sends one month at a time", period)})
	}
	if this := s.now().UTC().Format("200601"); p.ID > this {
		return nil, mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "period",
			Message: fmt.Sprintf("period %s has not begun: choose %s or an earlier month", p.ID, this)})
	}
	sc, err := s.Store.DHIS2Schedule(ctx)
	if err != nil {
		return nil, err
	}
	var errs []mesh.FieldError
	if sc.URL == "" {
		errs = append(errs, mesh.FieldError{Code: "NOT_CONFIGURED", Field: "url", Message: "save the DHIS2 server address in the settings first"})
	}
	if !sc.TokenSet {
		errs = append(errs, mesh.FieldError{Code: "NOT_CONFIGURED", Field: "token", Message: "save a DHIS2 token in the settings first"})
	}
	if len(errs) > 0 {
		return nil, mesh.Invalid(errs...)
	}
	// Each push by hand holds the lease under its own name, so a second click on
	// this server is refused like one on another server, and the scheduler's tick
	// here waits too.
	holder := fmt.Sprintf("%s/manual/%d", s.Holder, s.manual.Add(1))
	backoff := s.backoff()
	ok, err := s.Store.AcquireLease(ctx, LeaseName, holder, s.now(), leaseTTL(backoff))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrPushRunning
	}
	if err := s.closeOrphans(ctx); err != nil {
		s.release(ctx, holder)
		return nil, err
	}
	actor := mesh.ActorFrom(ctx)
	j, err := s.begin(ctx, sc, &Job{Period: p.ID, DryRun: dryRun, Origin: OriginManual, StartedBy: actor.Username, StartedByID: actor.UserID})
	if err != nil {
		s.release(ctx, holder)
		return nil, err
	}
	sc.DryRun = dryRun
	// The request ends now; the push goes on under the server's lifetime, keeping
	// the actor for the audit trail.
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := func() bool { return false }
	if s.Background != nil {
		stop = context.AfterFunc(s.Background, cancel)
	}
	first := *j
	first.Log, first.Conflicts = slices.Clone(j.Log), []string{}
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		defer cancel()
		defer stop()
		defer s.release(bg, holder)
		if _, err := s.run(bg, sc, j, holder, backoff); err != nil {
			s.log().Error("dhis2 push now", "period", j.Period, "err", err)
		}
	}()
	return &first, nil
}

// Wait waits for the pushes started by hand to end (tests; a server shutting down).
func (s *Scheduler) Wait() { s.running.Wait() }

func (s *Scheduler) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// begin saves a new job, running, with its first log line.
func (s *Scheduler) begin(ctx context.Context, sc *Schedule, j *Job) (*Job, error) {
	j.Status, j.StartedAt, j.Conflicts = JobRunning, s.now().UTC(), []string{}
	mode := "push"
	if j.DryRun {
		mode = "dry run (DHIS2 checks, saves nothing)"
	}
	by := "the monthly schedule"
	if j.Origin == OriginManual {
		by = "push now by " + j.StartedBy
	}
	j.logf(s.now(), "started (%s): %s of %s to %s", by, mode, j.Period, redact(sc.URL))
	if err := s.Store.SaveDHIS2Job(ctx, j); err != nil {
		return nil, err
	}
	return j, nil
}

// run builds and pushes j's payload, retrying as the backoff says and keeping
// holder's lease meanwhile, and saves the job's end.
func (s *Scheduler) run(ctx context.Context, sc *Schedule, j *Job, holder string, backoff []time.Duration) (*Job, error) {
	finish := func(status string) (*Job, error) {
		j.Status = status
		end := s.now().UTC()
		j.EndedAt = &end
		j.logf(end, "ended: %s after %d attempt(s)", status, j.Attempts)
		return j, s.Store.SaveDHIS2Job(context.WithoutCancel(ctx), j)
	}
	if sc.TokenError != "" {
		j.logf(s.now(), "error: %s", sc.TokenError)
		return finish(JobFailed)
	}
	p, err := ParsePeriod(j.Period)
	if err != nil {
		j.logf(s.now(), "error: %v", err)
		return finish(JobFailed)
	}
	set, m, skipped, err := BuildPayload(ctx, s.Source, p, s.now())
	if err != nil {
		j.logf(s.now(), "error: could not build the payload: %v", err)
		return finish(JobFailed)
	}
	for _, f := range skipped {
		j.logf(s.now(), "left out: %s (place %d) has data but no DHIS2 %s", f.Name, f.ID, m.IDScheme)
	}
	if len(set.DataValues) == 0 {
		j.logf(s.now(), "nothing to push: no mapped indicator has data for %s", j.Period)
		return finish(JobSucceeded)
	}
	j.logf(s.now(), "payload: %d data values", len(set.DataValues))
	c := &Client{BaseURL: sc.URL, Token: sc.Token, HTTP: s.HTTP}
	for attempt := 0; ; attempt++ {
		j.Attempts++
		sum, err := c.Push(ctx, set, PushOptions{DryRun: j.DryRun, IDScheme: m.IDScheme})
		if sum != nil {
			j.Count = sum.ImportCount
			j.Conflicts = j.Conflicts[:0]
			for _, cf := range sum.Conflicts {
				j.Conflicts = append(j.Conflicts, cf.Plain())
			}
			j.logf(s.now(), "DHIS2 answered: status %s — %d imported, %d updated, %d ignored, %d deleted, %d conflict(s)",
				sum.Status, sum.ImportCount.Imported, sum.ImportCount.Updated, sum.ImportCount.Ignored, sum.ImportCount.Deleted, len(sum.Conflicts))
		}
		if err == nil {
			return finish(JobSucceeded)
		}
		j.logf(s.now(), "error (attempt %d): %v", j.Attempts, err)
		// Only an unreachable server or a 5xx may mend by waiting; a refused token, a
		// bad address or DHIS2's verdict on the data (409 conflicts) will not.
		retry := (sum == nil || sum.HTTPStatus >= 500) && mesh.ErrorCode(err) != mesh.EINVALID && !errors.Is(err, ErrUnauthorized)
		if !retry || attempt >= len(backoff) {
			return finish(JobFailed)
		}
		j.logf(s.now(), "retrying in %s", backoff[attempt])
		if err := s.Store.SaveDHIS2Job(ctx, j); err != nil {
			return j, err
		}
		if err := s.sleep(ctx, backoff[attempt]); err != nil {
			j.logf(s.now(), "stopped: %v", err)
			return finish(JobFailed)
		}
		// Keep the lease while waiting and retrying.
		if ok, err := s.Store.AcquireLease(ctx, LeaseName, holder, s.now(), 45*time.Minute); err != nil || !ok {
			j.logf(s.now(), "stopped: lost the lease to another server")
			return finish(JobFailed)
		}
	}
}

// Run ticks every interval until ctx ends, logging errors (a server's background job).
func (s *Scheduler) Run(ctx context.Context, interval time.Duration) {
	for {
		if _, err := s.Tick(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log().Error("dhis2 schedule", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// redact drops any user information from an address before it is logged.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an invalid address)"
	}
	return u.Redacted()
}
