package voice

import (
	"encoding/csv"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mesh"
)

// The qualitative workspace: notes from focus groups and interviews (and feedback
// comments) are sources; evaluators tag passages of a source with themes from a
// codebook; two coders of the same source can see how far they agree.

// Theme kinds: what worked (a theme) or what stood in the way (a barrier).
const (
	KindTheme   = "theme"
	KindBarrier = "barrier"
)

// Theme is one code of the codebook.
type Theme struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Description string `json:"description,omitempty"`
}

// SourceKinds are the kinds of qualitative source.
var SourceKinds = []string{"focus_group", "interview", "comment", "other"}

// Source is a piece of text to code, from one place and period.
type Source struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	OrgUnitID int64     `json:"orgunit_id"`
	Period    string    `json:"period"` // YYYY-MM
	CreatedBy int64     `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`

	OrgUnitName string `json:"orgunit_name,omitempty"`
	OrgUnitPath string `json:"-"`
	Passages    int    `json:"passages"`
}

// MaxSourceBody caps one source: a long focus-group transcript is tens of pages.
const MaxSourceBody = 200000

// Normalize tidies a source before validation.
func (s *Source) Normalize() {
	s.Kind = strings.TrimSpace(s.Kind)
	s.Title = strings.TrimSpace(s.Title)
	s.Body = strings.ReplaceAll(strings.TrimSpace(s.Body), "\r\n", "\n")
	s.Period = strings.TrimSpace(s.Period)
}

// Validate names every problem with s.
func (s *Source) Validate() error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if !slices.Contains(SourceKinds, s.Kind) {
		add("kind", "UNKNOWN_ENUM_VALUE", "kind must be one of "+strings.Join(SourceKinds, ", "))
	}
	if s.Title == "" || utf8.RuneCountInString(s.Title) > 200 {
		add("title", "MISSING_REQUIRED", "title is required (at most 200 characters)")
	}
	if s.Body == "" {
		add("body", "MISSING_REQUIRED", "body is required: type or paste the notes")
	} else if len(s.Body) > MaxSourceBody {
		add("body", "OUT_OF_RANGE", "body must be at most 200000 bytes")
	}
	if s.OrgUnitID <= 0 {
		add("orgunit_id", "MISSING_REQUIRED", "orgunit_id is required: the facility or district the notes come from")
	}
	if !ValidMonth(s.Period) {
		add("period", "INVALID_FORMAT", "period must be a month in YYYY-MM form")
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// ValidMonth reports whether s is a YYYY-MM month.
func ValidMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil && len(s) == 7
}

// Passage is a span of a source tagged with a theme by one coder (an evaluator's
// user id; coders are never the people whose words are coded).
type Passage struct {
	ID       int64     `json:"id"`
	SourceID int64     `json:"source_id"`
	ThemeID  int64     `json:"theme_id"`
	Start    int       `json:"start"` // byte offsets into the source body, end exclusive
	End      int       `json:"end"`
	Quote    string    `json:"quote"`
	CoderID  int64     `json:"coder_id"`
	At       time.Time `json:"created_at"`
}

// Locate fills Start/End from Quote (when no offsets were given) or Quote from the
// offsets, checking both against the source body. Evaluators select text by copying
// it; finding it again spares them counting characters.
func (p *Passage) Locate(body string) error {
	p.Quote = strings.TrimSpace(strings.ReplaceAll(p.Quote, "\r\n", "\n"))
	var errs []mesh.FieldError
	switch {
	case p.Start == 0 && p.End == 0 && p.Quote != "":
		i := strings.Index(body, p.Quote)
		if i < 0 {
			errs = append(errs, mesh.FieldError{Code: "NOT_FOUND", Field: "quote", Message: "the quote is not in the source: copy it exactly"})
			break
		}
		p.Start, p.End = i, i+len(p.Quote)
	case p.Start >= 0 && p.End > p.Start && p.End <= len(body):
		if !utf8.ValidString(body[p.Start:p.End]) {
			errs = append(errs, mesh.FieldError{Code: "OUT_OF_RANGE", Field: "start", Message: "start and end must not cut a character in two"})
			break
		}
		if p.Quote != "" && p.Quote != strings.TrimSpace(body[p.Start:p.End]) {
			errs = append(errs, mesh.FieldError{Code: "CONFLICTING_FIELDS", Field: "quote", Message: "the quote differs from the text between start and end"})
			break
		}
		p.Quote = body[p.Start:p.End]
	default:
		errs = append(errs, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "quote", Message: "give the quoted text, or start and end offsets within the source"})
	}
	if p.ThemeID <= 0 {
		errs = append(errs, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "theme_id", Message: "theme_id is required"})
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// Agreement is how far two coders agree on a set of yes/no or category decisions.
type Agreement struct {
	N       int      `json:"n"`
	Percent *float64 `json:"percent_agreement"` // 0–100
	// Kappa is Cohen's kappa, nil when undefined (both coders used one category for
	// every unit, so chance agreement is already 1).
	Kappa *float64 `json:"kappa"`
}

