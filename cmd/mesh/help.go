package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"mesh/i18n"
)

// Help for people comes from the catalogs, one text per command or subcommand:
//
//	cli.help.<command>[.<sub>…]    usage block: synopsis, what it does, examples
//	cli.flag.<command>[.<sub>…].<flag>  a flag's explanation; the nearest of the
//	                              topic, its parents, then cli.flag.<flag> (the text
//	                              shared by every --<flag>: db, period…) is used
//
// Adding a command is therefore adding catalog keys in en, fr and rw, plus one
// subcommands() line when it has subcommands; TestEveryCommandHasHelp fails until
// every registered command, subcommand and flag has its text in every language.

// subcommandsOf lists the subcommands of a command path ("dhis2", "dhis2 mapping"),
// so help can be printed centrally for a group and the test can walk every one.
var subcommandsOf = map[string][]string{}

// subcommands declares the subcommands of parent (a command or "command sub" path).
func subcommands(parent string, names ...string) {
	subcommandsOf[parent] = append(subcommandsOf[parent], names...)
}

// helpKey is the catalog key of a topic's usage block: "dhis2 push" → cli.help.dhis2.push.
func helpKey(topic string) string { return "cli.help." + strings.ReplaceAll(topic, " ", ".") }

func isHelpArg(a string) bool { return a == "-h" || a == "-help" || a == "--help" || a == "help" }

// helpRequest reports whether args ask for the help of a group of subcommands
// ("dhis2 --help", "dhis2 mapping help"), and which one. A leaf command's help is
// printed by its own flag set (newFlags), which also lists its flags.
func helpRequest(args []string) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	if _, ok := commands[args[0]]; !ok {
		return "", false
	}
	topic, i := args[0], 1
	for i < len(args) && contains(subcommandsOf[topic], args[i]) {
		topic += " " + args[i]
		i++
	}
	if len(subcommandsOf[topic]) == 0 || i >= len(args) || !isHelpArg(args[i]) {
		return "", false
	}
	return topic, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// missingHelp records the help keys looked up but absent in a language, so the test
// can fail on a command or flag printed with English or a bare key.
var missingHelp = struct {
	sync.Mutex
	keys map[string]bool
}{keys: map[string]bool{}}

func noteMissing(lang, key string) {
	missingHelp.Lock()
	missingHelp.keys[lang+": "+key] = true
	missingHelp.Unlock()
}

// helpText is topic's usage block in lang; fallback (the English synopsis a command
// registered in Go) stands in until the catalogs have the key.
func helpText(lang, topic, fallback string) string {
	key := helpKey(topic)
	if !i18n.Has(lang, key) {
		noteMissing(lang, key)
		if !i18n.Has(i18n.Default, key) && fallback != "" {
			return "Usage: mesh " + fallback
		}
	}
	return i18n.T(lang, key)
}

// flagText is the explanation of flag f of topic in lang: the most specific of
// cli.flag.<topic>.<flag>, cli.flag.<parent topic>.<flag>, …, cli.flag.<flag>; else
// the Go usage string (recorded as missing, so the test fails).
func flagText(lang, topic string, f *flag.Flag) string {
	words := strings.Fields(topic)
	for n := len(words); n >= 0; n-- {
		key := "cli.flag." + f.Name
		if n > 0 {
			key = "cli.flag." + strings.Join(words[:n], ".") + "." + f.Name
		}
		if i18n.Has(i18n.Default, key) {
			if !i18n.Has(lang, key) {
				noteMissing(lang, key)
			}
			return i18n.T(lang, key)
		}
	}
	noteMissing(lang, "cli.flag."+strings.Join(words, ".")+"."+f.Name)
	return f.Usage
}

// printHelp writes topic's usage block in env's language, then fs's flags (if any),
// each with its explanation and default.
func printHelp(env *Env, w io.Writer, topic string, fs *flag.FlagSet, fallback ...string) {
	fb := ""
	if len(fallback) > 0 {
		fb = fallback[0]
	}
	fmt.Fprintln(w, strings.TrimRight(helpText(env.Lang, topic, fb), "\n"))
	if fs == nil {
		return
	}
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f) })
	if len(flags) == 0 {
		return
	}
	sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
	fmt.Fprintf(w, "\n%s\n", env.T("cli.usage.flags"))
	for _, f := range flags {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		line := "  " + dash + f.Name
		if kind, _ := flag.UnquoteUsage(f); kind != "" {
			line += " " + env.T("cli.usage.value")
		}
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "0s" {
			line += "   " + env.T("cli.usage.default", d)
		}
		fmt.Fprintf(w, "%s\n        %s\n", line, flagText(env.Lang, topic, f))
	}
}
