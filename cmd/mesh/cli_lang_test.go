package main

import (
	"bytes"
	"strings"
	"testing"

	"mesh/i18n"
)

// runCLIEnv runs mesh in-process with the given environment variables.
func runCLIEnv(t *testing.T, vars map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	return run(env, args), out.String(), errb.String()
}

func TestCLILanguageFromEnvironment(t *testing.T) {
	for _, c := range []struct {
		vars map[string]string
		want string
	}{
		{nil, "en"},
		{map[string]string{"MESH_LANG": "fr"}, "fr"},
		{map[string]string{"MESH_LANG": "rw"}, "rw"},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, "fr"},
		{map[string]string{"LANG": "rw_RW.UTF-8"}, "rw"},
		{map[string]string{"LANG": "rw_RW"}, "rw"},
		{map[string]string{"LANG": "C.UTF-8"}, "en"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "en"},
		{map[string]string{"LC_MESSAGES": "fr_BE.UTF-8", "LANG": "rw_RW.UTF-8"}, "fr"},
		{map[string]string{"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, "en"},
		{map[string]string{"LC_ALL": "rw_RW.UTF-8@latin", "LC_MESSAGES": "fr_FR"}, "rw"},
		{map[string]string{"MESH_LANG": "en", "LANG": "fr_FR.UTF-8"}, "en"},
	} {
		if got := cliLang(func(k string) string { return c.vars[k] }); got != c.want {
			t.Errorf("cliLang(%v) = %q, want %q", c.vars, got, c.want)
		}
	}
}

func TestCLIHelpIsTranslated(t *testing.T) {
	for _, c := range []struct {
		name string
		vars map[string]string
		lang string
	}{
		{"default", nil, "en"},
		{"MESH_LANG=fr", map[string]string{"MESH_LANG": "fr"}, "fr"},
		{"LANG=rw_RW.UTF-8", map[string]string{"LANG": "rw_RW.UTF-8"}, "rw"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, out, _ := runCLIEnv(t, c.vars, "", "--help")
			if st != 0 {
				t.Fatalf("status %d", st)
			}
			for _, key := range []string{"cli.usage.title", "cli.usage.commands", "cli.cmd.serve", "cli.cmd.migrate", "cli.cmd.imci"} {
				if want := i18n.T(c.lang, key); !strings.Contains(out, want) {
					t.Errorf("help lacks %s %q:\n%s", key, want, out)
				}
			}
			// Command names and flags stay as typed.
			if !strings.Contains(out, "  serve ") || !strings.Contains(out, "--help") {
				t.Errorf("help lost the command names:\n%s", out)
			}
		})
	}
	_, fr, _ := runCLIEnv(t, map[string]string{"MESH_LANG": "fr"}, "", "--help")
	if !strings.Contains(fr, "Commandes :") || !strings.Contains(fr, "appliquer les migrations") {
		t.Errorf("French help:\n%s", fr)
	}
	_, en, _ := runCLIEnv(t, nil, "", "--help")
	if !strings.Contains(en, "Commands:") || !strings.Contains(en, "apply database migrations") || en == fr {
		t.Errorf("English help:\n%s", en)
	}
}

func TestCLIUnknownCommandIsTranslated(t *testing.T) {
	st, _, errs := runCLIEnv(t, map[string]string{"MESH_LANG": "fr"}, "", "nosuch")
	if st != 2 || !strings.Contains(errs, `mesh: commande inconnue "nosuch"`) || !strings.Contains(errs, "Commandes :") {
		t.Errorf("status %d, stderr:\n%s", st, errs)
	}
	st, _, errs = runCLIEnv(t, nil, "", "nosuch")
	if st != 2 || !strings.Contains(errs, `mesh: unknown command "nosuch"`) {
		t.Errorf("status %d, stderr:\n%s", st, errs)
	}
	st, _, errs = runCLIEnv(t, map[string]string{"LANG": "fr_FR.UTF-8"}, "", "serve", "extra")
	if st != 2 || !strings.Contains(errs, `serve ne prend pas d'argument (reçu "extra")`) {
		t.Errorf("usage error: status %d, stderr:\n%s", st, errs)
	}
}

// Output scripts read (interfaces.md) is the same in every language.
func TestCLIContractOutputIgnoresLanguage(t *testing.T) {
	const zscores = `[{"sex":"male","age_days":365,"weight_kg":9.6,"length_cm":75.7,"measured":"lying"}]`
	cases := []struct {
		stdin string
		args  []string
	}{
		{imciChild, []string{"imci", "classify"}}, // valid: exit 0, JSON on stdout
		{`{"age_months": -3}`, []string{"imci", "classify"}},
		{zscores, []string{"growth", "zscores"}},
		{"", []string{"stats", "proportions", "12/40", "25/41"}},
		{"", []string{"i18n", "check"}},
	}
	for _, c := range cases {
		st0, out0, err0 := runCLIEnv(t, nil, c.stdin, c.args...)
		if out0 == "" && err0 == "" {
			t.Fatalf("%v: no output", c.args)
		}
		if c.stdin == imciChild && (st0 != 0 || !strings.HasPrefix(out0, "{")) {
			t.Fatalf("imci classify on a valid input: status %d, %q %q", st0, out0, err0)
		}
		for _, vars := range []map[string]string{{"MESH_LANG": "fr"}, {"LANG": "rw_RW.UTF-8"}} {
			st, out, errs := runCLIEnv(t, vars, c.stdin, c.args...)
			if st != st0 || out != out0 || errs != err0 {
				t.Errorf("%v with %v differs from English:\nstatus %d vs %d\nstdout %q\nvs     %q\nstderr %q\nvs     %q", c.args, vars, st, st0, out, out0, errs, err0)
			}
		}
	}
}

// Counts in messages for people are written the language's way.
func TestCLICountsPerLanguage(t *testing.T) {
	for lang, want := range map[string]string{"en": "12,345", "fr": "12\u202f345", "rw": "12.345"} {
		env := &Env{Lang: lang}
		if got := env.T("cli.rescore.done", env.N(12345), env.N(0)); !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", lang, got, want)
		}
	}
}
