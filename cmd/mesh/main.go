// Command mesh is the MESH programme's one binary: web app, JSON API, CLI and jobs.
//
// Each subcommand lives in its own file and registers itself with command(), so
// adding one never touches this file. Exit status: 0 success, 2 bad input or usage,
// 1 any other failure; a user never sees a Go stack trace.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"mesh"
	"mesh/i18n"
)

// A subcommand: its name, a one-line summary for `mesh --help`, and its body.
type subcommand struct {
	name    string
	summary string
	run     func(env *Env, args []string) error
}

var commands = map[string]subcommand{}

// command registers a subcommand; called from init() in each command's file.
func command(name, summary string, run func(env *Env, args []string) error) {
	commands[name] = subcommand{name: name, summary: summary, run: run}
}

// Env is what a subcommand may touch: its streams and environment, so tests can run
// commands in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Lang is the language of messages meant for people (en, fr or rw): MESH_LANG,
	// else the POSIX locale (LC_ALL, LC_MESSAGES, LANG), else English. run fills it
	// from Getenv when it is empty. JSON and other output scripts read never changes.
	Lang string
}

// T returns the message key in the CLI's language (see i18n.T).
func (env *Env) T(key string, args ...any) string { return i18n.T(env.Lang, key, args...) }

// N wraps a count or measure so a catalog text writes it the language's way
// ("%d" → 12,345 / 12 345 / 12.345); not for ids or years.
func (env *Env) N(v any) i18n.Num { return i18n.Number(env.Lang, v) }

// cliLang picks the CLI's language from the environment: MESH_LANG first, then the
// first set of LC_ALL, LC_MESSAGES and LANG as POSIX orders them; "C", "POSIX" or a
// language MESH lacks means English.
func cliLang(getenv func(string) string) string {
	if getenv == nil {
		return i18n.Default
	}
	if v := getenv("MESH_LANG"); v != "" {
		return localeLang(v)
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			return localeLang(v)
		}
	}
	return i18n.Default
}

// localeLang turns a POSIX locale ("fr_FR.UTF-8", "rw_RW@latin") or a language tag
// ("fr", "rw-RW") into a supported language.
func localeLang(locale string) string {
	l, _, _ := strings.Cut(locale, ".")
	l, _, _ = strings.Cut(l, "@")
	l = strings.ReplaceAll(strings.TrimSpace(l), "_", "-")
	if l == "" || l == "C" || l == "POSIX" {
		return i18n.Default
	}
	return i18n.Match(l)
}

// usageError marks bad usage (exit status 2) as opposed to a failure (1).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef is for messages not meant for people alone (prefer usageT: words come from
// the catalogs).
func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// usageT is usagef with the message taken from the catalog in env's language.
func usageT(env *Env, key string, args ...any) error { return &usageError{env.T(key, args...)} }

// failure is a failure (exit 1) whose text for people is a catalog key, said in
// the CLI's language when printed; Error() is the English, for logs and tests.
type failure struct {
	key  string
	args []any
}

func (f *failure) Error() string { return i18n.T(i18n.Default, f.key, f.args...) }

// Unwrap gives the underlying error when the last argument is one.
func (f *failure) Unwrap() error {
	if n := len(f.args); n > 0 {
		if err, ok := f.args[n-1].(error); ok {
			return err
		}
	}
	return nil
}

// failT returns a failure with the message key and its arguments.
func failT(key string, args ...any) error { return &failure{key: key, args: args} }

// errHelp reports that --help was printed: exit 0.
var errHelp = errors.New("help printed")

func main() {
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	env.Lang = cliLang(env.Getenv)
	os.Exit(run(env, os.Args[1:]))
}

// run dispatches args to a subcommand and turns its error into an exit status.
func run(env *Env, args []string) (status int) {
	if env.Lang == "" {
		env.Lang = cliLang(env.Getenv)
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.internal_error", r))
			status = 1
		}
	}()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(env, env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if topic, ok := helpRequest(args); ok {
		printHelp(env, env.Stdout, topic, nil)
		return 0
	}
	if !ok {
		fmt.Fprintf(env.Stderr, "mesh: %s\n\n", env.T("cli.unknown_command", args[0]))
		printUsage(env, env.Stderr)
		return 2
	}
	return exitStatus(env, cmd.run(env, args[1:]))
}

// exitStatus prints err for a person and maps it to 0, 1 or 2.
func exitStatus(env *Env, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "mesh: %s\n", ue.msg)
		return 2
	case mesh.ErrorCode(err) == mesh.EINVALID || mesh.ErrorCode(err) == mesh.ECONFLICT || mesh.ErrorCode(err) == mesh.ENOTFOUND:
		fmt.Fprintf(env.Stderr, "mesh: %s\n", i18n.ErrorMessage(env.Lang, mesh.ErrorCode(err), mesh.ErrorMessage(err)))
		for _, f := range mesh.ErrorFields(err) {
			// A translated message names its field already; say it once.
			if msg := i18n.FieldMessage(env.Lang, f); f.Field != "" && strings.HasPrefix(msg, f.Field) {
				fmt.Fprintf(env.Stderr, "  %s\n", msg)
			} else {
				fmt.Fprintf(env.Stderr, "  %s: %s\n", f.Field, msg)
			}
		}
		return 2
	case errors.Is(err, errReported):
		return 2
	default:
		var fl *failure
		if errors.As(err, &fl) {
			fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T(fl.key, fl.args...))
			return 1
		}
		fmt.Fprintf(env.Stderr, "mesh: %v\n", err)
		return 1
	}
}

// errReported means the command already wrote its error output (e.g. JSON on stderr)
// and only the exit status 2 remains to be given.
var errReported = errors.New("bad input reported")

// printUsage writes the top-level help in env's language. A command's summary is
// the catalog's "cli.cmd.NAME" when there is one, else the text it registered.
func printUsage(env *Env, w io.Writer) {
	fmt.Fprintln(w, env.T("cli.usage.title"))
	fmt.Fprintf(w, "\n%s\n\n%s\n", env.T("cli.usage.synopsis"), env.T("cli.usage.commands"))
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commandSummary(env.Lang, n))
	}
	fmt.Fprintf(w, "\n%s\n", env.T("cli.usage.environment"))
}

// commandSummary is a command's one-line summary in lang.
func commandSummary(lang, name string) string {
	if key := "cli.cmd." + name; i18n.Has(i18n.Default, key) {
		return i18n.T(lang, key)
	}
	return commands[name].summary
}
