package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strings"

	"mesh/account"
	"mesh/i18n"
	"mesh/voice"
)

// VoiceResultsPage shows aggregated feedback the caller may see, never a group below
// the threshold and never the current month.
type VoiceResultsPage struct {
	Page
	Query        voice.Query
	GroupOptions []Option
	K            int
	Hidden       int
	Groups       []VoiceGroupView
	Trends       []VoiceTrendView
	CanCode      bool
}

// VoiceTrendView is one group's statements month by month.
type VoiceTrendView struct {
	Name  string
	Items []VoiceTrendItem
}

// VoiceTrendItem is one statement's line, with its values written out as well.
type VoiceTrendItem struct {
	Text   string
	Chart  template.HTML
	Points []VoiceTrendPoint
}

// VoiceTrendPoint is one month: the mean, or Hidden for a gap.
type VoiceTrendPoint struct {
	Month, Mean string
	Hidden      bool
}

// VoiceGroupView is one shown group.
type VoiceGroupView struct {
	Name, Period string
	N            int
	Pooled       int
	Items        []VoiceItemView
	Comments     []string
}

// VoiceItemView is one statement's answers in a group: the mean as text and the
// distribution as bars with their counts written beside them.
type VoiceItemView struct {
	Text     string
	N        int
	Mean     string // "" when too few rated it
	Chart    template.HTML
	Withheld bool
}

