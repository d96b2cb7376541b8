// Package metrics keeps counters, gauges and histograms and writes them in the
// Prometheus text exposition format (version 0.0.4), with the standard library only:
// MESH needs a dozen series, not a client library and its dependencies.
//
// Series are created once (package variables where they are counted) and updated
// with atomics, so counting costs no lock on the hot path; a scrape takes the
// registry's lock only to list the series.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds metric families and scrape-time collectors.
type Registry struct {
	mu         sync.Mutex
	families   map[string]*family
	collectors []func(*Emitter)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{families: map[string]*family{}} }

// Default is the registry that MESH's packages count into and /metrics serves.
var Default = NewRegistry()

type kind string

const (
	counterKind   kind = "counter"
	gaugeKind     kind = "gauge"
	histogramKind kind = "histogram"
)

type family struct {
	name, help string
	kind       kind
	labels     []string
	buckets    []float64 // histograms

	mu     sync.RWMutex
	series map[string]any // label values joined by \xff → *Counter, *Gauge or *Histogram
	values map[string][]string
}

func (r *Registry) family(name, help string, k kind, labels []string, buckets []float64) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		if f.kind != k || strings.Join(f.labels, ",") != strings.Join(labels, ",") {
			panic("metrics: " + name + " registered twice with different shapes")
		}
		return f
	}
	f := &family{name: name, help: help, kind: k, labels: labels, buckets: buckets,
		series: map[string]any{}, values: map[string][]string{}}
	r.families[name] = f
	return f
}

func (f *family) get(values []string, make func() any) any {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	var key string
	switch len(values) {
	case 0:
	case 1:
		key = values[0]
	default:
		key = strings.Join(values, "\xff")
	}
	f.mu.RLock()
	s, ok := f.series[key]
	f.mu.RUnlock()
	if ok {
		return s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.series[key]; ok {
		return s
	}
	s = make()
	f.series[key] = s
	f.values[key] = append([]string(nil), values...)
	return s
}

// Counter is a value that only goes up.
type Counter struct{ bits atomic.Uint64 }

// Add adds v (v ≥ 0).
func (c *Counter) Add(v float64) { addFloat(&c.bits, v) }

// Inc adds one.
func (c *Counter) Inc() { c.Add(1) }

// Value is the current count.
func (c *Counter) Value() float64 { return math.Float64frombits(c.bits.Load()) }

// Gauge is a value that goes up and down.
type Gauge struct{ bits atomic.Uint64 }

// Set sets the value.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// Add adds v (which may be negative).
func (g *Gauge) Add(v float64) { addFloat(&g.bits, v) }

// Value is the current value.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

func addFloat(bits *atomic.Uint64, v float64) {
	for {
		old := bits.Load()
		if bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// Histogram counts observations into cumulative buckets.
type Histogram struct {
	upper  []float64
	counts []atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	sum    atomic.Uint64
}

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.upper, v) // first bucket with upper ≥ v
	h.counts[i].Add(1)
	addFloat(&h.sum, v)
}

// CounterVec is a counter family with labels.
type CounterVec struct{ f *family }

// GaugeVec is a gauge family with labels.
type GaugeVec struct{ f *family }

// HistogramVec is a histogram family with labels.
type HistogramVec struct{ f *family }

// Counter registers (or returns) a counter family.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	return &CounterVec{r.family(name, help, counterKind, labels, nil)}
}

// Gauge registers (or returns) a gauge family.
func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	return &GaugeVec{r.family(name, help, gaugeKind, labels, nil)}
}

// Histogram registers (or returns) a histogram family with the given bucket upper
// bounds (sorted; +Inf is added).
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	b := append([]float64(nil), buckets...)
	sort.Float64s(b)
	return &HistogramVec{r.family(name, help, histogramKind, labels, b)}
}

// With returns the counter for these label values.
func (v *CounterVec) With(values ...string) *Counter {
	return v.f.get(values, func() any { return &Counter{} }).(*Counter)
}

// With returns the gauge for these label values.
func (v *GaugeVec) With(values ...string) *Gauge {
	return v.f.get(values, func() any { return &Gauge{} }).(*Gauge)
}

