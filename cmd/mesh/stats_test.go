package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runStatsCLI runs `mesh args…` in-process with stdin and returns status and streams.
func runStatsCLI(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	status := run(env, args)
	return status, out.String(), errOut.String()
}

func approx(got, want, relTol float64) bool {
	return math.Abs(got-want) <= relTol*math.Abs(want)
}

// stack.md §4.5: [[40,60],[62,38]] gives χ² = 9.684, p = 0.00186, Fisher p = 0.00288.
func TestStatsProportions(t *testing.T) {
	status, out, errOut := runStatsCLI(t, "", "stats", "proportions", "40/100", "62/100")
	if status != 0 {
		t.Fatalf("status %d, stderr %s", status, errOut)
	}
	var got struct {
		Baseline       struct{ CI95 [2]float64 }
		Difference     float64
		DifferenceCI95 [2]float64 `json:"difference_ci95"`
		ChiSquare      struct {
			Statistic, P float64
			DF           int
		} `json:"chi_square"`
		ChiSquareYates struct{ Statistic, P float64 } `json:"chi_square_yates"`
		FisherExact    struct{ P float64 }            `json:"fisher_exact"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	checks := []struct {
		what      string
		got, want float64
	}{
		{"chi-square", got.ChiSquare.Statistic, 9.683873549}, {"chi-square p", got.ChiSquare.P, 0.001858923172},
		{"Yates", got.ChiSquareYates.Statistic, 8.823529412}, {"Yates p", got.ChiSquareYates.P, 0.002973709436},
		{"Fisher p", got.FisherExact.P, 0.002880059034}, {"difference", got.Difference, 0.22},
		{"difference lo", got.DifferenceCI95[0], 0.0814778641}, {"difference hi", got.DifferenceCI95[1], 0.3470173248},
		{"baseline lo", got.Baseline.CI95[0], 0.3094012864},
	}
	for _, c := range checks {
		if !approx(c.got, c.want, 1e-6) {
			t.Errorf("%s = %.10g, want %.10g", c.what, c.got, c.want)
		}
	}
	if !strings.HasSuffix(out, "}\n") {
		t.Errorf("output does not end in a newline: %q", out)
	}
}

// Degenerate tables print null, never NaN (which would not be JSON at all).
func TestStatsProportionsNulls(t *testing.T) {
	for _, args := range [][]string{{"0/0", "3/7"}, {"0/10", "0/20"}, {"5/5", "7/7"}, {"0/0", "0/0"}} {
		status, out, errOut := runStatsCLI(t, "", append([]string{"stats", "proportions", "--compact"}, args...)...)
		var v map[string]any
		if status != 0 || json.Unmarshal([]byte(out), &v) != nil {
			t.Errorf("%v: status %d, out %q, stderr %q", args, status, out, errOut)
		}
		if !strings.Contains(out, `"statistic":null`) {
			t.Errorf("%v: chi-square should be null: %s", args, out)
		}
	}
}

func TestStatsProportionsBadInput(t *testing.T) {
	tests := []struct {
		args  []string
		inErr string
	}{
		{[]string{"11/10", "3/7"}, "baseline.n"},
		{[]string{"1/10", "3/x"}, "followup"},
		{[]string{"1/10", "3/-7"}, "followup.total"},
		{[]string{"1/10"}, "give 2 argument(s)"},
		{[]string{"1/10", "2/10", "3/10"}, "give 2 argument(s)"},
		{[]string{"--nope", "1/10", "2/10"}, "there is no flag --nope"},
	}
	for _, tt := range tests {
		status, out, errOut := runStatsCLI(t, "", append([]string{"stats", "proportions"}, tt.args...)...)
		if status != 2 || out != "" || !strings.Contains(errOut, tt.inErr) {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want 2 and %q", tt.args, status, out, errOut, tt.inErr)
		}
	}
}

// lme4 on sleepstudy: lmer(Reaction ~ Days + (1|Subject)) gives 251.4051 (9.7467),
// 10.4673 (0.8042), variances 1378.2 and 960.5.
func TestStatsMixed(t *testing.T) {
	file := filepath.Join("..", "..", "stats", "testdata", "sleepstudy.csv")
	status, out, errOut := runStatsCLI(t, "", "stats", "mixed", "--outcome", "Reaction", "--group", "Subject", "--fixed", "Days", file)
	if status != 0 {
		t.Fatalf("status %d, stderr %s", status, errOut)
	}
	var got struct {
		Estimates []struct {
			Term     string
			Estimate float64
			StdError float64 `json:"std_error"`
		}
		VarianceGroup    float64 `json:"variance_group"`
		VarianceResidual float64 `json:"variance_residual"`
		ICC              float64
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Estimates) != 2 || got.Estimates[0].Term != "(Intercept)" || got.Estimates[1].Term != "Days" {
		t.Fatalf("estimates = %+v", got.Estimates)
	}
	checks := []struct {
		what      string
		got, want float64
	}{
		{"intercept", got.Estimates[0].Estimate, 251.4051}, {"intercept SE", got.Estimates[0].StdError, 9.7467},
		{"Days", got.Estimates[1].Estimate, 10.4673}, {"Days SE", got.Estimates[1].StdError, 0.8042},
		{"variance_group", got.VarianceGroup, 1378.2}, {"variance_residual", got.VarianceResidual, 960.5},
		{"icc", got.ICC, 1378.18 / (1378.18 + 960.46)},
	}
	for _, c := range checks {
		if !approx(c.got, c.want, 1e-4) {
			t.Errorf("%s = %.8g, want %.8g", c.what, c.got, c.want)
		}
	}
}

func TestStatsMixedBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "facility,score,month\nA,1,1\nA,2,2\nB,3,1\nB,5,2\n")
	bad := write("bad.csv", "facility,score,month\nA,1,1\nA,x,2\n")
	one := write("one.csv", "facility,score,month\nA,1,1\nA,2,2\n")
	tests := []struct {
		name  string
		args  []string
		inErr string
	}{
		{"no outcome", []string{"--group", "facility", good}, "--outcome is required"},
		{"no group", []string{"--outcome", "score", good}, "--group is required"},
		{"no file", []string{"--outcome", "score", "--group", "facility"}, "give 1 argument(s): FILE.csv"},
		{"missing file", []string{"--outcome", "score", "--group", "facility", filepath.Join(dir, "none.csv")}, "no such file"},
		{"missing column", []string{"--outcome", "score", "--group", "facility", "--fixed", "week", good}, "week"},
		{"non-numeric", []string{"--outcome", "score", "--group", "facility", bad}, "line 3"},
		{"one group", []string{"--outcome", "score", "--group", "facility", one}, "at least 2 groups"},
		{"empty column name", []string{"--outcome", "score", "--group", "facility", "--fixed", "month,", good}, "empty column"},
	}
	for _, tt := range tests {
		status, out, errOut := runStatsCLI(t, "", append([]string{"stats", "mixed"}, tt.args...)...)
		if status != 2 || out != "" || !strings.Contains(errOut, tt.inErr) {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want 2 and %q", tt.name, status, out, errOut, tt.inErr)
		}
	}
	if status, out, errOut := runStatsCLI(t, "", "stats", "mixed", "--outcome", "score", "--group", "facility", "--fixed", "month", good); status != 0 {
		t.Errorf("good file: status %d, %s %s", status, out, errOut)
	}
}

func TestStatsRunchart(t *testing.T) {
	tests := []struct {
		name, stdin string
		status      int
		want        string // substring of stdout (status 0) or of stderr's errors
	}{
		{"frozen baseline", `{"values":[1,2,3,4,5,10,10,10,10,10,10,10],"baseline_points":5}`, 0,
			`{"median":3,"n_useful":11,"longest_run":9,"longest_run_max":6,"crossings":1,"crossings_min":2,"anhoej_signal":true,"shifts":[[3,11]],"trends":[[0,5]]}`},
		{"all on the median", `{"values":[4,4,4]}`, 0,
			`{"median":4,"n_useful":0,"longest_run":0,"longest_run_max":null,"crossings":0,"crossings_min":null,"anhoej_signal":false,"shifts":[],"trends":[]}`},
		{"unknown field", `{"values":[1],"baseline":2}`, 2, `"code":"unknown_field","field":"baseline"`},
		{"missing values", `{}`, 2, `"code":"required","field":"values"`},
		{"empty values", `{"values":[]}`, 2, `"field":"values"`},
		{"null value", `{"values":[1,null]}`, 2, `"field":"values[1]"`},
		{"string value", `{"values":[1,"2"]}`, 2, `"code":"invalid_type","field":"values"`},
		{"baseline too long", `{"values":[1,2],"baseline_points":3}`, 2, `"field":"baseline_points"`},
		{"baseline zero", `{"values":[1,2],"baseline_points":0}`, 2, `"field":"baseline_points"`},
		{"not JSON", `{"values":[1,`, 2, `"code":"invalid_json"`},
		{"trailing data", `{"values":[1]}{}`, 2, `"code":"invalid_json"`},
		{"empty input", ``, 2, `"code":"invalid_json"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errOut := runStatsCLI(t, tt.stdin, "stats", "runchart", "--compact")
			if status != tt.status {
				t.Fatalf("status %d, want %d; stdout %q stderr %q", status, tt.status, out, errOut)
			}
			if status == 0 {
				if out != tt.want+"\n" {
					t.Errorf("got  %s\nwant %s", out, tt.want)
				}
				return
			}
			var e struct{ Errors []map[string]string }
			if out != "" || json.Unmarshal([]byte(errOut), &e) != nil || len(e.Errors) == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("stdout %q, stderr %q; want JSON errors with %s", out, errOut, tt.want)
			}
		})
	}
}

