package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Compression for phones on 2G (issue 7, docs/offline.md "Compression"): the embedded
// static files are gzipped once, when first needed, and served from memory; pages and
// JSON answers are gzipped as they are written. Only gzip: it is in the standard
// library and every browser takes it (brotli is not in the standard library).

// compressibleTypes are the media types worth compressing (images other than SVG,
// and archives, already are).
var compressibleTypes = []string{"text/", "application/json", "application/javascript", "application/wasm",
	"application/manifest+json", "image/svg+xml", "application/xml", "application/xhtml+xml"}

// compressible says whether a Content-Type value is worth gzipping.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	for _, p := range compressibleTypes {
		if strings.HasSuffix(p, "/") && strings.HasPrefix(mt, p) || mt == p {
			return true
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a q-value above zero.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// staticGzip is one embedded static file and its gzipped copy (nil when not worth it).
type staticGzip struct {
	raw, gz     []byte
	contentType string
}

// precompressed holds every compressible embedded static file gzipped, made once (the
// first static request, or the budget test) and kept for the life of the process.
var precompressed = sync.OnceValue(func() map[string]staticGzip {
	out := map[string]staticGzip{}
	entries, _ := fs.ReadDir(embedded, "static")
	for _, e := range entries {
		name := e.Name()
		ct := mime.TypeByExtension(path.Ext(name))
		if name == "mesh.wasm" {
			ct = "application/wasm"
		}
		if !compressible(ct) {
			continue
		}
		raw, err := embedded.ReadFile("static/" + name)
		if err != nil {
			continue
		}
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		sg := staticGzip{raw: raw, contentType: ct}
		if b.Len() < len(raw) {
			sg.gz = b.Bytes()
		}
		out[name] = sg
	}
	return out
})

// compressedStatic serves the precompressed copy of a static file when the browser
// takes gzip, with the same year-long caching as next (which serves the rest: files
// not worth compressing, and browsers that take no gzip).
func compressedStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		sg, ok := precompressed()[name]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Accept-Encoding")
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Content-Type", sg.contentType)
		body, etag := sg.raw, `"`+assetHashes[name]+`"`
		if sg.gz != nil && acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body, etag = sg.gz, `"`+assetHashes[name]+`-gz"`
		}
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// gzipMinSize is the smallest answer worth compressing: below one packet the
// gzip header and the CPU cost more than they save.
const gzipMinSize = 1024

var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return zw
}}

// Downloads (Content-Disposition: attachment: the exports) are gzipped at level 3: on
// CSV rows it runs 2.4 times as fast as the default level 6 (256 against 107 MB/s on
// this machine's core) for a file 28 % larger (11.4 % against 8.9 % of the CSV), so a
// national export is no longer held to the compressor's ~83,000 rows/s.
const downloadLevel = 3

var downloadWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, downloadLevel)
	return zw
}}

// writers is the pool of gzip writers for an answer with these headers.
func writers(h http.Header) *sync.Pool {
	if strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		return &downloadWriters
	}
	return &gzipWriters
}

// Compress gzips the answers of next (pages, JSON, scripts, CSS, SVG, wasm) for
// clients that take gzip, adding Vary: Accept-Encoding. An answer already encoded
// (the precompressed static files), a HEAD, a 204/304, or one under gzipMinSize
// goes out as it is. `mesh serve` puts it outermost.
func Compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w, accepts: acceptsGzip(r)}
		defer cw.close()
		next.ServeHTTP(cw, r)
	})
}

// compressWriter holds back the first gzipMinSize bytes to decide whether to gzip.
type compressWriter struct {
	http.ResponseWriter
	accepts bool
	status  int
	decided bool
	buf     []byte
	zw      *gzip.Writer
	pool    *sync.Pool // where zw came from and goes back to
	hijack  bool
}

func (cw *compressWriter) WriteHeader(status int) {
	if cw.status == 0 {
		cw.status = status
	}
	if status < 200 && status != http.StatusSwitchingProtocols { // 1xx informational: pass through
		cw.ResponseWriter.WriteHeader(status)
		cw.status = 0
		return
	}
	h := cw.Header()
	if compressible(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" {
		h.Add("Vary", "Accept-Encoding")
	}
	if status == http.StatusNoContent || status == http.StatusNotModified || !cw.eligible() {
		cw.start(false)
	}
}

// eligible says whether the answer may be gzipped, from its headers.
func (cw *compressWriter) eligible() bool {
	h := cw.Header()
	return cw.accepts && h.Get("Content-Encoding") == "" && compressible(h.Get("Content-Type")) &&
		(h.Get("Content-Length") == "" || atoi(h.Get("Content-Length")) >= gzipMinSize)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// start sends the headers, gzipped or not; it runs once.
func (cw *compressWriter) start(gz bool) {
	if cw.decided {
		return
	}
	cw.decided = true
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	if gz {
		h := cw.Header()
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		// A strong validator names one representation; the gzipped one is another.
		if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
			h.Set("ETag", "W/"+et)
		}
		cw.pool = writers(h)
		cw.zw = cw.pool.Get().(*gzip.Writer)
		cw.zw.Reset(cw.ResponseWriter)
	}
	cw.ResponseWriter.WriteHeader(cw.status)
}

func (cw *compressWriter) Write(p []byte) (int, error) {
	if !cw.decided {
		if cw.Header().Get("Content-Type") == "" && len(cw.buf) == 0 {
			// What net/http would write; known now, so the choice can use it.
			cw.Header().Set("Content-Type", http.DetectContentType(p))
		}
		if cw.status == 0 {
			cw.WriteHeader(http.StatusOK)
		}
		if !cw.decided {
			cw.buf = append(cw.buf, p...)
			if len(cw.buf) < gzipMinSize {
				return len(p), nil
			}
			cw.start(true)
			buf := cw.buf
			cw.buf = nil
			if _, err := cw.zw.Write(buf); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	if cw.zw != nil {
		return cw.zw.Write(p)
	}
	return cw.ResponseWriter.Write(p)
}

// close flushes what was held back (too small: sent as it is) and the gzip trailer.
func (cw *compressWriter) close() {
	if cw.hijack {
		return
	}
	if !cw.decided {
		if cw.status == 0 && len(cw.buf) == 0 {
			return // the handler wrote nothing: net/http sends its own 200
		}
		cw.start(false)
		if len(cw.buf) > 0 {
			_, _ = cw.ResponseWriter.Write(cw.buf)
		}
		return
	}
	if cw.zw != nil {
		_ = cw.zw.Close()
		cw.zw.Reset(io.Discard)
		cw.pool.Put(cw.zw)
		cw.zw = nil
	}
}

// Flush sends what is buffered (a streamed answer is then compressed as it goes).
func (cw *compressWriter) Flush() {
	if !cw.decided {
		cw.start(cw.eligible() && len(cw.buf) > 0)
		if len(cw.buf) > 0 {
			buf := cw.buf
			cw.buf = nil
			if cw.zw != nil {
				_, _ = cw.zw.Write(buf)
			} else {
				_, _ = cw.ResponseWriter.Write(buf)
			}
		}
	}
	if cw.zw != nil {
		_ = cw.zw.Flush()
	}
	if f, ok := cw.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes a connection takeover through untouched.
func (cw *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	cw.hijack = true
	return http.NewResponseController(cw.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (cw *compressWriter) Unwrap() http.ResponseWriter { return cw.ResponseWriter }
