package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func runGrowthCmd(stdin string, args ...string) (status int, stdout, stderr string) {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	status = run(env, args)
	return status, out.String(), errb.String()
}

func TestGrowthZScores(t *testing.T) {
	status, out, errs := runGrowthCmd(`[{"sex":"male","age_days":0,"weight_kg":3.3464,"length_cm":49.8842,"measured":"lying"},
		{"sex":"female","age_days":800,"weight_kg":11,"oedema":true}]`, "growth", "zscores")
	want := `[{"wfa_z":0,"lhfa_z":0,"wfh_z":0.14,"muac_z":null},{"wfa_z":null,"lhfa_z":null,"wfh_z":null,"muac_z":null}]` + "\n"
	if status != 0 || out != want || errs != "" {
		t.Errorf("status %d\nstdout %q\nstderr %q", status, out, errs)
	}
}

func TestGrowthZScoresBadInput(t *testing.T) {
	status, out, errs := runGrowthCmd(`[{"sex":"boy","age_days":3},{"age_days":-4}]`, "growth", "zscores")
	if status != 2 || out != "" {
		t.Fatalf("status %d, stdout %q", status, out)
	}
	var body struct {
		Errors []struct{ Code, Field, Message string }
	}
	if err := json.Unmarshal([]byte(errs), &body); err != nil {
		t.Fatalf("stderr is not JSON: %v: %q", err, errs)
	}
	var got []string
	for _, e := range body.Errors {
		got = append(got, e.Code+" "+e.Field)
	}
	want := "UNKNOWN_ENUM_VALUE [0].sex,MISSING_REQUIRED [1].sex,OUT_OF_RANGE [1].age_days"
	if strings.Join(got, ",") != want {
		t.Errorf("errors %v, want %s", got, want)
	}
	if status, out, _ := runGrowthCmd(`not json`, "growth", "zscores"); status != 2 || out != "" {
		t.Errorf("malformed: status %d stdout %q", status, out)
	}
}

func TestGrowthHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{{"growth", "--help"}, {"growth", "zscores", "--help"}} {
		if status, out, _ := runGrowthCmd("", args...); status != 0 || !strings.Contains(out, "Usage: mesh growth") {
			t.Errorf("%v: status %d, stdout %q", args, status, out)
		}
	}
	for _, args := range [][]string{{"growth"}, {"growth", "bogus"}, {"growth", "zscores", "extra"}} {
		if status, out, _ := runGrowthCmd("[]", args...); status != 2 || out != "" {
			t.Errorf("%v: status %d, stdout %q", args, status, out)
		}
	}
}
