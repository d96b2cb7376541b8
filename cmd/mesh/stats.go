package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"mesh"
	"mesh/stats"
)

func init() {
	command("stats", "Evaluation statistics: proportions, mixed, runchart", runStats)
	subcommands("stats", "proportions", "mixed", "runchart")
}

// statsSubcommands are the `mesh stats` subcommands with their one-line summaries.
var statsSubcommands = []struct {
	name, summary string
	run           func(env *Env, args []string) error
}{
	{"proportions", "compare a baseline proportion A/N with a follow-up B/M", runStatsProportions},
	{"mixed", "random-intercept linear mixed model by REML from a CSV file", runStatsMixed},
	{"runchart", "run-chart rules (Anhøj, IHI) for {\"values\":[…]} on stdin", runStatsRunchart},
}

// runStats dispatches to a stats subcommand.
func runStats(env *Env, args []string) error {
	if len(args) == 0 {
		printHelp(env, env.Stderr, "stats", nil)
		return usageT(env, "cli.err.missing_subcommand", "stats", "proportions, mixed, runchart")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printHelp(env, env.Stdout, "stats", nil)
		return errHelp
	}
	for _, sc := range statsSubcommands {
		if sc.name == args[0] {
			return sc.run(env, args[1:])
		}
	}
	printHelp(env, env.Stderr, "stats", nil)
	return usageT(env, "cli.err.unknown_subcommand", "stats", args[0], "proportions, mixed, runchart")
}

// runStatsProportions implements `mesh stats proportions A/N B/M`.
func runStatsProportions(env *Env, args []string) error {
	fs := newFlags(env, "stats proportions", "stats proportions [--compact] A/N B/M\n\nCompares baseline A/N with follow-up B/M: Wilson intervals, Newcombe's interval\nfor the difference (follow-up minus baseline), chi-square with and without Yates's\ncorrection, Fisher's exact test.\n\nFlags:")
	compact := fs.Bool("compact", false, "print JSON on one line")
	pos, err := parseInterspersed(fs, env, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageT(env, "cli.err.want_args", "stats proportions", 2, "A/N B/M", len(pos))
	}
	a, n, err := parseFraction("baseline", pos[0])
	if err != nil {
		return err
	}
	b, m, err := parseFraction("followup", pos[1])
	if err != nil {
		return err
	}
	c, err := stats.CompareProportions(a, n, b, m)
	if err != nil {
		return err
	}
	return writeJSON(env.Stdout, c, *compact)
}

// parseInterspersed parses flags placed before, between or after the positional
// arguments (`mesh stats proportions 4/10 6/10 --compact`) and returns the positionals.
// After "--" everything is positional.
func parseInterspersed(fs *flag.FlagSet, env *Env, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, env, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if len(rest) == 0 {
			return pos, nil
		} else if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// parseFraction reads "A/N" with whole numbers A and N.
func parseFraction(field, s string) (int, int, error) {
	num, den, ok := strings.Cut(s, "/")
	a, errA := strconv.Atoi(strings.TrimSpace(num))
	n, errN := strconv.Atoi(strings.TrimSpace(den))
	if !ok || errA != nil || errN != nil {
		return 0, 0, &mesh.Error{Code: mesh.EINVALID, Message: "invalid " + field, Fields: []mesh.FieldError{{Code: "invalid", Field: field,
			Message: fmt.Sprintf("%q is not of the form A/N with whole numbers (e.g. 40/100)", s)}}}
	}
	return a, n, nil
}

// runStatsMixed implements `mesh stats mixed --outcome COL --group COL --fixed COL,… FILE.csv`.
func runStatsMixed(env *Env, args []string) error {
	fs := newFlags(env, "stats mixed", "stats mixed --outcome COL --group COL [--fixed COL[,COL…]] [--compact] FILE.csv\n\nFits outcome ~ fixed… + (1|group) by REML, as lme4::lmer. FILE.csv has a header row;\n\"-\" reads standard input.\n\nFlags:")
	outcome := fs.String("outcome", "", "numeric outcome column (required)")
	group := fs.String("group", "", "grouping column, e.g. facility (required)")
	fixed := fs.String("fixed", "", "comma-separated numeric fixed-effect columns (none: intercept only)")
	compact := fs.Bool("compact", false, "print JSON on one line")
	pos, err := parseInterspersed(fs, env, args)
	if err != nil {
		return err
	}
	switch {
	case *outcome == "":
		return usageT(env, "cli.err.flag_required", "stats mixed", "--outcome")
	case *group == "":
		return usageT(env, "cli.err.flag_required", "stats mixed", "--group")
	case len(pos) != 1:
		return usageT(env, "cli.err.want_args", "stats mixed", 1, "FILE.csv", len(pos))
	}
	cols, err := splitColumns(env, *fixed)
	if err != nil {
		return err
	}
	in, closeIn, err := openInput(env, pos[0])
	if err != nil {
		return err
	}
	defer closeIn()
	rows, err := stats.ReadCSV(in, *outcome, *group, cols)
	if err != nil {
		return err
	}
	fit, err := stats.FitMixed(rows, *outcome, *group, cols)
	if err != nil {
		return err
	}
	return writeJSON(env.Stdout, fit, *compact)
}

// splitColumns splits the --fixed list, rejecting empty names such as "a,,b".
func splitColumns(env *Env, s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	cols := strings.Split(s, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c)
		if cols[i] == "" {
			return nil, usageT(env, "cli.err.empty_column", "stats mixed", s)
		}
	}
	return cols, nil
}

