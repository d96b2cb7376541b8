package web

import (
	"math"
	"net/http"
	"net/url"
	"strings"

	"mesh/account"
	"mesh/auth"
	"mesh/i18n"
)

// Page is what every page's template needs: its language, title, the user and the
// navigation. Each page struct embeds it.
type Page struct {
	Lang  string
	Title string // a message key
	User  *account.User
	// Here is the current path and query, for the language switcher and ?next=.
	Here      string
	Languages []LangOption
	Nav       []NavLink
	Notice    string // a message key shown at the top (e.g. "saved")
}

func (p *Page) base() *Page { return p }

// LangOption is one entry of the language switcher.
type LangOption struct {
	Code    string
	Current bool
}

// NavLink is one entry of the main navigation.
type NavLink struct {
	Href, Key string
	Current   bool
}

// Numbers on pages are written per language (i18n.FormatNumber): num wraps a value
// so "%d" in a catalog text or {{num .Lang .Total}} in a template groups its digits
// the reader's way; pct writes a proportion as a percentage.
func init() {
	funcs["num"] = i18n.Number
	funcs["pct"] = func(lang string, proportion any, decimals int) string {
		n := i18n.Number(lang, proportion)
		if math.IsNaN(n.Value) {
			return "—"
		}
		return i18n.FormatPercent(lang, n.Value, decimals)
	}
}

// LangCookie remembers the language chosen by someone not logged in.
const LangCookie = "mesh_lang"

// language picks the page language: the user's profile, else ?lang= (which also sets
// the cookie), else the cookie, else Accept-Language, else English.
func language(w http.ResponseWriter, r *http.Request) string {
	if c := auth.CallerFrom(r.Context()); c != nil && i18n.Normalize(c.User.Language) != "" {
		return i18n.Normalize(c.User.Language)
	}
	if q := i18n.Normalize(r.URL.Query().Get("lang")); q != "" {
		setLangCookie(w, r, q)
		return q
	}
	if c, err := r.Cookie(LangCookie); err == nil && i18n.Normalize(c.Value) != "" {
		return i18n.Normalize(c.Value)
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

func setLangCookie(w http.ResponseWriter, r *http.Request, lang string) {
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// page builds the common part of a page for the request.
func (s *Server) page(w http.ResponseWriter, r *http.Request, title string) Page {
	c := auth.CallerFrom(r.Context())
	p := Page{Lang: language(w, r), Title: title, Here: here(r)}
	for _, l := range i18n.Languages {
		p.Languages = append(p.Languages, LangOption{Code: l, Current: l == p.Lang})
	}
	if c != nil {
		p.User = c.User
		p.Nav = navFor(c.User, r.URL.Path)
	}
	if n := r.URL.Query().Get("notice"); noticeKeys[n] {
		p.Notice = "notice." + n
	}
	return p
}

// noticeKeys are the notices a redirect may ask for (?notice=saved), so a URL cannot
// put arbitrary text on a page.
var noticeKeys = map[string]bool{"saved": true, "created": true, "ended": true, "language": true}

// here returns the request's path and query without ?lang= and ?notice=.
func here(r *http.Request) string {
	q := r.URL.Query()
	q.Del("lang")
	q.Del("notice")
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}

// navFor lists the sections the user's role may open.
func navFor(u *account.User, current string) []NavLink {
	links := []NavLink{{Href: "/", Key: "nav.home"}}
	add := func(p account.Permission, href, key string) {
		if account.Can(u, p) {
			links = append(links, NavLink{Href: href, Key: key})
		}
	}
	// Visits are a mentor's plan and log (and their supervisor's view of them); the
	// cadence list is for whoever follows visit frequency across facilities.
	switch u.Role {
	case account.Mentor, account.Supervisor:
		links = append(links, NavLink{Href: "/visits", Key: "nav.visits"}, NavLink{Href: "/cadence", Key: "nav.cadence"})
	case account.Manager:
		links = append(links, NavLink{Href: "/cadence", Key: "nav.cadence"})
	}
	add(account.ReadIndicators, "/dashboard", "nav.dashboard")
	add(account.ReadIndicators, "/exports", "nav.exports")
	if account.Can(u, account.WritePlaces) || account.Can(u, account.WriteWorkers) || account.Can(u, account.WriteUsers) {
		links = append(links, NavLink{Href: "/import", Key: "import.title"})
	}
	if u.Role == account.Admin || u.Role == account.Manager || u.Role == account.Supervisor {
		links = append(links, NavLink{Href: "/evaluation", Key: "nav.evaluation"})
	}
	if u.Role != account.FacilityIC {
		links = append(links, NavLink{Href: "/voice/results", Key: "nav.voice"})
	}
	add(account.ReadPlaces, "/places", "nav.places")
	add(account.ReadWorkers, "/workers", "nav.workers")
	add(account.ReadAssignments, "/assignments", "nav.assignments")
	add(account.ReadUsers, "/users", "nav.users")
	add(account.ReadAudit, "/audit", "nav.audit")
	add(account.ManageDHIS2, "/admin/dhis2", "dhis2.title")
	for i := range links {
		h := links[i].Href
		links[i].Current = current == h || (h != "/" && strings.HasPrefix(current, h+"/"))
	}
	return links
}

// localPath keeps a redirect target only when it is a path on this site, so ?next=
// cannot send someone to another site.
func localPath(s, fallback string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return fallback
	}
	if u, err := url.Parse(s); err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return s
}

// withNotice appends ?notice=key to a redirect target.
func withNotice(target, key string) string {
	if strings.Contains(target, "?") {
		return target + "&notice=" + key
	}
	return target + "?notice=" + key
}

// redirect answers a form post with 303 See Other (post/redirect/get).
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}