// With returns the histogram for these label values.
func (v *HistogramVec) With(values ...string) *Histogram {
	return v.f.get(values, func() any {
		return &Histogram{upper: v.f.buckets, counts: make([]atomic.Uint64, len(v.f.buckets)+1)}
	}).(*Histogram)
}

// DefBuckets are latency buckets in seconds, from 5 ms to 10 s.
var DefBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Collect adds a function run at every scrape, for values read rather than counted
// (connection pools, the Go runtime).
func (r *Registry) Collect(fn func(*Emitter)) {
	r.mu.Lock()
	r.collectors = append(r.collectors, fn)
	r.mu.Unlock()
}

// Emitter receives a collector's samples during a scrape.
type Emitter struct{ fams map[string]*emitted }

type emitted struct {
	help    string
	kind    kind
	samples []string
}

// Gauge emits one gauge sample; labels alternate name, value.
func (e *Emitter) Gauge(name, help string, v float64, labels ...string) {
	e.emit(name, help, gaugeKind, v, labels)
}

// Counter emits one counter sample; labels alternate name, value.
func (e *Emitter) Counter(name, help string, v float64, labels ...string) {
	e.emit(name, help, counterKind, v, labels)
}

func (e *Emitter) emit(name, help string, k kind, v float64, labels []string) {
	f := e.fams[name]
	if f == nil {
		f = &emitted{help: help, kind: k}
		e.fams[name] = f
	}
	var names, values []string
	for i := 0; i+1 < len(labels); i += 2 {
		names, values = append(names, labels[i]), append(values, labels[i+1])
	}
	f.samples = append(f.samples, name+labelString(names, values, "", "")+" "+formatFloat(v))
}

// WriteText writes every series in the Prometheus text format, families sorted by
// name so that the output is stable.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	collectors := append([]func(*Emitter){}, r.collectors...)
	r.mu.Unlock()

	blocks := map[string]string{}
	for _, f := range fams {
		if b := f.text(); b != "" {
			blocks[f.name] = b
		}
	}
	e := &Emitter{fams: map[string]*emitted{}}
	for _, c := range collectors {
		c(e)
	}
	for name, f := range e.fams {
		if _, dup := blocks[name]; dup {
			continue // a counted family wins over a collected one of the same name
		}
		blocks[name] = header(name, f.help, f.kind) + strings.Join(f.samples, "\n") + "\n"
	}
	names := make([]string, 0, len(blocks))
	for n := range blocks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := io.WriteString(w, blocks[n]); err != nil {
			return err
		}
	}
	return nil
}

func header(name, help string, k kind) string {
	return "# HELP " + name + " " + escapeHelp(help) + "\n# TYPE " + name + " " + string(k) + "\n"
}

// text renders a family; a family with no series yet is left out.
func (f *family) text() string {
	f.mu.Lock()
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	series := make([]any, len(keys))
	values := make([][]string, len(keys))
	for i, k := range keys {
		series[i], values[i] = f.series[k], f.values[k]
	}
	f.mu.Unlock()
	if len(keys) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(header(f.name, f.help, f.kind))
	for i, s := range series {
		switch s := s.(type) {
		case *Counter:
			fmt.Fprintf(&b, "%s%s %s\n", f.name, labelString(f.labels, values[i], "", ""), formatFloat(s.Value()))
		case *Gauge:
			fmt.Fprintf(&b, "%s%s %s\n", f.name, labelString(f.labels, values[i], "", ""), formatFloat(s.Value()))
		case *Histogram:
			// _count is the buckets' own total, so it always equals +Inf.
			var cum uint64
			for j, upper := range s.upper {
				cum += s.counts[j].Load()
				fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, labelString(f.labels, values[i], "le", formatFloat(upper)), cum)
			}
			cum += s.counts[len(s.upper)].Load()
			fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, labelString(f.labels, values[i], "le", "+Inf"), cum)
			fmt.Fprintf(&b, "%s_sum%s %s\n", f.name, labelString(f.labels, values[i], "", ""), formatFloat(math.Float64frombits(s.sum.Load())))
			fmt.Fprintf(&b, "%s_count%s %d\n", f.name, labelString(f.labels, values[i], "", ""), cum)
		}
	}
	return b.String()
}

func labelString(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n + `="` + escapeLabel(values[i]) + `"`)
	}
	if extraName != "" {
		if len(names) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(extraName + `="` + escapeLabel(extraValue) + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
