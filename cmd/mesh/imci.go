package main

import (
	"fmt"
	"os"

	"mesh/imci"
)

func init() {
	command("imci", "IMCI rule engine: mesh imci classify", runIMCI)
	subcommands("imci", "classify")
}

// maxIMCIInput bounds stdin so a runaway pipe cannot exhaust memory.
const maxIMCIInput = 10 << 20

func runIMCI(env *Env, args []string) error {
	usage := func() { printHelp(env, env.Stdout, "imci", nil) }
	if len(args) == 0 {
		usage()
		return usageT(env, "cli.err.missing_subcommand", "imci", "classify")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage()
		return errHelp
	case "classify":
		return runIMCIClassify(env, args[1:])
	}
	return usageT(env, "cli.err.unknown_subcommand", "imci", args[0], "classify")
}

// runIMCIClassify reads stdin, writes the result on stdout, or {"errors":[…]} on
// stderr with exit status 2.
func runIMCIClassify(env *Env, args []string) error {
	fs := newFlags(env, "imci classify", "imci classify [--protocol FILE] < input.json")
	protoFile := fs.String("protocol", "", "protocol JSON file (default: embedded "+imci.DefaultProtocol().ID+")")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.unexpected_argument", "imci classify", fs.Arg(0))
	}
	p := imci.DefaultProtocol()
	if *protoFile != "" {
		data, err := os.ReadFile(*protoFile)
		if err != nil {
			return usageT(env, "cli.err.cannot_read", "imci classify", err)
		}
		if p, err = imci.LoadProtocol(data); err != nil {
			return usageT(env, "cli.err.bad_protocol", "imci classify", *protoFile, err)
		}
	}
	body, err := readAllLimited(env, env.Stdin, maxIMCIInput)
	if err != nil {
		return err
	}
	out, errs := imci.ClassifyJSON(p, body)
	if len(errs) > 0 {
		fmt.Fprintf(env.Stderr, "%s\n", imci.ErrorsJSON(errs))
		return errReported
	}
	_, err = fmt.Fprintf(env.Stdout, "%s\n", out)
	return err
}
