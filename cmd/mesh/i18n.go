package main

import (
	"fmt"

	"mesh/i18n"
)

func init() {
	command("i18n", "translation catalog checks: mesh i18n check", runI18n)
}

// runI18n lists, per language, the message keys that are missing or not yet reviewed
// by a fluent speaker. Missing keys fail the check (exit 1); unreviewed ones only
// inform, since a first draft is better than English on a Kinyarwanda page.
func runI18n(env *Env, args []string) error {
	fs := newFlags(env, "i18n", "i18n check")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "check" {
		return usagef("usage: mesh i18n check")
	}
	missing := 0
	for _, st := range i18n.Check() {
		fmt.Fprintf(env.Stdout, "%s: %d missing, %d unreviewed\n", st.Lang, len(st.Missing), len(st.Unreviewed))
		for _, k := range st.Missing {
			fmt.Fprintf(env.Stdout, "  missing     %s\n", k)
		}
		for _, k := range st.Unreviewed {
			fmt.Fprintf(env.Stdout, "  unreviewed  %s\n", k)
		}
		missing += len(st.Missing)
	}
	if missing > 0 {
		return fmt.Errorf("%d message keys are missing a translation", missing)
	}
	return nil
}
