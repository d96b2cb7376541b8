// Package export writes MESH tables as streaming CSV: one row at a time from an
// iterator, so a national export needs no more memory than a single page of rows and
// its first bytes leave at once. Files start with a UTF-8 byte-order mark because
// Excel on Windows reads a CSV without one as ANSI and garbles Kinyarwanda and
// French letters.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"mesh/i18n"
)

// BOM is the UTF-8 byte-order mark every CSV file starts with.
const BOM = "\uFEFF"

// Options tune a CSV export.
type Options struct {
	// Progress, when set, receives a line every ProgressEvery rows and one at the end.
	Progress      io.Writer
	ProgressEvery int
	// Total, when known (a count before the export), turns progress lines into a bar
	// with a percentage: "[#######.............]  35% 70,000/200,405 rows, 41,000 rows/s".
	Total int
	// Redraw draws the bar in place with a carriage return (stderr is a terminal)
	// instead of one line per step (a log file).
	Redraw bool
	// Label names the rows in progress lines ("observations").
	Label string
	// ProgressLine, when set, writes a progress line for people (in their language):
	// n rows so far at rate rows/s, or — done — all n rows in took. Else English.
	ProgressLine func(n int, rate float64, done bool, took time.Duration) string
	// Lang writes the header row in that language (en, fr, rw) from the catalog keys
	// "export.col.<column id>"; "" keeps the column ids, stable names for scripts.
	Lang string
}

// table is one exportable table: its header and how a record becomes a row.
type table[T any] struct {
	header []string
	row    func(rec T, row []string) // fills row (len(header)) in place
	kinds  map[string]colKind        // non-text columns, for typed XLSX cells
}

// batchSize is how many records a formatting worker takes at a time: large enough
// that channel hand-offs cost nothing, small enough that memory stays flat.
const batchSize = 256

// batch is a run of records and, once done is closed, their formatted rows.
type batch[T any] struct {
	recs []T
	rows [][]string
	done chan struct{}
}

// sink receives an export's header and rows in order: a CSV file or an XLSX sheet.
type sink interface {
	header(cols []string) error
	row(r []string) error
	close() error
}

// csvSink writes RFC 4180 CSV after a byte-order mark.
type csvSink struct {
	w  io.Writer
	cw *csv.Writer
}

func (s *csvSink) header(cols []string) error {
	if _, err := io.WriteString(s.w, BOM); err != nil {
		return err
	}
	s.cw = csv.NewWriter(s.w)
	return s.cw.Write(cols)
}

func (s *csvSink) row(r []string) error { return s.cw.Write(r) }

func (s *csvSink) close() error {
	s.cw.Flush()
	return s.cw.Error()
}

// labels is the header row in lang: the column ids when lang is "" (what scripts
// and the JSON API use), else each column's catalog text "export.col.<id>".
func (t table[T]) labels(lang string) []string {
	if lang == "" {
		return t.header
	}
	out := make([]string, len(t.header))
	for i, h := range t.header {
		out[i] = i18n.T(lang, "export.col."+h)
	}
	return out
}

// write streams rows to w as CSV with a BOM and a header, and returns the number of
// data rows written.
func (t table[T]) write(w io.Writer, rows iter.Seq2[T, error], opt Options) (int, error) {
	return t.pump(&csvSink{w: w}, rows, opt)
}

