package metrics

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// sample is one parsed line: a series name, its labels and value.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseText is an independent reader of the text exposition format, strict where
// Prometheus is strict: every sample belongs to a family declared by # TYPE before
// it, names and label names are valid, label values are quoted with \\ \" \n escapes,
// the value parses, a family appears once, and a histogram's buckets are cumulative
// and end with le="+Inf" equal to _count.
func parseText(t *testing.T, r io.Reader) (map[string]string, []sample) {
	t.Helper()
	types := map[string]string{}
	var out []sample
	seenDone := map[string]bool{}
	current := ""
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "# ") {
			f := strings.SplitN(l, " ", 4)
			if len(f) < 4 || (f[1] != "HELP" && f[1] != "TYPE") {
				t.Fatalf("line %d: bad comment %q", line, l)
			}
			if !validName(f[2]) {
				t.Fatalf("line %d: bad metric name %q", line, f[2])
			}
			if f[1] == "TYPE" {
				if _, dup := types[f[2]]; dup {
					t.Fatalf("line %d: family %s declared twice", line, f[2])
				}
				if current != "" {
					seenDone[current] = true
				}
				switch f[3] {
				case "counter", "gauge", "histogram":
				default:
					t.Fatalf("line %d: type %q", line, f[3])
				}
				types[f[2]], current = f[3], f[2]
			}
			continue
		}
		s, err := parseSample(l)
		if err != nil {
			t.Fatalf("line %d: %v: %q", line, err, l)
		}
		fam := s.name
		if types[fam] == "" {
			for _, suf := range []string{"_bucket", "_sum", "_count"} {
				if base, ok := strings.CutSuffix(s.name, suf); ok && types[base] == "histogram" {
					fam = base
				}
			}
		}
		if fam != current {
			t.Fatalf("line %d: sample %s outside its family's block (current %q)", line, s.name, current)
		}
		out = append(out, s)
	}
	// Histograms: cumulative buckets, +Inf = count.
	type key struct{ name, labels string }
	last := map[key]float64{}
	inf := map[key]float64{}
	for _, s := range out {
		base, ok := strings.CutSuffix(s.name, "_bucket")
		if !ok || types[base] != "histogram" {
			continue
		}
		le := s.labels["le"]
		rest := labelKey(s.labels, "le")
		k := key{base, rest}
		if s.value < last[k] {
			t.Errorf("%s{%s}: bucket le=%s is %v, below the previous %v", base, rest, le, s.value, last[k])
		}
		last[k] = s.value
		if le == "+Inf" {
			inf[k] = s.value
		}
	}
	for _, s := range out {
		if base, ok := strings.CutSuffix(s.name, "_count"); ok && types[base] == "histogram" {
			if v, ok := inf[key{base, labelKey(s.labels, "")}]; !ok || v != s.value {
				t.Errorf("%s: +Inf bucket %v, count %v", base, v, s.value)
			}
		}
	}
	return types, out
}

