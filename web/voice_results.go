package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strings"

	"mesh/account"
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
	CanCode      bool
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
				iv.Mean = fmt.Sprintf("%.1f", *it.Mean)
				iv.Chart = distributionSVG(p.Lang, text, *it.Distribution)
			}
			gv.Items = append(gv.Items, iv)
		}
		p.Groups = append(p.Groups, gv)
	}
	s.render(w, r, http.StatusOK, "voice_results", p)
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
