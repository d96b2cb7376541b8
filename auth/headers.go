package auth

import (
	"net/http"
	"strings"
	"sync"
)

// ContentSecurityPolicy allows only our own scripts, styles and images: no inline
// script, no CDN, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'"

// SecurityHeaders sets the headers every response carries.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// MaxFormBody caps an HTML form's body: MESH forms are a few hundred bytes, and the
// largest (an observation) a few KiB.
const MaxFormBody = 64 << 10

// LimitForms answers 413 to a form post (url-encoded or multipart) whose body is
// larger than MaxFormBody, before any handler parses it, and caps a form body of
// unknown length the same way. Handlers that call r.FormValue directly would
// otherwise parse up to net/http's 10 MB. JSON bodies are capped by the API itself.
//
// A page that takes a file (the bulk import page) registers its exact path with
// AllowUpload: multipart posts there are capped at its own limit instead, and the
// page itself answers a body over it with a message in the user's language.
func LimitForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Get("Content-Type")
		if v, ok := uploadLimits.Load(r.URL.Path); ok && r.Method == http.MethodPost && r.Body != nil && strings.HasPrefix(ct, "multipart/form-data") {
			r.Body = http.MaxBytesReader(w, r.Body, v.(int64))
			next.ServeHTTP(w, r)
			return
		}
		if r.Body != nil && (strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")) {
			if r.ContentLength > MaxFormBody {
				w.Header().Set("Connection", "close")
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, MaxFormBody)
		}
		next.ServeHTTP(w, r)
	})
}

// uploadLimits maps an upload page's path to its body limit (see AllowUpload).
var uploadLimits sync.Map

// AllowUpload lets multipart posts to exactly path carry up to limit bytes instead of
// MaxFormBody. The page must check its caller before reading the body.
func AllowUpload(path string, limit int64) { uploadLimits.Store(path, limit) }
