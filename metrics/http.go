package metrics

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"time"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Handler serves the registry in the text format.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		r.WriteText(w)
	})
}

// HTTPMetrics are the request series Middleware counts into.
type HTTPMetrics struct {
	requests *CounterVec
	duration *HistogramVec
	inFlight *Gauge
}

// NewHTTPMetrics registers the request series on r.
func NewHTTPMetrics(r *Registry) *HTTPMetrics {
	return &HTTPMetrics{
		requests: r.Counter("mesh_http_requests_total", "HTTP requests answered, by route pattern, method and status class.", "route", "method", "code"),
		duration: r.Histogram("mesh_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern.", DefBuckets, "route"),
		inFlight: r.Gauge("mesh_http_requests_in_flight", "HTTP requests being answered now.").With(),
	}
}

// Middleware counts every request by the mux pattern that routes it ("GET
// /api/v1/visits/{id}", never the raw path, so ids do not explode the series) and its
// status class (2xx…5xx). It asks mux for the pattern before serving, so requests that
// the outer middleware refuses (CSRF, 413) are counted under their route too.
func (m *HTTPMetrics) Middleware(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		m.inFlight.Add(1)
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			m.inFlight.Add(-1)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			m.duration.With(route).Observe(time.Since(start).Seconds())
			m.requests.With(route, r.Method, strconv.Itoa(status/100)+"xx").Inc()
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status code; Unwrap lets http.ResponseController reach
// the real writer (flushing streamed exports, deadlines).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("hijacking not supported")
}

// CollectRuntime adds the Go runtime's goroutines, heap and GC figures to r.
func CollectRuntime(r *Registry) {
	r.Collect(func(e *Emitter) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		e.Gauge("go_goroutines", "Goroutines that currently exist.", float64(runtime.NumGoroutine()))
		e.Gauge("go_memstats_heap_alloc_bytes", "Heap bytes allocated and in use.", float64(ms.HeapAlloc))
		e.Gauge("go_memstats_heap_inuse_bytes", "Heap bytes in in-use spans.", float64(ms.HeapInuse))
		e.Gauge("go_memstats_heap_objects", "Allocated heap objects.", float64(ms.HeapObjects))
		e.Gauge("go_memstats_sys_bytes", "Bytes obtained from the system.", float64(ms.Sys))
		e.Counter("go_gc_cycles_total", "Completed GC cycles.", float64(ms.NumGC))
		e.Counter("go_gc_pause_seconds_total", "Total stop-the-world GC pause time.", float64(ms.PauseTotalNs)/1e9)
		e.Gauge("go_gomaxprocs", "GOMAXPROCS.", float64(runtime.GOMAXPROCS(0)))
	})
}
