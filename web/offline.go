package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"

	"mesh/i18n"
	"mesh/imci"
)

// The offline field app (docs/offline.md): a web manifest, a service worker served
// from the root scope, the outbox page, and the compressed WebAssembly engine. The
// records themselves never pass through here: offline.js keeps them in IndexedDB and
// sends them to POST /api/v1/sync, the same path as any other client.

// shellAssets are the static files the service worker caches at install, so every
// page the mentor opened before can be drawn, and an observation scored, offline.
// Other engineers' page-specific files are cached on first use (network-first).
var shellAssets = []string{"mesh.css", "htmx.min.js", "idb.umd.js", "offline.js", "imci-form.js", "icon.svg",
	"wasm_exec.js", "mesh.wasm"}

func init() {
	funcs["offlineLabels"] = offlineLabels
	funcs["offlineCatalog"] = offlineCatalog
	funcs["offlineJSON"] = func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}
}

// offlineRoutes registers the offline app's routes (called from Routes).
func (s *Server) offlineRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /manifest.webmanifest", s.manifest)
	mux.HandleFunc("GET /sw.js", serviceWorker)
	mux.HandleFunc("GET /outbox", s.outbox)
	mux.HandleFunc("GET /conflicts", s.conflicts)
	mux.HandleFunc("GET /observe", s.observeAny) // web/observe.go
}

// manifest is the web app manifest: it makes the app installable on the home screen
// and start in its own window.
func (s *Server) manifest(w http.ResponseWriter, r *http.Request) {
	lang := language(w, r)
	m := map[string]any{
		"name": tr(lang, "app.name"), "short_name": tr(lang, "app.name"), "lang": lang,
		"start_url": "/", "scope": "/", "display": "standalone",
		"background_color": "#ffffff", "theme_color": "#073763",
		"icons": []map[string]string{{"src": assetURL("icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}},
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-cache")
	_ = json.NewEncoder(w).Encode(m)
}

// swScript is the service worker as served: its cache version and shell list, then
// static/sw.js. The version is a hash of every shell file, so any change to the app
// shell makes a new worker (browsers compare the script byte for byte) that fills a
// new cache before the old one is dropped. The outbox is in IndexedDB, which a
// worker update never touches.
var swScript = sync.OnceValues(func() ([]byte, string) {
	src, err := embedded.ReadFile("static/sw.js")
	if err != nil {
		panic("web: static/sw.js missing: " + err.Error())
	}
	h := sha256.New()
	h.Write(src)
	urls := make([]string, 0, len(shellAssets))
	for _, name := range shellAssets {
		h.Write([]byte(name + "=" + assetHashes[name] + "\n"))
		urls = append(urls, assetURL(name))
	}
	sort.Strings(urls)
	version := hex.EncodeToString(h.Sum(nil))[:12]
	list, _ := json.Marshal(urls)
	var b bytes.Buffer
	b.WriteString("// MESH service worker (web/static/sw.js); version and shell written by web/offline.go.\n")
	b.WriteString("const VERSION = \"" + version + "\";\nconst SHELL = " + string(list) + ";\n")
	b.WriteString("const IDB = \"" + assetURL("idb.umd.js") + "\";\n")
	b.Write(src)
	return b.Bytes(), version
})

// serviceWorker serves the worker from the root so its scope is the whole app.
func serviceWorker(w http.ResponseWriter, r *http.Request) {
	body, _ := swScript()
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	// Always revalidate: an old worker must not outlive a deployment.
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(body)
}

// OutboxPage is the list of records waiting on this device; the list itself is drawn
// by offline.js from IndexedDB (the server cannot see it).
type OutboxPage struct {
	Page
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request) {
	if caller(r) == nil {
		redirect(w, r, "/login")
		return
	}
	s.render(w, r, http.StatusOK, "outbox", &OutboxPage{Page: s.page(w, r, "offline.outbox.title")})
}

// conflicts lists the device's records in conflict with the server's version, both
// side by side (drawn by offline.js: the device's version is only on the device).
func (s *Server) conflicts(w http.ResponseWriter, r *http.Request) {
	if caller(r) == nil {
		redirect(w, r, "/login")
		return
	}
	s.render(w, r, http.StatusOK, "conflicts", &OutboxPage{Page: s.page(w, r, "offline.conflicts.title")})
}

// offlineLabels are the words offline.js needs to draw the outbox and an offline
// feedback in the page's language, as a JSON attribute value: offline.js has no
// catalog of its own.
func offlineLabels(lang string) string {
	m := map[string]string{}
	for _, k := range i18n.Keys() {
		if strings.HasPrefix(k, "offline.") {
			m[strings.TrimPrefix(k, "offline.")] = tr(lang, k)
		}
	}
	for _, k := range []string{"classification", "treatment", "referral", "follow_up", "counselling"} {
		m["check."+k] = tr(lang, "feedback.check."+k)
	}
	for _, k := range []string{"critical", "major", "minor", "info"} {
		m["severity."+k] = tr(lang, "feedback.severity."+k)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// offlineCatalogPrefixes are the catalog keys offline.js needs to write the engine's
// coaching points as feedbackText (feedback.go) does on the server: the points
// themselves and the names of the codes in their arguments.
var offlineCatalogPrefixes = []string{"feedback.", "imci.class.", "imci.treat.", "imci.unit.", "imci.warning.LOW_OXYGEN_SATURATION"}

// OfflineCatalog is what offline.js gets to write coaching points in the page's
// language: Text maps a key to its text in lang (English when lang lacks it, as tr
// does), for every key English has; Urgent lists the classifications that call for
// pre-referral treatment (imci.IsUrgentClassification), which the pink-classification
// point names.
type OfflineCatalog struct {
	Text   map[string]string `json:"text"`
	Urgent []string          `json:"urgent"`
}

// newOfflineCatalog builds lang's OfflineCatalog.
func newOfflineCatalog(lang string) OfflineCatalog {
	c := OfflineCatalog{Text: map[string]string{}, Urgent: []string{}}
	for _, k := range i18n.Keys() {
		for _, p := range offlineCatalogPrefixes {
			if strings.HasPrefix(k, p) && i18n.Has(i18n.Default, k) {
				c.Text[k] = tr(lang, k)
				if code, ok := strings.CutPrefix(k, "imci.class."); ok && imci.IsUrgentClassification(code) {
					c.Urgent = append(c.Urgent, code)
				}
				break
			}
		}
	}
	return c
}

// offlineCatalog is lang's OfflineCatalog as a JSON attribute value, put on the
// observation form (data-offline-catalog): the page is kept by the service worker, so
// the catalog is there offline whenever the form is, and no script is inlined.
func offlineCatalog(lang string) string {
	b, _ := json.Marshal(newOfflineCatalog(lang))
	return string(b)
}
