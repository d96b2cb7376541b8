package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"mesh"
	"mesh/export"
	"mesh/i18n"
	"mesh/sqlstore"
)

func init() {
	command("export", "stream a table as CSV or XLSX: mesh export observations|visits|indicators|readiness|stockouts|issues|qi-cycles", runExport)
	for _, t := range exportTables {
		subcommands("export", t.name)
	}
}

// exportTables are the tables `mesh export` can write.
var exportTables = []struct {
	name, summary string
	write         exportWriter
}{
	{"observations", "one row per case observation: key inputs, worker actions, every score field",
		func(ctx context.Context, db *sqlstore.DB, f sqlstore.ExportFilter, w io.Writer, format export.Format, opt export.Options) (int, error) {
			return export.WriteObservations(w, format, db.ExportObservations(ctx, f), opt)
		}},
	{"visits", "one row per mentoring or supervision visit",
		func(ctx context.Context, db *sqlstore.DB, f sqlstore.ExportFilter, w io.Writer, format export.Format, opt export.Options) (int, error) {
			return export.WriteVisits(w, format, db.ExportVisits(ctx, f), opt)
		}},
	{"indicators", "one row per facility, month and indicator (counts and value)",
		func(ctx context.Context, db *sqlstore.DB, f sqlstore.ExportFilter, w io.Writer, format export.Format, opt export.Options) (int, error) {
			return export.WriteIndicators(w, format, db.ExportIndicatorCounts(ctx, f), opt)
		}},
	{"readiness", "one row per readiness check: items answered, tracers in stock, equipment, infrastructure",
		func(ctx context.Context, db *sqlstore.DB, f sqlstore.ExportFilter, w io.Writer, format export.Format, opt export.Options) (int, error) {
			return export.WriteReadinessChecks(w, format, db.ExportReadinessChecks(ctx, f), opt)
		}},
	{"stockouts", "one row per stock-out event of a tracer commodity",
		func(ctx context.Context, db *sqlstore.DB, f sqlstore.ExportFilter, w io.Writer, format export.Format, opt export.Options) (int, error) {
			return export.WriteStockEvents(w, format, db.ExportStockEvents(ctx, f), opt)
		}},
	{"issues", "one row per facility issue (supply, equipment, staffing…)",
		func(ctx context.Context, db *sqlstore.DB, f sqlstore.ExportFilter, w io.Writer, format export.Format, opt export.Options) (int, error) {
			return export.WriteIssues(w, format, db.ExportIssues(ctx, f), opt)
		}},
	{"qi-cycles", "one row per PDSA cycle with its QI project",
		func(ctx context.Context, db *sqlstore.DB, f sqlstore.ExportFilter, w io.Writer, format export.Format, opt export.Options) (int, error) {
			return export.WriteQICycles(w, format, db.ExportQICycles(ctx, f), opt)
		}},
}

// exportWriter streams one table from the database in a format.
type exportWriter func(ctx context.Context, db *sqlstore.DB, f sqlstore.ExportFilter, w io.Writer, format export.Format, opt export.Options) (int, error)

func runExport(env *Env, args []string) error {
	if len(args) == 0 {
		printHelp(env, env.Stderr, "export", nil)
		return usageT(env, "cli.err.export_missing_table")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printHelp(env, env.Stdout, "export", nil)
		return errHelp
	}
	for _, t := range exportTables {
		if t.name == args[0] {
			return runExportTable(env, t.name, t.write, args[1:])
		}
	}
	printHelp(env, env.Stderr, "export", nil)
	names := make([]string, len(exportTables))
	for i, t := range exportTables {
		names[i] = t.name
	}
	return usageT(env, "cli.err.unknown_subcommand", "export", args[0], strings.Join(names, ", "))
}