func labelKey(l map[string]string, skip string) string {
	var parts []string
	for k, v := range l {
		if k != skip {
			parts = append(parts, k+"="+v)
		}
	}
	sortStrings(parts)
	return strings.Join(parts, ",")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func validName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r == ':' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

func parseSample(l string) (sample, error) {
	s := sample{labels: map[string]string{}}
	i := strings.IndexAny(l, "{ ")
	if i < 0 {
		return s, fmt.Errorf("no value")
	}
	s.name = l[:i]
	if !validName(s.name) {
		return s, fmt.Errorf("bad name %q", s.name)
	}
	rest := l[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			eq := strings.IndexByte(rest, '=')
			if eq < 0 || !validName(rest[:eq]) || len(rest) < eq+2 || rest[eq+1] != '"' {
				return s, fmt.Errorf("bad label at %q", rest)
			}
			name := rest[:eq]
			rest = rest[eq+2:]
			var v strings.Builder
			closed := false
			for j := 0; j < len(rest); j++ {
				c := rest[j]
				if c == '\\' && j+1 < len(rest) {
					j++
					switch rest[j] {
					case '\\':
						v.WriteByte('\\')
					case '"':
						v.WriteByte('"')
					case 'n':
						v.WriteByte('\n')
					default:
						return s, fmt.Errorf("bad escape \\%c", rest[j])
					}
					continue
				}
				if c == '"' {
					rest, closed = rest[j+1:], true
					break
				}
				v.WriteByte(c)
			}
			if !closed {
				return s, fmt.Errorf("unterminated label value")
			}
			if _, dup := s.labels[name]; dup {
				return s, fmt.Errorf("label %s twice", name)
			}
			s.labels[name] = v.String()
			rest = strings.TrimPrefix(rest, ",")
		}
	}
	if !strings.HasPrefix(rest, " ") {
		return s, fmt.Errorf("no space before the value")
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
	if err != nil {
		return s, err
	}
	s.value = v
	return s, nil
}

func find(samples []sample, name string, labels map[string]string) (float64, bool) {
	for _, s := range samples {
		if s.name != name {
			continue
		}
		ok := true
		for k, v := range labels {
			if s.labels[k] != v {
				ok = false
			}
		}
		if ok {
			return s.value, true
		}
	}
	return 0, false
}

func TestWriteTextParses(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("test_events_total", "Events.\nSecond line with a \\ backslash.", "kind")
	g := r.Gauge("test_level", "A level.")
	h := r.Histogram("test_size", "Sizes.", []float64{1, 4, 16}, "pool")
	r.Counter("test_unused_total", "Never incremented, so not written.")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				c.With(`a "quoted"\ value` + "\n").Inc()
				c.With("plain").Add(0.5)
				g.With().Add(1)
				h.With("w").Observe(float64(j % 20))
			}
		}()
	}
	wg.Wait()
	r.Collect(func(e *Emitter) { e.Gauge("test_collected", "Collected.", 42, "pool", "read") })
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	types, samples := parseText(t, strings.NewReader(b.String()))
	if types["test_events_total"] != "counter" || types["test_size"] != "histogram" || types["test_level"] != "gauge" {
		t.Errorf("types: %v", types)
	}
	if _, ok := types["test_unused_total"]; ok {
		t.Error("a family with no series was written")
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"test_events_total", map[string]string{"kind": `a "quoted"\ value` + "\n"}, 8000},
		{"test_events_total", map[string]string{"kind": "plain"}, 4000},
		{"test_level", nil, 8000},
		{"test_size_count", map[string]string{"pool": "w"}, 8000},
		{"test_size_bucket", map[string]string{"pool": "w", "le": "1"}, 800},   // 0 and 1
		{"test_size_bucket", map[string]string{"pool": "w", "le": "4"}, 2000},  // 0…4
		{"test_size_bucket", map[string]string{"pool": "w", "le": "16"}, 6800}, // 0…16
		{"test_size_sum", map[string]string{"pool": "w"}, 8 * 50 * 190},
		{"test_collected", map[string]string{"pool": "read"}, 42},
	}
	for _, c := range checks {
		if got, ok := find(samples, c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
}

func TestMiddlewareCountsByRoutePattern(t *testing.T) {
	r := NewRegistry()
	m := NewHTTPMetrics(r)
	CollectRuntime(r)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "0" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		w.Write([]byte("ok"))
	})
	mux.HandleFunc("POST /fail", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	mux.Handle("GET /metrics", r.Handler())
	srv := httptest.NewServer(m.Middleware(mux, mux))
	defer srv.Close()
	for _, p := range []string{"/items/1", "/items/2", "/items/0", "/nowhere"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, _ := http.Post(srv.URL+"/fail", "text/plain", nil)
	resp.Body.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != ContentType {
		t.Errorf("content type %q", ct)
	}
	_, samples := parseText(t, resp.Body)
	for _, c := range []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"route": "GET /items/{id}", "code": "2xx"}, 2},
		{map[string]string{"route": "GET /items/{id}", "code": "4xx"}, 1},
		{map[string]string{"route": "POST /fail", "code": "5xx", "method": "POST"}, 1},
	} {
		if got, _ := find(samples, "mesh_http_requests_total", c.labels); got != c.want {
			t.Errorf("requests %v = %v, want %v", c.labels, got, c.want)
		}
	}
	// The unrouted path counts under the catch-all the mux would use (none here).
	if got, _ := find(samples, "mesh_http_requests_total", map[string]string{"route": "unmatched"}); got != 1 {
		t.Errorf("unmatched = %v, want 1", got)
	}
	if got, _ := find(samples, "mesh_http_request_duration_seconds_count", map[string]string{"route": "GET /items/{id}"}); got != 3 {
		t.Errorf("latency count = %v, want 3", got)
	}
	if got, _ := find(samples, "mesh_http_requests_in_flight", nil); got != 1 { // the scrape itself
		t.Errorf("in flight = %v, want 1", got)
	}
	if got, _ := find(samples, "go_goroutines", nil); got < 1 {
		t.Errorf("go_goroutines = %v", got)
	}
}

// BenchmarkMiddleware is the cost /metrics adds to a request: a second route lookup,
// two counters, a histogram and the in-flight gauge.
func BenchmarkMiddleware(b *testing.B) {
	r := NewRegistry()
	m := NewHTTPMetrics(r)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/visits/{id}", func(w http.ResponseWriter, r *http.Request) {})
	h := m.Middleware(mux, mux)
	req := httptest.NewRequest("GET", "/api/v1/visits/0190aaaa-0000-7000-8000-000000000001", nil)
	b.Run("bare", func(b *testing.B) {
		for b.Loop() {
			mux.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
	b.Run("counted", func(b *testing.B) {
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
}

func BenchmarkCounterParallel(b *testing.B) {
	c := NewRegistry().Counter("c_total", "c", "k")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.With("stored").Inc()
		}
	})
}
