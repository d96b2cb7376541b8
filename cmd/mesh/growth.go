package main

import (
	"encoding/json"
	"fmt"

	"mesh"
	"mesh/growth"
)

func init() {
	command("growth", "WHO growth standards: mesh growth zscores", runGrowth)
	subcommands("growth", "zscores")
}

// growthInputLimit bounds stdin: 16 MiB is some 100,000 measurements.
const growthInputLimit = 16 << 20

// runGrowth dispatches `mesh growth SUBCOMMAND`.
func runGrowth(env *Env, args []string) error {
	if len(args) == 0 {
		printHelp(env, env.Stderr, "growth", nil)
		return usageT(env, "cli.err.missing_subcommand", "growth", "zscores")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printHelp(env, env.Stdout, "growth", nil)
		return errHelp
	case "zscores":
		return runGrowthZScores(env, args[1:])
	}
	printHelp(env, env.Stderr, "growth", nil)
	return usageT(env, "cli.err.unknown_subcommand", "growth", args[0], "zscores")
}

// runGrowthZScores writes the z-scores array on stdout, or on bad input nothing on
// stdout and {"errors":[…]} on stderr (exit status 2).
func runGrowthZScores(env *Env, args []string) error {
	fs := newFlags(env, "growth zscores", "growth zscores < measurements.json > zscores.json")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.stdin_no_args", "growth zscores", fs.Arg(0))
	}
	body, err := readAllLimited(env, env.Stdin, growthInputLimit)
	if err != nil {
		return err
	}
	out, errs := growth.ZScoresJSON(body)
	if len(errs) > 0 {
		return writeGrowthErrors(env, errs)
	}
	_, err = fmt.Fprintf(env.Stdout, "%s\n", out)
	return err
}

// writeGrowthErrors (kept apart from other commands so each file stands alone) writes {"errors":[…]} on stderr and asks for exit status 2.
func writeGrowthErrors(env *Env, errs []mesh.FieldError) error {
	b, err := json.Marshal(struct {
		Errors []mesh.FieldError `json:"errors"`
	}{errs})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "%s\n", b)
	return errReported
}