func runExportTable(env *Env, name string, write exportWriter, args []string) error {
	fs := newFlags(env, "export "+name, "export "+name+" [--format csv|xlsx] [--lang en|fr|rw|ids] [--from DAY] [--to DAY] [--orgunit ID] [--db DSN] [-o FILE]\n\nFlags:")
	var dsn string
	dbFlag(fs, env, &dsn)
	format := fs.String("format", "csv", "file format: csv or xlsx (Excel, one sheet, dates as dates)")
	lang := fs.String("lang", i18n.Default, "language of the column headers: en, fr or rw; ids writes the column ids scripts use")
	from := fs.String("from", "", "first day, YYYY-MM-DD (or YYYY-MM for a whole month)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (or YYYY-MM for a whole month)")
	orgunit := fs.String("orgunit", "", "only facilities at or under this place id")
	out := fs.String("o", "", "write to FILE instead of stdout")
	every := fs.Int("progress-every", 10000, "print progress on stderr every N rows")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "export "+name, fs.Arg(0))
	}
	ff, ok := export.ParseFormat(*format)
	if !ok {
		return usageT(env, "cli.err.flag_choice", "export", "--format", "csv, xlsx")
	}
	headerLang := ""
	if *lang != "ids" {
		if headerLang = i18n.Normalize(*lang); headerLang == "" {
			return usageT(env, "cli.err.flag_choice", "export", "--lang", "en, fr, rw, ids")
		}
	}
	f := sqlstore.ExportFilter{}
	var err error
	if f.From, err = exportDay("from", *from, false); err != nil {
		return err
	}
	if f.To, err = exportDay("to", *to, true); err != nil {
		return err
	}
	if f.From != "" && f.To != "" && f.To < f.From {
		return mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "to", Message: "to must not be before from"})
	}
	ctx := context.Background()
	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *orgunit != "" {
		id, err := strconv.ParseInt(*orgunit, 10, 64)
		if err != nil || id <= 0 {
			return mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "orgunit", Message: fmt.Sprintf("orgunit %q must be a place id (a whole number)", *orgunit)})
		}
		o, err := db.FindOrgUnitByID(ctx, id)
		if err != nil {
			return err
		}
		f.Under = []string{o.Path}
	}
	opt := export.Options{Progress: env.Stderr, ProgressEvery: *every, Lang: headerLang,
		ProgressLine: func(n int, rate float64, done bool, took time.Duration) string {
			if done {
				return "mesh: " + env.T("cli.export.done", env.N(n), name, took.String())
			}
			return "mesh: " + env.T("cli.export.progress", env.N(n), name, env.N(math.Round(rate)))
		}}
	// A count first turns progress into a bar; on a terminal it redraws in place
	// (a hundred steps), in a log it prints a line every --progress-every rows.
	if opt.Total, err = db.ExportCount(ctx, name, f); err != nil {
		return err
	}
	if isTerminal(env.Stderr) {
		opt.Redraw = true
		opt.ProgressEvery = max(1, min(*every, opt.Total/100))
	}
	if *out == "" {
		bw := bufio.NewWriterSize(env.Stdout, 64<<10)
		if _, err := write(ctx, db, f, bw, ff, opt); err != nil {
			return err
		}
		return bw.Flush()
	}
	// A device or a pipe given as the file (-o /dev/null, a named pipe) is written
	// straight into: renaming a file over it would replace the device for every
	// program on the machine.
	if st, err := os.Stat(*out); err == nil && !st.Mode().IsRegular() {
		dst, err := os.OpenFile(*out, os.O_WRONLY, 0)
		if err != nil {
			return usageT(env, "cli.err.cannot_write", "export", *out, err)
		}
		bw := bufio.NewWriterSize(dst, 64<<10)
		_, err = write(ctx, db, f, bw, ff, opt)
		if err == nil {
			err = bw.Flush()
		}
		return errors.Join(err, dst.Close())
	}
	// Write beside the target and rename at the end, so a failed export never leaves
	// a half file under the name a manager will open.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".mesh-export-*")
	if err != nil {
		return usageT(env, "cli.err.cannot_write", "export", *out, err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 64<<10)
	_, err = write(ctx, db, f, bw, ff, opt)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), *out)
}

// isTerminal reports whether w is a character device (a terminal, not a file or pipe).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// exportDay reads a --from/--to value: a day, or a month meaning its first (from) or
// last (to) day.
func exportDay(field, s string, end bool) (mesh.Date, error) {
	if s == "" {
		return "", nil
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		if end {
			t = t.AddDate(0, 1, -1)
		}
		return mesh.Date(t.Format(time.DateOnly)), nil
	}
	if d := mesh.Date(s); d.Valid() {
		return d, nil
	}
	return "", mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: field, Message: field + " must be a day YYYY-MM-DD or a month YYYY-MM"})
}
