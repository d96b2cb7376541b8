package voice

import (
	"context"
	"io"
	"time"

	"mesh"
	"mesh/account"
	"mesh/place"
)

// The coding workspace's reads and the comment import, written once over Store for
// both the JSON API and the web pages.

// PlaceFinder finds places.
type PlaceFinder interface {
	FindOrgUnitByID(ctx context.Context, id int64) (*place.OrgUnit, error)
}

// CommentSource turns the feedback comments of one district (or wider) and one month
// that is over into a source to code. Never per facility, and only with at least the
// threshold of answers: comments of a smaller group, or of a facility whose district
// is also available, could be traced to the few who wrote them.
func CommentSource(ctx context.Context, places PlaceFinder, vs Store, scope account.Scope, orgUnitID int64, period string, now time.Time) (*Source, error) {
	o, err := places.FindOrgUnitByID(ctx, orgUnitID)
	if err != nil {
		return nil, mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "orgunit_id", Message: "orgunit_id must name a district"})
	}
	if !scope.Contains(o.Path) {
		return nil, mesh.Errorf(mesh.EFORBIDDEN, "this place is outside your area")
	}
	if o.Type == place.Facility || o.Type == place.Sector {
		return nil, mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "orgunit_id", Message: "comments are gathered per district or wider, never per facility"})
	}
	if !ValidMonth(period) || period >= now.In(Rwanda).Format("2006-01") {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "period", Message: "period must be a month that is over, in YYYY-MM form"})
	}
	cfg, err := vs.VoiceConfig(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := vs.FindResponses(ctx, ResponseFilter{Under: []string{o.Path}, From: period, To: period})
	if err != nil {
		return nil, err
	}
	body := CommentsBody(rs)
	if len(rs) < cfg.K() || body == "" {
		return nil, mesh.Invalid(mesh.FieldError{Code: "TOO_FEW", Field: "period", Message: "not enough answers in this place and month to show their comments safely"})
	}
	src := &Source{Kind: "comment", Title: "Feedback comments · " + o.Name + " · " + period, Body: body, OrgUnitID: o.ID, Period: period}
	return src, vs.CreateSource(ctx, src)
}

// ThemeCountsIn counts passages per theme, by source and by period, over the sources
// under the paths (nil: everywhere).
func ThemeCountsIn(ctx context.Context, vs Store, under []string) (bySource, byPeriod []ThemeCount, err error) {
	srcs, err := vs.FindSources(ctx, SourceFilter{Under: under})
	if err != nil {
		return nil, nil, err
	}
	ps, err := vs.FindPassages(ctx, PassageFilter{Under: under})
	if err != nil {
		return nil, nil, err
	}
	bySource, byPeriod = CountThemes(ps, SourceMap(srcs))
	if bySource == nil {
		bySource = []ThemeCount{}
	}
	if byPeriod == nil {
		byPeriod = []ThemeCount{}
	}
	return bySource, byPeriod, nil
}

// SourceMap indexes sources by id.
func SourceMap(srcs []*Source) map[int64]*Source {
	m := map[int64]*Source{}
	for _, src := range srcs {
		m[src.ID] = src
	}
	return m
}

// QuotesCSVIn writes the coded quotes matching f (whose Under is the caller's area)
// as CSV.
func QuotesCSVIn(ctx context.Context, vs Store, f PassageFilter, out io.Writer) error {
	rows, err := QuoteRowsIn(ctx, vs, f)
	if err != nil {
		return err
	}
	return WriteQuotesCSV(out, rows)
}

// QuotesXLSXIn is QuotesCSVIn as an XLSX workbook.
func QuotesXLSXIn(ctx context.Context, vs Store, f PassageFilter, out io.Writer) error {
	rows, err := QuoteRowsIn(ctx, vs, f)
	if err != nil {
		return err
	}
	return WriteQuotesXLSX(out, rows)
}

// QuoteRowsIn joins the passages matching f with their theme and source.
func QuoteRowsIn(ctx context.Context, vs Store, f PassageFilter) ([]QuoteRow, error) {
	ps, err := vs.FindPassages(ctx, f)
	if err != nil {
		return nil, err
	}
	srcs, err := vs.FindSources(ctx, SourceFilter{Under: f.Under})
	if err != nil {
		return nil, err
	}
	themes, err := vs.FindThemes(ctx)
	if err != nil {
		return nil, err
	}
	byTheme := map[int64]*Theme{}
	for _, t := range themes {
		byTheme[t.ID] = t
	}
	bySource := SourceMap(srcs)
	var rows []QuoteRow
	for _, p := range ps {
		if byTheme[p.ThemeID] != nil && bySource[p.SourceID] != nil {
			rows = append(rows, QuoteRow{Theme: byTheme[p.ThemeID], Source: bySource[p.SourceID], Passage: p})
		}
	}
	return rows, nil
}
