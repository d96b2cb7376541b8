package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// newFlags returns a FlagSet that prints its usage to env.Stderr with a one-line synopsis.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: mesh %s\n", synopsis)
		fs.PrintDefaults()
	}
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
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	} else if err != nil {
		return &usageError{err.Error()}
	}
	return nil
}

// readAllLimited reads at most limit bytes of r, failing when there is more.
func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, usagef("input larger than %d bytes", limit)
	}
	return b, nil
}