// Kappa computes percent agreement and Cohen's kappa of two coders' labels for the
// same units (a[i] and b[i] label unit i): κ = (pₒ − pₑ) / (1 − pₑ), with pₑ from each
// coder's own label frequencies.
func Kappa(a, b []string) Agreement {
	n := min(len(a), len(b))
	ag := Agreement{N: n}
	if n == 0 {
		return ag
	}
	agree := 0
	ca, cb := map[string]int{}, map[string]int{}
	for i := 0; i < n; i++ {
		if a[i] == b[i] {
			agree++
		}
		ca[a[i]]++
		cb[b[i]]++
	}
	po := float64(agree) / float64(n)
	pe := 0.0
	for label, x := range ca {
		pe += float64(x) / float64(n) * float64(cb[label]) / float64(n)
	}
	pct := round4(po * 100)
	ag.Percent = &pct
	if pe < 1 {
		k := round4((po - pe) / (1 - pe))
		ag.Kappa = &k
	}
	return ag
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// Units splits a source body into its coding units: non-blank lines (a speaker's
// turn or a paragraph of notes), as byte spans.
func Units(body string) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i <= len(body); i++ {
		if i == len(body) || body[i] == '\n' {
			if strings.TrimSpace(body[start:i]) != "" {
				out = append(out, [2]int{start, i})
			}
			start = i + 1
		}
	}
	return out
}

// CoderAgreement compares two coders on one source.
type CoderAgreement struct {
	CoderA  int64               `json:"coder_a"`
	CoderB  int64               `json:"coder_b"`
	Units   int                 `json:"units"`
	Overall Agreement           `json:"overall"`
	ByTheme map[int64]Agreement `json:"by_theme"`
}

