package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const imciChild = `{"schema_version":"1.0","age_months":8,"weight_kg":7.5,"setting":{"malaria_risk":"high"},
"danger_signs":{"not_able_to_drink_or_breastfeed":false,"vomits_everything":false,"convulsions_this_illness":false,"lethargic_or_unconscious":false,"convulsing_now":false},
"cough":{"present":true,"respiratory_rate":52,"chest_indrawing":false,"stridor_when_calm":false,"wheeze":false},
"diarrhoea":{"present":false},"fever":{"reported":false},"ear":{"present":false},
"nutrition":{"oedema_both_feet":false,"muac_mm":130},"anaemia":{"palmar_pallor":"none"}}`

// runMesh runs the CLI in-process with the given stdin.
func runMesh(stdin string, args ...string) (status int, stdout, stderr string) {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	status = run(env, args)
	return status, out.String(), errb.String()
}

func TestIMCIClassifyCLI(t *testing.T) {
	status, out, errOut := runMesh(imciChild, "imci", "classify")
	if status != 0 || errOut != "" || !strings.HasSuffix(out, "}\n") {
		t.Fatalf("status %d stderr %q", status, errOut)
	}
	var res struct {
		Classifications []struct{ Code string } `json:"classifications"`
		EngineVersion   string                  `json:"engine_version"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Classifications) == 0 || res.Classifications[0].Code != "PNEUMONIA" {
		t.Errorf("result %s (%v)", out, err)
	}

	// Array input gives an array.
	status, out, _ = runMesh("["+imciChild+","+imciChild+"]", "imci", "classify")
	if status != 0 || !strings.HasPrefix(out, "[") {
		t.Errorf("array: status %d out %.40q", status, out)
	}

	// Invalid input: exit 2, nothing on stdout, {"errors":[...]} on stderr.
	bad := strings.Replace(imciChild, `"respiratory_rate":52`, `"respiratory_rate":500`, 1)
	status, out, errOut = runMesh("["+imciChild+","+bad+"]", "imci", "classify")
	if status != 2 || out != "" {
		t.Fatalf("invalid: status %d stdout %q", status, out)
	}
	var e struct {
		Errors []struct{ Code, Field, Message string } `json:"errors"`
	}
	if err := json.Unmarshal([]byte(errOut), &e); err != nil || len(e.Errors) != 1 ||
		e.Errors[0].Field != "[1].cough.respiratory_rate" || e.Errors[0].Code != "OUT_OF_RANGE" {
		t.Errorf("errors %s (%v)", errOut, err)
	}
	if status, out, errOut = runMesh("{", "imci", "classify"); status != 2 || out != "" || !strings.Contains(errOut, "MALFORMED_JSON") {
		t.Errorf("malformed: %d %q %q", status, out, errOut)
	}
}

func TestIMCIHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{{"imci", "--help"}, {"imci", "classify", "--help"}} {
		if status, out, _ := runMesh("", args...); status != 0 || !strings.Contains(out, "Usage: mesh imci classify") {
			t.Errorf("%v: status %d out %q", args, status, out)
		}
	}
	if status, _, _ := runMesh("", "imci"); status != 2 {
		t.Errorf("no subcommand: status %d", status)
	}
	if status, _, _ := runMesh("", "imci", "frobnicate"); status != 2 {
		t.Errorf("unknown subcommand: status %d", status)
	}
	if status, _, _ := runMesh("", "imci", "classify", "--nope"); status != 2 {
		t.Errorf("bad flag: status %d", status)
	}
}

func TestIMCIProtocolFlag(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"id":"x","unknown":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, out, errOut := runMesh(imciChild, "imci", "classify", "--protocol", bad); status != 2 || out != "" || errOut == "" {
		t.Errorf("bad protocol: %d %q %q", status, out, errOut)
	}
	if status, _, _ := runMesh(imciChild, "imci", "classify", "--protocol", filepath.Join(dir, "missing.json")); status != 2 {
		t.Errorf("missing protocol file: %d", status)
	}
	good := filepath.Join("..", "..", "imci", "protocols", "who-2014.json")
	if status, out, errOut := runMesh(imciChild, "imci", "classify", "--protocol", good); status != 0 || !strings.Contains(out, `"who-2014"`) {
		t.Errorf("good protocol: %d %q", status, errOut)
	}
}
