package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestI18nCheck(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	if status := run(env, []string{"i18n", "check"}); status != 0 {
		t.Fatalf("status %d, stderr %s", status, errOut.String())
	}
	for _, want := range []string{"en: 0 missing", "fr: 0 missing", "rw: 0 missing", "unreviewed  nav.home"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if status := run(env, []string{"i18n", "bogus"}); status != 2 {
		t.Errorf("bad usage: status %d, want 2", status)
	}
}