// openInput opens the named file, or standard input for "-". A file that cannot be
// opened is bad usage (exit 2): the user named it.
func openInput(env *Env, name string) (io.Reader, func(), error) {
	if name == "-" {
		return env.Stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, usageT(env, "cli.err.cannot_read", "stats mixed", err)
	}
	return f, func() { f.Close() }, nil
}

// runchartInput is the JSON read by `mesh stats runchart`; pointers tell a missing
// or null value from a zero.
type runchartInput struct {
	Values         *[]*float64 `json:"values"`
	BaselinePoints *int        `json:"baseline_points"`
}

// maxRunchartInput bounds stdin: a run chart of a million points fits easily.
const maxRunchartInput = 32 << 20

// runStatsRunchart implements `mesh stats runchart`.
func runStatsRunchart(env *Env, args []string) error {
	fs := newFlags(env, "stats runchart", "stats runchart [--compact] < {\"values\":[…], \"baseline_points\"?: k}\n\nApplies the Anhøj run-chart rules and the IHI shift and trend rules; the median is\ntaken from the first k values when baseline_points is given.\n\nFlags:")
	compact := fs.Bool("compact", false, "print JSON on one line")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageT(env, "cli.err.stdin_no_args", "stats runchart", fs.Arg(0))
	}
	body, err := readAllLimited(env, env.Stdin, maxRunchartInput)
	if err != nil {
		return err
	}
	values, baseline, fe := decodeRunchart(body)
	if fe == nil {
		var res stats.RunChartResult
		res, err = stats.RunChart(values, baseline)
		if err == nil {
			return writeJSON(env.Stdout, res, *compact)
		}
		fe = mesh.ErrorFields(err)
	}
	return reportFieldErrors(env, fe)
}

// decodeRunchart parses the run-chart input strictly: unknown fields, trailing data,
// null values and a baseline below 1 are errors.
func decodeRunchart(body []byte) ([]float64, int, []mesh.FieldError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var in runchartInput
	if err := dec.Decode(&in); err != nil {
		return nil, 0, []mesh.FieldError{jsonFieldError(err)}
	}
	if dec.More() {
		return nil, 0, []mesh.FieldError{{Code: "invalid_json", Field: "", Message: "unexpected data after the JSON object"}}
	}
	if in.Values == nil {
		return nil, 0, []mesh.FieldError{{Code: "required", Field: "values", Message: "is required: an array of numbers"}}
	}
	values := make([]float64, len(*in.Values))
	for i, v := range *in.Values {
		if v == nil {
			f := fmt.Sprintf("values[%d]", i)
			return nil, 0, []mesh.FieldError{{Code: "invalid", Field: f, Message: "must be a number, got null"}}
		}
		values[i] = *v
	}
	baseline := 0
	if in.BaselinePoints != nil {
		if baseline = *in.BaselinePoints; baseline < 1 {
			return nil, 0, []mesh.FieldError{{Code: "invalid", Field: "baseline_points", Message: fmt.Sprintf("must be at least 1, got %d", baseline)}}
		}
	}
	return values, baseline, nil
}

// jsonFieldError describes a decoding error as a field error.
func jsonFieldError(err error) mesh.FieldError {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return mesh.FieldError{Code: "invalid_type", Field: typeErr.Field,
			Message: fmt.Sprintf("must be %s, got a JSON %s", runchartWants[typeErr.Field], typeErr.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return mesh.FieldError{Code: "unknown_field", Field: name, Message: fmt.Sprintf("unknown field %q (allowed: values, baseline_points)", name)}
	case errors.Is(err, io.EOF):
		return mesh.FieldError{Code: "invalid_json", Message: "no input: want a JSON object on stdin"}
	}
	return mesh.FieldError{Code: "invalid_json", Message: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

// runchartWants says in words what each input field must hold.
var runchartWants = map[string]string{
	"":                "a JSON object {\"values\": […], \"baseline_points\"?: k}",
	"values":          "an array of finite numbers",
	"baseline_points": "a whole number",
}

// reportFieldErrors writes {"errors":[…]} on stderr and marks the exit status 2.
func reportFieldErrors(env *Env, fields []mesh.FieldError) error {
	b, err := json.Marshal(map[string][]mesh.FieldError{"errors": fields})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "%s\n", b)
	return errReported
}

// writeJSON prints v as indented (or compact) JSON and a newline. encoding/json
// refuses NaN and infinities, so a non-finite number is an error, never bad output.
func writeJSON(w io.Writer, v any, compact bool) error {
	var b []byte
	var err error
	if compact {
		b, err = json.Marshal(v)
	} else {
		b, err = json.MarshalIndent(v, "", "  ")
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
