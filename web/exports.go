package web

import (
	"context"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/export"
	"mesh/place"
	"mesh/sqlstore"
)

// ExportStore streams the export tables (sqlstore.DB implements it).
type ExportStore interface {
	ExportObservations(ctx context.Context, f sqlstore.ExportFilter) iter.Seq2[export.Observation, error]
	ExportVisits(ctx context.Context, f sqlstore.ExportFilter) iter.Seq2[export.Visit, error]
	ExportIndicatorCounts(ctx context.Context, f sqlstore.ExportFilter) iter.Seq2[export.IndicatorCount, error]
	ExportReadinessChecks(ctx context.Context, f sqlstore.ExportFilter) iter.Seq2[export.ReadinessCheck, error]
	ExportStockEvents(ctx context.Context, f sqlstore.ExportFilter) iter.Seq2[export.StockEvent, error]
	ExportIssues(ctx context.Context, f sqlstore.ExportFilter) iter.Seq2[export.Issue, error]
	ExportQICycles(ctx context.Context, f sqlstore.ExportFilter) iter.Seq2[export.QICycle, error]
}

// exportKind is one downloadable table and the permission it needs. Observations are
// named per-worker results ("supporting, not policing"), so they need
// ReadObservations (mentors, facility in-charges); supervisors and managers get the
// visit log and the aggregate indicator table, as on their other pages.
type exportKind struct {
	Name string
	Perm account.Permission
	// Key is the table's description in the catalog.
	Key   string
	write func(ExportStore, context.Context, sqlstore.ExportFilter, io.Writer, export.Format, export.Options) (int, error)
}

var exportKinds = []exportKind{
	{"observations", account.ReadObservations, "export.table.observations",
		func(s ExportStore, ctx context.Context, f sqlstore.ExportFilter, w io.Writer, ff export.Format, o export.Options) (int, error) {
			return export.WriteObservations(w, ff, s.ExportObservations(ctx, f), o)
		}},
	{"visits", account.ReadVisits, "export.table.visits",
		func(s ExportStore, ctx context.Context, f sqlstore.ExportFilter, w io.Writer, ff export.Format, o export.Options) (int, error) {
			return export.WriteVisits(w, ff, s.ExportVisits(ctx, f), o)
		}},
	{"indicators", account.ReadIndicators, "export.table.indicators",
		func(s ExportStore, ctx context.Context, f sqlstore.ExportFilter, w io.Writer, ff export.Format, o export.Options) (int, error) {
			return export.WriteIndicators(w, ff, s.ExportIndicatorCounts(ctx, f), o)
		}},
	{"readiness", account.ReadReadiness, "export.table.readiness",
		func(s ExportStore, ctx context.Context, f sqlstore.ExportFilter, w io.Writer, ff export.Format, o export.Options) (int, error) {
			return export.WriteReadinessChecks(w, ff, s.ExportReadinessChecks(ctx, f), o)
		}},
	{"stockouts", account.ReadReadiness, "export.table.stockouts",
		func(s ExportStore, ctx context.Context, f sqlstore.ExportFilter, w io.Writer, ff export.Format, o export.Options) (int, error) {
			return export.WriteStockEvents(w, ff, s.ExportStockEvents(ctx, f), o)
		}},
	{"issues", account.ReadIssues, "export.table.issues",
		func(s ExportStore, ctx context.Context, f sqlstore.ExportFilter, w io.Writer, ff export.Format, o export.Options) (int, error) {
			return export.WriteIssues(w, ff, s.ExportIssues(ctx, f), o)
		}},
	{"qi-cycles", account.ReadQI, "export.table.qi_cycles",
		func(s ExportStore, ctx context.Context, f sqlstore.ExportFilter, w io.Writer, ff export.Format, o export.Options) (int, error) {
			return export.WriteQICycles(w, ff, s.ExportQICycles(ctx, f), o)
		}},
}

// exportRoutes registers the download page and the downloads; the lead wires it
// from Routes.
func (s *Server) exportRoutes(mux *http.ServeMux) {
	if s.views == nil {
		s.views = mustViews(s.Dev)
	}
	mux.HandleFunc("GET /exports", s.exportsPage)
	// One path segment "observations.csv": ServeMux wildcards take whole segments.
	mux.HandleFunc("GET /exports/{file}", s.exportDownload)
}

// ExportsPage lists the tables the caller may download, in both formats.
type ExportsPage struct {
	Page
	From, To    string
	OrgUnit     int64
	Places      []*place.OrgUnit
	Links       []ExportLink
	NamedHidden bool // the caller may not download observations
}

// ExportLink is one table with its CSV and XLSX addresses.
type ExportLink struct {
	Name, Key string
	CSV, XLSX string
}

// exportQuery is the validated ?from=&to=&orgunit= of the page and the downloads.
type exportQuery struct {
	from, to mesh.Date
	orgunit  int64
}