// Every level answers --help on stdout with status 0; bad usage is status 2.
func TestStatsUsage(t *testing.T) {
	for _, args := range [][]string{{"stats", "--help"}, {"stats", "proportions", "--help"}, {"stats", "mixed", "-h"}, {"stats", "runchart", "--help"}} {
		status, out, _ := runStatsCLI(t, "", args...)
		if status != 0 || !strings.Contains(out, "Usage: mesh stats") {
			t.Errorf("%v: status %d, stdout %q", args, status, out)
		}
	}
	for _, args := range [][]string{{"stats"}, {"stats", "anova"}, {"stats", "runchart", "extra"}} {
		if status, out, _ := runStatsCLI(t, "", args...); status != 2 || out != "" {
			t.Errorf("%v: status %d, stdout %q; want 2 and nothing on stdout", args, status, out)
		}
	}
}

// FuzzStatsRunchart: whatever arrives on stdin, the command never panics, answers
// 0 with one JSON object on stdout or 2 with JSON errors on stderr.
func FuzzStatsRunchart(f *testing.F) {
	for _, s := range []string{`{"values":[1,2,3]}`, `{"values":[1,2,3],"baseline_points":2}`, `{"values":[]}`,
		`{"values":[1e308,-1e308,0]}`, `[]`, `{"values":[1,null]}`, `{"x":1}`, `nul`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stdin string) {
		status, out, errOut := runStatsCLI(t, stdin, "stats", "runchart", "--compact")
		var v map[string]any
		switch status {
		case 0:
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("stdout is not JSON: %q", out)
			}
		case 2:
			if err := json.Unmarshal([]byte(errOut), &v); err != nil || v["errors"] == nil {
				t.Fatalf("stderr is not JSON errors: %q", errOut)
			}
		default:
			t.Fatalf("status %d for %q: %s", status, stdin, errOut)
		}
	})
}
