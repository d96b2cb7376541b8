package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fetchRaw GETs path with the given Accept-Encoding and no transparent decompression.
func fetchRaw(t *testing.T, e *testEnv, method, path, acceptEncoding, cookie string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "mesh_session", Value: cookie})
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func vary(h http.Header) string { return strings.Join(h.Values("Vary"), ", ") }

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("broken gzip: %v", err)
	}
	return out
}

// Static files go out gzipped from the copy made once at start, with Vary and the
// year-long cache; the same URL without gzip gives the file itself; a revalidation
// with the gzipped copy's ETag answers 304.
func TestCompressStaticPrecompressed(t *testing.T) {
	e := newTestEnv(t)
	for _, name := range []string{"mesh.css", "htmx.min.js", "offline.js", "icon.svg", "mesh.wasm"} {
		want, _ := embedded.ReadFile("static/" + name)
		resp, body := fetchRaw(t, e, "GET", assetURL(name), "gzip, deflate, br", "", nil)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Encoding") != "gzip" || !strings.Contains(vary(h), "Accept-Encoding") ||
			!strings.Contains(h.Get("Cache-Control"), "immutable") {
			t.Fatalf("%s gzipped: %d %v", name, resp.StatusCode, h)
		}
		if !bytes.Equal(gunzip(t, body), want) {
			t.Errorf("%s: the gzipped copy is not the file", name)
		}
		if len(body) >= len(want) {
			t.Errorf("%s: %d bytes gzipped, %d raw", name, len(body), len(want))
		}
		resp, body = fetchRaw(t, e, "GET", assetURL(name), "identity", "", nil)
		if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, want) || !strings.Contains(vary(resp.Header), "Accept-Encoding") {
			t.Errorf("%s without gzip: %v, %d bytes", name, resp.Header, len(body))
		}
		resp, _ = fetchRaw(t, e, "GET", assetURL(name), "gzip", "", map[string]string{"If-None-Match": h.Get("ETag")})
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s revalidated with %s: %d", name, h.Get("ETag"), resp.StatusCode)
		}
	}
	resp, _ := fetchRaw(t, e, "GET", assetURL("mesh.css"), "gzip;q=0", "", nil)
	if resp.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still got gzip")
	}
}

// Pages are gzipped as they are written; tiny answers and HEAD are not.
func TestCompressPages(t *testing.T) {
	e := newTestEnv(t)
	tok := e.session("mentor.kayonza")
	resp, body := fetchRaw(t, e, "GET", "/", "gzip", tok, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(vary(resp.Header), "Accept-Encoding") {
		t.Fatalf("home page: %d %v", resp.StatusCode, resp.Header)
	}
	page := gunzip(t, body)
	if !bytes.Contains(page, []byte("</html>")) {
		t.Errorf("home page gunzipped is not the page: %.200s", page)
	}
	_, plain := fetchRaw(t, e, "GET", "/", "", tok, nil)
	if !bytes.Contains(plain, []byte("</html>")) || len(body) >= len(plain) {
		t.Errorf("home page: %d bytes gzipped, %d plain", len(body), len(plain))
	}
	resp, _ = fetchRaw(t, e, "HEAD", "/login", "gzip", "", nil)
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("HEAD got Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
}

// The middleware's own edges, on a bare handler: small bodies, answers already
// encoded, types not worth it, 304s, flushes.
func TestCompressWriter(t *testing.T) {
	big := strings.Repeat("mentor observes the consultation. ", 100)
	cases := []struct {
		name    string
		h       http.HandlerFunc
		gz      bool
		want    string
		status  int
		varyHdr bool
	}{
		{"small json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
		}, false, `{"ok":true}`, 200, true},
		{"big json in pieces", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			for _, c := range big {
				_, _ = io.WriteString(w, string(c))
			}
		}, true, big, 201, true},
		{"sniffed html", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<!doctype html>"+big)
		}, true, "<!doctype html>" + big, 200, true},
		{"png", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			_, _ = io.WriteString(w, big)
		}, false, big, 200, false},
		{"already encoded", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Encoding", "br")
			_, _ = io.WriteString(w, big)
		}, false, big, 200, false},
		{"not modified", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/css")
			w.WriteHeader(304)
		}, false, "", 304, true},
		{"flushed", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "first ")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, big)
		}, true, "first " + big, 200, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(Compress(c.h))
			defer srv.Close()
			e := &testEnv{t: t, srv: srv}
			resp, body := fetchRaw(t, e, "GET", "/", "gzip", "", nil)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != c.gz {
				t.Fatalf("gzipped %v, want %v (%v)", got, c.gz, resp.Header)
			}
			if c.gz {
				body = gunzip(t, body)
			}
			if string(body) != c.want {
				t.Errorf("body %.60q…, want %.60q…", body, c.want)
			}
			if got := strings.Contains(vary(resp.Header), "Accept-Encoding"); got != c.varyHdr {
				t.Errorf("Vary %q", vary(resp.Header))
			}
		})
	}
}

// A download (Content-Disposition: attachment, the exports) is gzipped at the faster
// downloadLevel, a page at the default level: the bytes sent are those each level's
// compressor makes of the body.
func TestCompressDownloadsAtTheFasterLevel(t *testing.T) {
	var body bytes.Buffer
	for i := range 4000 {
		body.WriteString(strings.Repeat("abcdefgh"[i%8:], 1+i%7) + ",row," + strings.Repeat("x", i%13) + "\n")
	}
	level := func(l int) []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, l)
		zw.Write(body.Bytes())
		zw.Close()
		return b.Bytes()
	}
	if bytes.Equal(level(downloadLevel), level(gzip.DefaultCompression)) {
		t.Fatal("the test body compresses the same at both levels: it cannot tell them apart")
	}
	for _, c := range []struct {
		disposition string
		want        int
	}{{`attachment; filename="mesh-observations.csv"`, downloadLevel}, {"", gzip.DefaultCompression}} {
		h := Compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			if c.disposition != "" {
				w.Header().Set("Content-Disposition", c.disposition)
			}
			w.Write(body.Bytes())
		}))
		req := httptest.NewRequest("GET", "/exports/observations.csv", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Body.Bytes()
		if !bytes.Equal(gunzip(t, got), body.Bytes()) {
			t.Fatalf("%q: the body does not come back", c.disposition)
		}
		if !bytes.Equal(got, level(c.want)) {
			t.Errorf("%q: not gzipped at level %d (%d bytes; level %d gives %d)", c.disposition, c.want, len(got), c.want, len(level(c.want)))
		}
	}
}
