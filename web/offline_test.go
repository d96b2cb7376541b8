package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"mesh/i18n"
)

// The PWA's server side: manifest, service worker, outbox page, compressed engine.
func TestPWAManifestAndServiceWorker(t *testing.T) {
	e := newTestEnv(t)
	r := e.get("/manifest.webmanifest", "")
	var m struct {
		Name     string `json:"name"`
		StartURL string `json:"start_url"`
		Display  string `json:"display"`
		Icons    []struct {
			Src string `json:"src"`
		} `json:"icons"`
	}
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil || r.Status != http.StatusOK {
		t.Fatalf("manifest: %d %v\n%s", r.Status, err, r.Body)
	}
	if m.Name == "" || m.StartURL != "/" || m.Display != "standalone" || len(m.Icons) == 0 ||
		r.Header.Get("Content-Type") != "application/manifest+json" {
		t.Errorf("manifest: %+v %s", m, r.Header.Get("Content-Type"))
	}
	if ic := e.get(m.Icons[0].Src, ""); ic.Status != http.StatusOK || !strings.Contains(ic.Body, "<svg") {
		t.Errorf("icon %s: %d", m.Icons[0].Src, ic.Status)
	}

	sw := e.get("/sw.js", "")
	if sw.Status != http.StatusOK || !strings.HasPrefix(sw.Header.Get("Content-Type"), "text/javascript") ||
		sw.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("sw.js: %d %v", sw.Status, sw.Header)
	}
	version := regexp.MustCompile(`const VERSION = "([0-9a-f]{12})";`).FindStringSubmatch(sw.Body)
	shell := regexp.MustCompile(`const SHELL = (\[.*\]);`).FindStringSubmatch(sw.Body)
	if version == nil || shell == nil {
		t.Fatalf("sw.js lacks its version or shell:\n%.400s", sw.Body)
	}
	var urls []string
	if err := json.Unmarshal([]byte(shell[1]), &urls); err != nil {
		t.Fatal(err)
	}
	// Every shell file exists under its versioned URL, so the install (addAll) cannot
	// fail on a missing file and leave the mentor without an offline app.
	for _, name := range shellAssets {
		u := assetURL(name)
		if !strings.Contains(shell[1], `"`+u+`"`) {
			t.Errorf("shell lacks %s", u)
		}
		if g := e.get(u, ""); g.Status != http.StatusOK {
			t.Errorf("shell file %s: %d", u, g.Status)
		}
	}
	// The worker never handles a POST or the API, and keeps the outbox out of its caches.
	for _, want := range []string{`req.method !== "GET"`, `"/api/"`, `name.startsWith("mesh-shell-")`} {
		if !strings.Contains(sw.Body, want) {
			t.Errorf("sw.js lacks %s", want)
		}
	}
	// The worker opens the outbox only to send it (Background Sync): never to drop the
	// database or a store, never to upgrade it, and it deletes a record only as
	// acknowledged (TestOfflineBackgroundSync).
	for _, never := range []string{"indexedDB", "deleteDatabase", ".clear(", "deleteObjectStore", `openDB("mesh", `} {
		if strings.Contains(sw.Body, never) {
			t.Errorf("the service worker has %s: the outbox lives in IndexedDB", never)
		}
	}
	if n := strings.Count(sw.Body, `.delete(rec.id)`); n != 1 || !strings.Contains(sw.Body, `if (res.status === "stored" || res.status === "already_stored") {
        const tx = d.transaction(["outbox", "sent"], "readwrite");
        tx.objectStore("outbox").delete(rec.id);`) {
		t.Error("the service worker deletes outbox records other than acknowledged ones")
	}
}

func TestPWAWasmServedCompressed(t *testing.T) {
	e := newTestEnv(t)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+assetURL("mesh.wasm"), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" ||
		resp.Header.Get("Content-Type") != "application/wasm" {
		t.Fatalf("mesh.wasm: %d %v", resp.StatusCode, resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := embedded.ReadFile("static/mesh.wasm")
	if !bytes.Equal(raw, want) || !bytes.HasPrefix(raw, []byte("\x00asm")) {
		t.Errorf("the gzipped engine is not mesh.wasm (%d bytes, want %d)", len(raw), len(want))
	}
}

func TestOutboxPageAndLayout(t *testing.T) {
	e := newTestEnv(t)
	if r := e.get("/outbox", ""); r.Status != http.StatusSeeOther {
		t.Errorf("outbox without a session: %d", r.Status)
	}
	r := e.get("/outbox", "mentor.kayonza")
	if r.Status != http.StatusOK {
		t.Fatalf("outbox: %d", r.Status)
	}
	for _, want := range []string{`id="outbox-list"`, `id="outbox-send"`, `data-offline-labels="{`, `id="outbox-count"`,
		`src="/static/offline.js?v=`, `src="/static/idb.umd.js?v=`, `rel="manifest"`, `data-unsent-warn=`,
		`data-wasm="/static/mesh.wasm?v=`, `aria-current="page">Outbox`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("outbox page lacks %s", want)
		}
	}
	// No inline script: the CSP allows only the app's own files.
	if regexp.MustCompile(`<script(?:\s+defer)?>`).MatchString(r.Body) || strings.Contains(r.Body, `style="`) {
		t.Error("inline script or style on the outbox page")
	}
	// The observation form carries what offline.js needs to build and score offline.
	visitID, worker := e.observeVisit("mentor.kayonza")
	f := e.get("/visits/"+visitID+"/observe", "mentor.kayonza")
	for _, want := range []string{`data-offline="observation"`, `data-visit-id="` + visitID + `"`, `data-visit-date="`,
		`data-trained-on="{`, `&#34;` + idString(worker) + `&#34;:`, `id="offline-result"`} {
		if !strings.Contains(f.Body, want) {
			t.Errorf("observation form lacks %s", want)
		}
	}
}

// Every offline message exists in the three languages, and the French page gets
// French words for offline.js.
func TestOfflineCatalog(t *testing.T) {
	for _, k := range i18n.Keys() {
		if !strings.HasPrefix(k, "offline.") {
			continue
		}
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("%s missing in %s", k, lang)
			}
		}
	}
	var fr map[string]string
	if err := json.Unmarshal([]byte(offlineLabels("fr")), &fr); err != nil {
		t.Fatal(err)
	}
	if fr["outbox.send"] != "Envoyer maintenant" || fr["check.classification"] == "" || fr["severity.critical"] == "" {
		t.Errorf("French labels: %v", fr)
	}
}
