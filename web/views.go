package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"mesh"
	"mesh/i18n"
)

//go:embed templates/*.html static/*
var embedded embed.FS

// layoutFiles are shared by every page: the frame and the small form partials, the
// IMCI form partial (drawn by the IMCI check page and the case-observation form) and
// the mentoring partials (text areas, checkbox groups, the competency trend).
var layoutFiles = []string{"templates/layout.html", "templates/partials.html", "templates/imci_form.html",
	"templates/mentoring_partials.html"}

// views holds one parsed template set per page, each the layout plus the page.
type views struct {
	dev   bool
	pages map[string]*template.Template
}

// mustViews parses every template at start: a broken template stops the program
// before it serves anything (and the parse test fails before that).
func mustViews(dev bool) *views {
	v := &views{dev: dev}
	pages, err := parsePages(embedded)
	if err != nil {
		panic(err)
	}
	v.pages = pages
	return v
}

// parsePages parses each templates/*.html page (not the layout files) with the layout.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, layoutFiles...)
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		if isLayout(name) {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, name)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return pages, nil
}

func isLayout(name string) bool {
	for _, l := range layoutFiles {
		if l == name {
			return true
		}
	}
	return false
}

// page returns the template set for a page, re-read from disk in dev mode.
func (v *views) page(name string) (*template.Template, error) {
	pages := v.pages
	if v.dev {
		fresh, err := parsePages(os.DirFS("web"))
		if err != nil {
			return nil, err
		}
		pages = fresh
	}
	t, ok := pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no template %q", name)
	}
	return t, nil
}

// funcs are the template helpers: translation, dates and small comparisons.
var funcs = template.FuncMap{
	"T":        i18n.T,
	"date":     formatDate,
	"datetime": func(lang string, t time.Time) string { return i18n.FormatDateTime(lang, t, kigali) },
	"asset":    assetURL,
	"langName": i18n.Name,
	"str":      func(v any) string { return fmt.Sprint(v) },
	"noForm":   func() Form { return Form{} },
}

// kigali is the programme's time zone, for showing moments such as audit times.
var kigali = func() *time.Location {
	if loc, err := time.LoadLocation("Africa/Kigali"); err == nil {
		return loc
	}
	return time.FixedZone("CAT", 2*3600)
}()

// formatDate writes a mesh.Date or time.Time in lang ("" for none).
func formatDate(lang string, v any) string {
	switch d := v.(type) {
	case mesh.Date:
		if d == "" || !d.Valid() {
			return string(d)
		}
		return i18n.FormatDate(lang, d.Time())
	case time.Time:
		return i18n.FormatDate(lang, d)
	}
	return fmt.Sprint(v)
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// render writes a page with status. It renders to a buffer first so a template error
// becomes a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, err := s.views.page(name)
	var buf bytes.Buffer
	if err == nil {
		err = t.ExecuteTemplate(&buf, "layout.html", data)
	}
	if err != nil {
		s.Logger.Error("render", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, Accept-Language")
	if p, ok := data.(interface{ base() *Page }); ok {
		h.Set("Content-Language", p.base().Lang)
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// assetHashes version static URLs by content, so files can be cached for a year and
// still change on upgrade.
var assetHashes = func() map[string]string {
	out := map[string]string{}
	entries, _ := fs.ReadDir(embedded, "static")
	for _, e := range entries {
		b, err := embedded.ReadFile("static/" + e.Name())
		if err == nil {
			sum := sha256.Sum256(b)
			out[e.Name()] = hex.EncodeToString(sum[:4])
		}
	}
	return out
}()

// assetURL is the versioned URL of a static file.
func assetURL(name string) string {
	return "/static/" + name + "?v=" + assetHashes[name]
}

// staticHandler serves the embedded static files with long cache headers.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(embedded, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}