func parseExportQuery(r *http.Request) (exportQuery, error) {
	var q exportQuery
	var err error
	v := r.URL.Query()
	if q.from, err = exportDay("from", v.Get("from"), false); err != nil {
		return q, err
	}
	if q.to, err = exportDay("to", v.Get("to"), true); err != nil {
		return q, err
	}
	if q.from != "" && q.to != "" && q.to < q.from {
		return q, mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "to", Message: "to must not be before from"})
	}
	if s := v.Get("orgunit"); s != "" {
		if q.orgunit, err = strconv.ParseInt(s, 10, 64); err != nil || q.orgunit <= 0 {
			return q, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "orgunit", Message: "orgunit must be a place id"})
		}
	}
	return q, nil
}

// exportDay reads a day, or a month meaning its first (from) or last (to) day; the
// same rule as `mesh export`.
func exportDay(field, s string, end bool) (mesh.Date, error) {
	if s == "" {
		return "", nil
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		if end {
			t = t.AddDate(0, 1, -1)
		}
		return mesh.Date(t.Format(time.DateOnly)), nil
	}
	if d := mesh.Date(s); d.Valid() {
		return d, nil
	}
	return "", mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: field, Message: field + " must be a day YYYY-MM-DD or a month YYYY-MM"})
}

func (q exportQuery) encode() string {
	v := url.Values{}
	if q.from != "" {
		v.Set("from", string(q.from))
	}
	if q.to != "" {
		v.Set("to", string(q.to))
	}
	if q.orgunit != 0 {
		v.Set("orgunit", strconv.FormatInt(q.orgunit, 10))
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func (s *Server) exportsPage(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadIndicators, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := parseExportQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &ExportsPage{Page: s.page(w, r, "export.title"), From: string(q.from), To: string(q.to), OrgUnit: q.orgunit}
	// The place picker lists the caller's area above facility level plus their
	// facilities, capped: a national user filters by district, not by 700 facilities.
	places, _, err := s.Store.FindOrgUnits(r.Context(), place.Filter{Under: c.Scope.Under(), Limit: 500})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Places = places
	for _, k := range exportKinds {
		if auth.Check(c, k.Perm, "") != nil {
			if k.Perm == account.ReadObservations {
				p.NamedHidden = true
			}
			continue
		}
		p.Links = append(p.Links, ExportLink{Name: k.Name, Key: k.Key,
			CSV: "/exports/" + k.Name + ".csv" + q.encode(), XLSX: "/exports/" + k.Name + ".xlsx" + q.encode()})
	}
	s.render(w, r, http.StatusOK, "exports", p)
}

// exportDownload streams one table for the caller's area (or ?orgunit= inside it):
// CSV and XLSX both start at once and never hold more than a page of rows (the XLSX
// is a zip written entry by entry, its sheet row by row).
func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request) {
	name, ext, ok := strings.Cut(r.PathValue("file"), ".")
	format, fok := export.ParseFormat(ext)
	var kind *exportKind
	for i := range exportKinds {
		if exportKinds[i].Name == name {
			kind = &exportKinds[i]
		}
	}
	if !ok || !fok || kind == nil {
		s.notFound(w, r)
		return
	}
	c := caller(r)
	if err := auth.Check(c, kind.Perm, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := parseExportQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := sqlstore.ExportFilter{From: q.from, To: q.to, Under: c.Scope.Under()}
	if q.orgunit != 0 {
		o, err := s.Store.FindOrgUnitByID(r.Context(), q.orgunit)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := auth.Check(c, kind.Perm, o.Path); err != nil {
			s.fail(w, r, err)
			return
		}
		f.Under = []string{o.Path}
	}
	es, ok := s.Store.(ExportStore)
	if !ok {
		s.fail(w, r, mesh.Errorf(mesh.EINTERNAL, "the store cannot stream exports"))
		return
	}
	lang := language(w, r)
	h := w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Disposition", `attachment; filename="mesh-`+name+q.fileSuffix()+"."+string(format)+`"`)
	h.Set("Cache-Control", "no-store")
	// A national export can outlast the server's write timeout; the download keeps
	// its own, longer deadline (best effort: not every ResponseWriter supports it).
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(30 * time.Minute))
	w.WriteHeader(http.StatusOK)
	out := &flushFirst{w: w, flush: func() { _ = rc.Flush() }}
	n, err := kind.write(es, r.Context(), f, out, format, export.Options{Lang: lang})
	if err != nil {
		// The status line has gone; all we can do is log and cut the body short, which
		// the browser shows as a failed download rather than a silently short file.
		s.Logger.Error("export", "table", name, "format", format, "rows", n, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// fileSuffix names the range in the file name, so two downloads do not collide.
func (q exportQuery) fileSuffix() string {
	var b strings.Builder
	if q.orgunit != 0 {
		b.WriteString("-" + strconv.FormatInt(q.orgunit, 10))
	}
	if q.from != "" {
		b.WriteString("-from-" + string(q.from))
	}
	if q.to != "" {
		b.WriteString("-to-" + string(q.to))
	}
	return b.String()
}

// flushFirst pushes the first bytes (the CSV byte-order mark) to the client at once,
// so the browser's download starts before the first page of rows is read.
type flushFirst struct {
	w       io.Writer
	flush   func()
	flushed bool
}

func (f *flushFirst) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if !f.flushed && err == nil {
		f.flushed = true
		f.flush()
	}
	return n, err
}