// Compare turns two coders' passages on a source into unit-level decisions — for
// every unit and theme, did the coder tag any passage overlapping the unit with the
// theme? — and reports agreement over all of them and per theme. Themes neither coder
// used on this source are left out, or every untouched theme would inflate agreement.
func Compare(body string, coderA, coderB int64, passages []Passage) CoderAgreement {
	units := Units(body)
	used := map[int64]bool{}
	tagged := map[[3]int64]bool{} // coder, theme, unit
	for _, p := range passages {
		if p.CoderID != coderA && p.CoderID != coderB {
			continue
		}
		used[p.ThemeID] = true
		for u, span := range units {
			if p.Start < span[1] && p.End > span[0] {
				tagged[[3]int64{p.CoderID, p.ThemeID, int64(u)}] = true
			}
		}
	}
	var themes []int64
	for t := range used {
		themes = append(themes, t)
	}
	sort.Slice(themes, func(i, j int) bool { return themes[i] < themes[j] })
	out := CoderAgreement{CoderA: coderA, CoderB: coderB, Units: len(units), ByTheme: map[int64]Agreement{}}
	var allA, allB []string
	for _, t := range themes {
		var a, b []string
		for u := range units {
			a = append(a, yesNo(tagged[[3]int64{coderA, t, int64(u)}]))
			b = append(b, yesNo(tagged[[3]int64{coderB, t, int64(u)}]))
		}
		out.ByTheme[t] = Kappa(a, b)
		allA, allB = append(allA, a...), append(allB, b...)
	}
	out.Overall = Kappa(allA, allB)
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ThemeCount is how many passages carry a theme within one source or period.
type ThemeCount struct {
	ThemeID  int64  `json:"theme_id"`
	SourceID int64  `json:"source_id,omitempty"`
	Period   string `json:"period,omitempty"`
	Passages int    `json:"passages"`
}

// CountThemes counts passages per theme and source, and per theme and period (the
// source's period).
func CountThemes(passages []Passage, sources map[int64]*Source) (bySource, byPeriod []ThemeCount) {
	bs := map[[2]int64]int{}
	bp := map[struct {
		t int64
		p string
	}]int{}
	for _, p := range passages {
		bs[[2]int64{p.ThemeID, p.SourceID}]++
		if s := sources[p.SourceID]; s != nil {
			bp[struct {
				t int64
				p string
			}{p.ThemeID, s.Period}]++
		}
	}
	for k, n := range bs {
		bySource = append(bySource, ThemeCount{ThemeID: k[0], SourceID: k[1], Passages: n})
	}
	for k, n := range bp {
		byPeriod = append(byPeriod, ThemeCount{ThemeID: k.t, Period: k.p, Passages: n})
	}
	sort.Slice(bySource, func(i, j int) bool {
		if bySource[i].ThemeID != bySource[j].ThemeID {
			return bySource[i].ThemeID < bySource[j].ThemeID
		}
		return bySource[i].SourceID < bySource[j].SourceID
	})
	sort.Slice(byPeriod, func(i, j int) bool {
		if byPeriod[i].ThemeID != byPeriod[j].ThemeID {
			return byPeriod[i].ThemeID < byPeriod[j].ThemeID
		}
		return byPeriod[i].Period < byPeriod[j].Period
	})
	return bySource, byPeriod
}

// Normalize tidies a theme before validation.
func (t *Theme) Normalize() {
	t.Code = strings.ToLower(strings.TrimSpace(t.Code))
	t.Name = strings.TrimSpace(t.Name)
	t.Kind = strings.TrimSpace(t.Kind)
	t.Description = strings.TrimSpace(t.Description)
	if t.Kind == "" {
		t.Kind = KindTheme
	}
}

// Validate names every problem with t.
func (t *Theme) Validate() error {
	t.Normalize()
	var errs []mesh.FieldError
	if !keyOK(t.Code) {
		errs = append(errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: "code", Message: "code must be 1–40 lower-case letters, digits or _"})
	}
	if t.Name == "" || utf8.RuneCountInString(t.Name) > 200 {
		errs = append(errs, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "name", Message: "name is required (at most 200 characters)"})
	}
	if t.Kind != KindTheme && t.Kind != KindBarrier {
		errs = append(errs, mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "kind", Message: "kind must be theme or barrier"})
	}
	if len(t.Description) > 2000 {
		errs = append(errs, mesh.FieldError{Code: "OUT_OF_RANGE", Field: "description", Message: "description must be at most 2000 characters"})
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// QuoteRow is one coded quote for a report.
type QuoteRow struct {
	Theme   *Theme
	Source  *Source
	Passage Passage
}

// WriteQuotesCSV writes coded quotes as CSV for a spreadsheet: a UTF-8 byte-order mark
// first (Excel otherwise misreads Kinyarwanda and French accents), and cells that a
// spreadsheet would run as a formula are prefixed with ' so a quote stays a quote.
// There is no coder column: a report needs the words and the theme, not who coded.
func WriteQuotesCSV(w io.Writer, rows []QuoteRow) error {
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"theme_code", "theme", "kind", "source_id", "source", "source_kind", "place", "period", "quote"})
	for _, r := range rows {
		_ = cw.Write([]string{r.Theme.Code, cell(r.Theme.Name), r.Theme.Kind, strconv.FormatInt(r.Source.ID, 10), cell(r.Source.Title),
			r.Source.Kind, cell(r.Source.OrgUnitName), r.Source.Period, cell(r.Passage.Quote)})
	}
	cw.Flush()
	return cw.Error()
}

func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CommentsBody joins feedback comments into a source body, one per paragraph, sorted
// so their order says nothing of who wrote first.
func CommentsBody(rs []Response) string {
	var cs []string
	for _, r := range rs {
		if c := strings.TrimSpace(r.Comment); c != "" {
			cs = append(cs, strings.ReplaceAll(c, "\n", " "))
		}
	}
	sort.Strings(cs)
	return strings.Join(cs, "\n\n")
}

// Coders lists the distinct coders of passages, by id.
func Coders(ps []Passage) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, p := range ps {
		if !seen[p.CoderID] {
			seen[p.CoderID] = true
			out = append(out, p.CoderID)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
