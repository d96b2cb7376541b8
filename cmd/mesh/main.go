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

	"mesh"
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
}

// usageError marks bad usage (exit status 2) as opposed to a failure (1).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errHelp reports that --help was printed: exit 0.
var errHelp = errors.New("help printed")

func main() {
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(run(env, os.Args[1:]))
}

// run dispatches args to a subcommand and turns its error into an exit status.
func run(env *Env, args []string) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(env.Stderr, "mesh: internal error: %v\n", r)
			status = 1
		}
	}()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "mesh: unknown command %q\n\n", args[0])
		printUsage(env.Stderr)
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
		fmt.Fprintf(env.Stderr, "mesh: %s\n", mesh.ErrorMessage(err))
		for _, f := range mesh.ErrorFields(err) {
			fmt.Fprintf(env.Stderr, "  %s: %s\n", f.Field, f.Message)
		}
		return 2
	case errors.Is(err, errReported):
		return 2
	default:
		fmt.Fprintf(env.Stderr, "mesh: %v\n", err)
		return 1
	}
}

// errReported means the command already wrote its error output (e.g. JSON on stderr)
// and only the exit status 2 remains to be given.
var errReported = errors.New("bad input reported")

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "mesh — mentoring and enhanced supervision for IMCI (MESH)")
	fmt.Fprintln(w, "\nUsage: mesh COMMAND [flags]   (mesh COMMAND --help for its flags)\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nEnvironment: MESH_DB (database), MESH_ADDR (listen address).")
}