func (s *Server) voiceResults(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	q, err := voice.ParseQuery(r.URL.Query().Get, now())
	if err != nil {
		q, _ = voice.ParseQuery(func(string) string { return "" }, now()) // a bad link falls back to the defaults
	}
	var f voice.ResponseFilter
	if c == nil {
		_, err = voice.FilterFor(nil, account.Scope{}, q)
	} else {
		f, err = voice.FilterFor(c.User, c.Scope, q)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cfg, err := s.voice().VoiceConfig(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rs, err := s.voice().FindResponses(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sum := voice.Aggregate(rs, voice.Options{Group: q.Group, K: cfg.K(), Items: cfg.Keys(), AllPeriods: q.AllPeriods})
	p := &VoiceResultsPage{Page: s.page(w, r, "voice.results.title"), Query: q, K: sum.K, Hidden: sum.Hidden, CanCode: voice.CanCode(c.User)}
	for _, g := range voice.Groups {
		p.GroupOptions = append(p.GroupOptions, Option{Value: string(g), Label: tr(p.Lang, "voice.group."+string(g))})
	}
	for _, res := range sum.Results {
		gv := VoiceGroupView{Name: s.voiceGroupName(r, p.Lang, res), Period: res.Period, N: res.N, Pooled: res.Pooled, Comments: res.Comments}
		if res.Period != "all" {
			gv.Period = monthName(p.Lang, res.Period)
		} else {
			gv.Period = tr(p.Lang, "voice.results.all_period", monthName(p.Lang, q.From), monthName(p.Lang, q.To))
		}
		for _, it := range res.Items {
			text := it.Item
			if ci, ok := cfg.Item(it.Item); ok && ci.Text[p.Lang] != "" {
				text = ci.Text[p.Lang]
			}
			iv := VoiceItemView{Text: text, N: it.N, Withheld: it.Mean == nil}
			if it.Mean != nil {
				iv.Mean = i18n.FormatNumber(p.Lang, *it.Mean, 1)
				iv.Chart = distributionSVG(p.Lang, text, *it.Distribution)
			}
			gv.Items = append(gv.Items, iv)
		}
		p.Groups = append(p.Groups, gv)
	}
	p.Trends = s.voiceTrends(r, p.Lang, rs, cfg, q)
	s.render(w, r, http.StatusOK, "voice_results", p)
}

// voiceTrends draws each shown group's statements by month. The months are
// aggregated by the same rules as the monthly results, so a month hidden there is a
// gap here; pooled "others" are left out (their members change from month to month).
func (s *Server) voiceTrends(r *http.Request, lang string, rs []voice.Response, cfg *voice.Config, q voice.Query) []VoiceTrendView {
	months := voice.Months(q.From, q.To)
	if len(months) < 2 {
		return nil
	}
	sum := voice.Aggregate(rs, voice.Options{Group: q.Group, K: cfg.K(), Items: cfg.Keys()})
	var out []VoiceTrendView
	for _, t := range voice.Trends(sum, months, cfg.Keys()) {
		if t.ID == 0 {
			continue
		}
		name := s.voiceGroupName(r, lang, voice.Result{Group: t.Group, ID: t.ID})
		tv := VoiceTrendView{Name: name}
		for _, it := range t.Items {
			text := it.Item
			if ci, ok := cfg.Item(it.Item); ok && ci.Text[lang] != "" {
				text = ci.Text[lang]
			} else if ok && ci.Text["en"] != "" {
				text = ci.Text["en"]
			}
			iv := VoiceTrendItem{Text: text, Chart: trendSVG(lang, tr(lang, "voice.trend.chart", text), it.Points)}
			for _, pt := range it.Points {
				vp := VoiceTrendPoint{Month: monthName(lang, pt.Month), Hidden: pt.Mean == nil}
				if pt.Mean != nil {
					vp.Mean = i18n.FormatNumber(lang, *pt.Mean, 1)
				}
				iv.Points = append(iv.Points, vp)
			}
			tv.Items = append(tv.Items, iv)
		}
		out = append(out, tv)
	}
	return out
}

// trendSVG draws a statement's monthly means (1 to 5) as a line that breaks at the
// months not shown, with presentation attributes only (the CSP forbids style
// attributes), a <title>, and each shown mean written beside its point.
func trendSVG(lang, title string, pts []voice.TrendPoint) template.HTML {
	const w, h, left, right, top, bottom = 320.0, 140.0, 24.0, 12.0, 16.0, 112.0
	step := 0.0
	if len(pts) > 1 {
		step = (w - left - right) / float64(len(pts)-1)
	}
	x := func(i int) float64 { return left + step*float64(i) }
	y := func(v float64) float64 { return bottom - (v-1)/4*(bottom-top) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img"><title>%s</title>`,
		w, h, w, h, html.EscapeString(title))
	for _, v := range []float64{1, 3, 5} {
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#c8d1db" stroke-width="1"/>`, left, y(v), w-right, y(v))
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="11" fill="#52606d">%g</text>`, y(v)+4, v)
	}
	var run []string
	flush := func() {
		if len(run) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1d4e89" stroke-width="2"/>`, strings.Join(run, " "))
		}
		run = run[:0]
	}
	for i, p := range pts {
		if p.Mean == nil {
			flush()
			// A gap: a short mark on the axis, so a missing month reads as missing, not as low.
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#9aa5b1" stroke-width="1" stroke-dasharray="2 2"/>`, x(i), top, x(i), bottom)
			continue
		}
		run = append(run, fmt.Sprintf("%.1f,%.1f", x(i), y(*p.Mean)))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#1d4e89"/>`, x(i), y(*p.Mean))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" fill="#1f2933" text-anchor="middle">%.1f</text>`, x(i), y(*p.Mean)-6, *p.Mean)
	}
	flush()
	if len(pts) > 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="11" fill="#52606d">%s</text>`, left, h-8, html.EscapeString(monthName(lang, pts[0].Month)))
		fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="11" fill="#52606d" text-anchor="end">%s</text>`, w-right, h-8,
			html.EscapeString(monthName(lang, pts[len(pts)-1].Month)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped text only
}

// monthName writes YYYY-MM as "March 2026" in lang.
func monthName(lang, ym string) string {
	if len(ym) != 7 {
		return ym
	}
	var y, m int
	if _, err := fmt.Sscanf(ym, "%d-%d", &y, &m); err != nil || m < 1 || m > 12 {
		return ym
	}
	return tr(lang, fmt.Sprintf("month.%d", m)) + " " + fmt.Sprint(y)
}

func (s *Server) voiceGroupName(r *http.Request, lang string, res voice.Result) string {
	if res.ID == 0 {
		return tr(lang, "voice.results.others."+string(res.Group))
	}
	if res.Group == voice.ByMentor {
		if u, err := s.Store.FindUserByID(r.Context(), res.ID); err == nil {
			if u.DisplayName != "" {
				return u.DisplayName
			}
			return u.Username
		}
		return ""
	}
	if o, err := s.Store.FindOrgUnitByID(r.Context(), res.ID); err == nil {
		if res.Pooled > 0 && res.Group == voice.ByDistrict {
			return tr(lang, "voice.results.pooled_district", o.Name)
		}
		return o.Name
	}
	return ""
}

// distributionSVG draws the five counts as horizontal bars, with presentation
// attributes only (the CSP forbids style attributes) and each count written as text,
// so the chart reads without colour and prints.
func distributionSVG(lang, title string, dist [5]int) template.HTML {
	top := 0
	for _, n := range dist {
		top = max(top, n)
	}
	const barW, rowH = 200.0, 22
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 %d" width="320" height="%d" role="img" aria-label="%s">`,
		5*rowH+4, 5*rowH+4, html.EscapeString(tr(lang, "voice.results.chart", title)))
	for i, n := range dist {
		y := i*rowH + 2
		w := 0.0
		if top > 0 {
			w = barW * float64(n) / float64(top)
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="13" fill="#1f2933">%d</text>`, y+15, i+1)
		fmt.Fprintf(&b, `<rect x="20" y="%d" width="%.1f" height="16" fill="#1d4e89"/>`, y+2, w)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="13" fill="#1f2933">%d</text>`, 26+w, y+15, n)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped text only
}

func init() { funcs["voiceMonth"] = monthName }
