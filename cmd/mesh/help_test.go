package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"mesh/i18n"
)

// helpTopics walks the registered commands and their declared subcommands.
func helpTopics() []string {
	var topics []string
	var walk func(topic string)
	walk = func(topic string) {
		topics = append(topics, topic)
		for _, sub := range subcommandsOf[topic] {
			walk(topic + " " + sub)
		}
	}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		walk(n)
	}
	return topics
}

// TestEveryCommandHasHelp fails when a registered command, subcommand or flag has no
// help text in one of the languages: `mesh TOPIC --help` must print the catalog's
// usage block, and every flag must have its explanation from the catalogs.
func TestEveryCommandHasHelp(t *testing.T) {
	missingHelp.Lock()
	missingHelp.keys = map[string]bool{}
	missingHelp.Unlock()
	topics := helpTopics()
	if len(topics) < 30 {
		t.Fatalf("only %d help topics: %v", len(topics), topics)
	}
	for _, topic := range topics {
		key := helpKey(topic)
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, key) {
				t.Errorf("%s: no %s (help of mesh %s)", lang, key, topic)
				continue
			}
			args := append(strings.Fields(topic), "--help")
			st, out, errs := runCLIEnv(t, map[string]string{"MESH_LANG": lang}, "", args...)
			want := strings.TrimRight(i18n.T(lang, key), "\n")
			if st != 0 || !strings.HasPrefix(out, want) || errs != "" {
				t.Errorf("mesh %s --help in %s: status %d, stderr %q, stdout:\n%s", topic, lang, st, errs, out)
			}
		}
	}
	missingHelp.Lock()
	defer missingHelp.Unlock()
	for k := range missingHelp.keys {
		t.Errorf("help text missing: %s", k)
	}
}

// A command's flag set must be reachable as a declared help topic, or its help
// would never be checked: every literal newFlags(env, "NAME", …) is one.
func TestEveryFlagSetIsAHelpTopic(t *testing.T) {
	known := map[string]bool{}
	for _, topic := range helpTopics() {
		known[topic] = true
	}
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`newFlags\(env, "([^"]+)"(\s*\+)?`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			if m[2] != "" { // "export "+name: some declared subcommand must match
				found := false
				for k := range known {
					found = found || strings.HasPrefix(k, m[1])
				}
				if !found {
					t.Errorf("%s: newFlags %q+… matches no declared subcommand", f, m[1])
				}
				continue
			}
			if !known[m[1]] {
				t.Errorf("%s: newFlags %q is not a command or declared subcommand (call subcommands() in init)", f, m[1])
			}
		}
	}
	if n < 15 {
		t.Errorf("found only %d flag sets", n)
	}
}

// Help keys for commands that no longer exist are dead text for translators.
func TestNoHelpForUnknownCommands(t *testing.T) {
	known := map[string]bool{}
	for _, topic := range helpTopics() {
		known[helpKey(topic)] = true
	}
	for _, k := range i18n.Keys() {
		if strings.HasPrefix(k, "cli.help.") && !known[k] {
			t.Errorf("%s: no such command", k)
		}
	}
}

func TestHelpAndUsageErrorsInFrenchAndKinyarwanda(t *testing.T) {
	for _, c := range []struct {
		lang string
		args []string
		st   int
		out  string // in stdout
		errs string // in stderr
	}{
		{"fr", []string{"dhis2", "--help"}, 0, "Sous-commandes :", ""},
		{"fr", []string{"dhis2", "mapping", "help"}, 0, "remplacer la correspondance", ""},
		{"rw", []string{"stats", "proportions", "--help"}, 0, "Amahitamo:\n  --compact\n        andika JSON ku murongo umwe", ""},
		{"fr", []string{"export", "visits", "--help"}, 0, "  --format VALEUR   (par défaut csv)\n        format du fichier", ""},
		{"fr", []string{"serve", "--nope"}, 2, "", "mesh: serve : l'option --nope n'existe pas (voir mesh serve --help)"},
		{"rw", []string{"migrate", "--db"}, 2, "", "mesh: migrate: --db ikeneye agaciro"},
		{"fr", []string{"export", "visits", "--progress-every", "x"}, 2, "", `--progress-every ne peut pas valoir "x"`},
		{"fr", []string{"stats", "nope"}, 2, "", `mesh: stats : sous-commande inconnue "nope" (au choix : proportions, mixed, runchart)`},
		{"rw", []string{"stats", "mixed", "--group", "g", "x.csv"}, 2, "", "mesh: stats mixed: --outcome irakenewe"},
		{"fr", []string{"export", "visits", "--format", "pdf"}, 2, "", "mesh: export : --format doit être l'un de : csv, xlsx"},
		{"en", []string{"growth"}, 2, "", "mesh: growth: missing subcommand (zscores)"},
	} {
		st, out, errs := runCLIEnv(t, map[string]string{"MESH_LANG": c.lang}, "", c.args...)
		if st != c.st || !strings.Contains(out, c.out) || !strings.Contains(errs, c.errs) {
			t.Errorf("%s %v: status %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", c.lang, c.args, st, c.st, out, c.out, errs, c.errs)
		}
	}
}