// pump sends the header and then every row to out. Turning a record into cells
// (decoding its assessment) costs several times more than writing them, so that work
// is spread over every core while one goroutine writes the batches back in order; at
// most a few batches per core are in flight, whatever the size of the table. The
// iterator is read from one goroutine only, and its error stops the export and is
// returned.
func (t table[T]) pump(out sink, rows iter.Seq2[T, error], opt Options) (int, error) {
	if err := out.header(t.labels(opt.Lang)); err != nil {
		return 0, err
	}
	p := newProgress(opt)
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *batch[T])
	order := make(chan *batch[T], 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range work {
				cols := len(t.header)
				cells := make([]string, len(b.recs)*cols) // one slab per batch, not one per row
				b.rows = make([][]string, len(b.recs))
				for i, rec := range b.recs {
					b.rows[i] = cells[i*cols : (i+1)*cols : (i+1)*cols]
					t.row(rec, b.rows[i])
				}
				close(b.done)
			}
		})
	}
	type result struct {
		n   int
		err error
	}
	written := make(chan result, 1)
	failed := make(chan struct{})
	go func() {
		var res result
		for b := range order {
			<-b.done
			for _, r := range b.rows {
				if res.err != nil {
					break // keep draining so the producers never block
				}
				if res.err = out.row(r); res.err != nil {
					close(failed)
					break
				}
				res.n++
				p.row(res.n)
			}
		}
		if res.err == nil {
			res.err = out.close()
		}
		written <- res
	}()
	cur := &batch[T]{done: make(chan struct{})}
	submit := func() bool {
		if len(cur.recs) == 0 {
			return true
		}
		select {
		case <-failed:
			return false
		default:
		}
		order <- cur
		work <- cur
		cur = &batch[T]{recs: make([]T, 0, batchSize), done: make(chan struct{})}
		return true
	}
	var srcErr error
	for rec, err := range rows {
		if err != nil {
			srcErr = err
			break
		}
		cur.recs = append(cur.recs, rec)
		if len(cur.recs) == batchSize && !submit() {
			break
		}
	}
	submit()
	close(work)
	close(order)
	wg.Wait()
	res := <-written
	if srcErr != nil {
		return res.n, srcErr
	}
	if res.err != nil {
		return res.n, res.err
	}
	p.done(res.n)
	return res.n, nil
}

// progressMeter writes an export's progress lines: every ProgressEvery rows, and a
// last line when done.
type progressMeter struct {
	opt   Options
	every int
	start time.Time
}

func newProgress(opt Options) *progressMeter {
	every := opt.ProgressEvery
	if every <= 0 {
		every = 10000
	}
	return &progressMeter{opt: opt, every: every, start: time.Now()}
}

// row notes that n rows are written.
func (p *progressMeter) row(n int) {
	if p.opt.Progress != nil && n%p.every == 0 {
		progress(p.opt, n, time.Since(p.start))
	}
}

// done writes the closing line after n rows.
func (p *progressMeter) done(n int) {
	opt := p.opt
	if opt.Progress == nil {
		return
	}
	if opt.Total > 0 && opt.Redraw {
		progress(opt, n, time.Since(p.start))
		fmt.Fprintln(opt.Progress)
	}
	took := time.Since(p.start).Round(time.Millisecond)
	if opt.ProgressLine != nil {
		fmt.Fprintln(opt.Progress, opt.ProgressLine(n, 0, true, took))
	} else {
		fmt.Fprintf(opt.Progress, "mesh: done, %d %s exported in %s\n", n, opt.Label, took)
	}
}

// progress reports n rows written after d: a bar when the total is known, else a
// line with the running rate.
func progress(opt Options, n int, d time.Duration) {
	rate := float64(n) / d.Seconds()
	if opt.Total <= 0 {
		if opt.ProgressLine != nil {
			fmt.Fprintln(opt.Progress, opt.ProgressLine(n, rate, false, 0))
			return
		}
		fmt.Fprintf(opt.Progress, "mesh: %d %s exported (%.0f rows/s)\n", n, opt.Label, rate)
		return
	}
	const width = 30
	done := min(width, n*width/opt.Total)
	end := "\n"
	if opt.Redraw {
		end = ""
		fmt.Fprint(opt.Progress, "\r")
	}
	fmt.Fprintf(opt.Progress, "mesh: [%s%s] %3d%% %d/%d %s, %.0f rows/s%s", strings.Repeat("#", done), strings.Repeat(".", width-done),
		min(100, n*100/opt.Total), n, opt.Total, opt.Label, rate, end)
}

// Cell formats shared by every table: booleans as true/false, numbers without an
// exponent, lists joined with "; " (commas would fight Excel's list separator in
// French locales), absent values empty.

func boolCell(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func optBool(b *bool) string {
	if b == nil {
		return ""
	}
	return boolCell(*b)
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func optNum(x *float64) string {
	if x == nil {
		return ""
	}
	return num(*x)
}

func optInt(x *int) string {
	if x == nil {
		return ""
	}
	return strconv.Itoa(*x)
}

func list(xs []string) string { return strings.Join(xs, "; ") }

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
