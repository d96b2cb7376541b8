package main

import (
	"encoding/json"
	"fmt"

	"mesh"
	"mesh/growth"
)

func init() { command("growth", "WHO growth standards: mesh growth zscores", runGrowth) }

// growthInputLimit bounds stdin: 16 MiB is some 100,000 measurements.
const growthInputLimit = 16 << 20

const growthUsage = `Usage: mesh growth COMMAND

Commands:
  zscores   read a JSON array of measurements on stdin, write their WHO z-scores

Each measurement: {"sex": "male"|"female", "age_days": 0-1826, "weight_kg"?: number,
"length_cm"?: number, "measured": "lying"|"standing" (required with length_cm),
"oedema"?: bool, "muac_mm"?: number}. Each answer: {"wfa_z", "lhfa_z", "wfh_z", "muac_z"},
null where a z-score cannot be computed. See docs/growth.md.
`

// runGrowth dispatches `mesh growth SUBCOMMAND`.
func runGrowth(env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, growthUsage)
		return usagef("growth needs a command")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(env.Stdout, growthUsage)
		return errHelp
	case "zscores":
		return runGrowthZScores(env, args[1:])
	}
	fmt.Fprint(env.Stderr, growthUsage)
	return usagef("unknown growth command %q", args[0])
}

// runGrowthZScores writes the z-scores array on stdout, or on bad input nothing on
// stdout and {"errors":[…]} on stderr (exit status 2).
func runGrowthZScores(env *Env, args []string) error {
	fs := newFlags(env, "growth zscores", "growth zscores < measurements.json > zscores.json")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("growth zscores takes no arguments (it reads stdin)")
	}
	body, err := readAllLimited(env.Stdin, growthInputLimit)
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
