package main

import (
	"errors"
	"flag"
	"io"
	"strings"
)

// newFlags returns the FlagSet of command path name ("serve", "dhis2 push"). Its
// usage is the catalog's cli.help.<name> in env's language followed by the flags and
// their catalog explanations (see help.go); synopsis, English, stands in only until
// the catalogs have the key, which TestEveryCommandHasHelp requires.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { printHelp(env, fs.Output(), name, fs, synopsis) }
	return fs
}

// parseFlags parses args; --help prints usage to stdout and returns errHelp, and a bad
// flag returns a usage error (exit 2).
func parseFlags(fs *flag.FlagSet, env *Env, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		} else if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(env.Stdout)
			fs.Usage()
			return errHelp
		}
	}
	// The flag package writes its own English message and the usage on a bad flag;
	// we say it once, from the catalog, and point at --help.
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	} else if err != nil {
		return &usageError{flagErrorText(env, fs.Name(), err)}
	}
	return nil
}

// flagErrorText turns the flag package's error for command path name into a
// sentence from the catalog, naming the flag.
func flagErrorText(env *Env, name string, err error) string {
	msg := err.Error()
	var key, flagName, value string
	switch {
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		key, flagName = "cli.err.flag_unknown", strings.TrimLeft(strings.TrimPrefix(msg, "flag provided but not defined: "), "-")
	case strings.HasPrefix(msg, "flag needs an argument: "):
		key, flagName = "cli.err.flag_needs_value", strings.TrimLeft(strings.TrimPrefix(msg, "flag needs an argument: "), "-")
	case strings.HasPrefix(msg, "invalid value ") || strings.HasPrefix(msg, "invalid boolean value "):
		// invalid value "x" for flag -n: parse error
		rest := strings.TrimPrefix(strings.TrimPrefix(msg, "invalid boolean value "), "invalid value ")
		v, after, ok := strings.Cut(rest, " for flag -")
		if !ok {
			return msg
		}
		flagName, _, _ = strings.Cut(after, ":")
		key, value = "cli.err.flag_bad_value", v
	case strings.HasPrefix(msg, "bad flag syntax: "):
		return env.T("cli.err.flag_syntax", name, strings.TrimPrefix(msg, "bad flag syntax: "), name)
	default:
		return msg
	}
	if value != "" {
		return env.T(key, name, "--"+flagName, value, name)
	}
	return env.T(key, name, "--"+flagName, name)
}

// readAllLimited reads at most limit bytes of r, failing when there is more.
func readAllLimited(env *Env, r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, usageT(env, "cli.err.input_too_large", limit)
	}
	return b, nil
}
