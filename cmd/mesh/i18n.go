package main

import (
	"fmt"
	"io"
	"strings"

	"mesh/i18n"
)

func init() {
	command("i18n", "translation catalog checks: mesh i18n check [--markdown]", runI18n)
}

// runI18n lists, per language, the message keys that are missing or not yet reviewed
// by a fluent speaker. Missing keys fail the check (exit 1); unreviewed ones only
// inform, since a first draft is better than English on a Kinyarwanda page.
// --markdown prints the same lists as Markdown tables with each key's English and
// current text, for docs/translations.md; the exit status is the same.
func runI18n(env *Env, args []string) error {
	fs := newFlags(env, "i18n", "i18n check [--markdown]")
	markdown := fs.Bool("markdown", false, "print the missing and unreviewed keys as Markdown tables (for docs/translations.md)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.Arg(0) != "check" {
		return usageT(env, "cli.err.missing_subcommand", "i18n", "check")
	}
	// Flags may also follow the subcommand: mesh i18n check --markdown.
	if err := parseFlags(fs, env, fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageT(env, "cli.err.unexpected_argument", "i18n check", fs.Arg(0))
	}
	missing := 0
	statuses := i18n.Check()
	if *markdown {
		writeI18nMarkdown(env.Stdout, statuses)
	}
	for _, st := range statuses {
		if !*markdown {
			fmt.Fprintf(env.Stdout, "%s: %d missing, %d unreviewed\n", st.Lang, len(st.Missing), len(st.Unreviewed))
			for _, k := range st.Missing {
				fmt.Fprintf(env.Stdout, "  missing     %s\n", k)
			}
			for _, k := range st.Unreviewed {
				fmt.Fprintf(env.Stdout, "  unreviewed  %s\n", k)
			}
		}
		missing += len(st.Missing)
	}
	if missing > 0 {
		return failT("cli.err.keys_missing", missing)
	}
	return nil
}

// writeI18nMarkdown writes, per language with anything to do, a table of missing keys
// and tables of unreviewed keys grouped by the key's first part (nav, visit, imci…),
// so reviewers can share the work by screen.
func writeI18nMarkdown(w io.Writer, statuses []i18n.Status) {
	for _, st := range statuses {
		fmt.Fprintf(w, "### %s: %d missing, %d unreviewed\n\n", st.Lang, len(st.Missing), len(st.Unreviewed))
		if len(st.Missing) == 0 && len(st.Unreviewed) == 0 {
			fmt.Fprintf(w, "Nothing to do.\n\n")
			continue
		}
		if len(st.Missing) > 0 {
			fmt.Fprintf(w, "Missing:\n\n| Key | English |\n|---|---|\n")
			for _, k := range st.Missing {
				fmt.Fprintf(w, "| `%s` | %s |\n", k, mdCell(i18n.T(i18n.Default, k)))
			}
			fmt.Fprintln(w)
		}
		group := ""
		for _, k := range st.Unreviewed {
			if g, _, _ := strings.Cut(k, "."); g != group {
				if group != "" {
					fmt.Fprintln(w)
				}
				group = g
				fmt.Fprintf(w, "#### %s · `%s.*`\n\n| Key | English | Current text (%s) |\n|---|---|---|\n", st.Lang, g, st.Lang)
			}
			fmt.Fprintf(w, "| `%s` | %s | %s |\n", k, mdCell(i18n.T(i18n.Default, k)), mdCell(i18n.T(st.Lang, k)))
		}
		if group != "" {
			fmt.Fprintln(w)
		}
	}
}

// mdCell makes text safe inside a Markdown table cell.
func mdCell(s string) string {
	s = strings.NewReplacer("\\", "\\\\", "|", "\\|", "\r", " ", "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
