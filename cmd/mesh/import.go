package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"mesh"
	"mesh/dhis2"
	"mesh/importer"
	"mesh/sqlstore"
)

func init() {
	command("import", "bulk import: places|health-workers FILE.csv|FILE.xlsx (all or nothing)", runImport)
	subcommands("import", "places", "health-workers")
	subcommands("dhis2", "orgunits")
	subcommands("dhis2 orgunits", "import")
	// The DHIS2 command's table lives in dhis2.go; the org-unit import joins it here.
	dhis2Subcommands = append(dhis2Subcommands, struct {
		name, summary string
		run           func(env *Env, args []string) error
	}{"orgunits", "import the org-unit hierarchy from DHIS2 metadata JSON into places", runDHIS2OrgUnits})
}

func runImport(env *Env, args []string) error {
	if len(args) == 0 {
		printHelp(env, env.Stderr, "import", nil)
		return usageT(env, "cli.err.import_missing_kind")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printHelp(env, env.Stdout, "import", nil)
		return errHelp
	case "places", "health-workers":
	default:
		printHelp(env, env.Stderr, "import", nil)
		return usageT(env, "cli.err.unknown_subcommand", "import", args[0], "places, health-workers")
	}
	kind := args[0]
	fs := newFlags(env, "import "+kind, "import "+kind+" FILE.csv|FILE.xlsx [--dry-run] [--db DSN]\n\nFlags:")
	var dsn string
	dbFlag(fs, env, &dsn)
	dryRun := fs.Bool("dry-run", false, "check everything and report, but save nothing")
	pos, err := parseInterspersed(fs, env, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageT(env, "cli.err.one_file", "import "+kind, len(pos))
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return usageT(env, "cli.err.cannot_read", "import "+kind, err)
	}
	t, err := importer.Read(pos[0], f)
	f.Close()
	if err != nil {
		return err
	}
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "cli", Role: "system"})
	var rep sqlstore.ImportReport
	switch kind {
	case "places":
		rows, rowErrs := importer.Places(t)
		if len(rowErrs) > 0 {
			return importer.Invalid(rowErrs)
		}
		db, err := openDB(ctx, dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if rep, err = db.ImportPlaces(ctx, rows, *dryRun); err != nil {
			return err
		}
	case "health-workers":
		rows, rowErrs := importer.Workers(t)
		if len(rowErrs) > 0 {
			return importer.Invalid(rowErrs)
		}
		db, err := openDB(ctx, dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if rep, err = db.ImportHealthWorkers(ctx, rows, *dryRun); err != nil {
			return err
		}
	}
	writeImportReport(env, kind, pos[0], rep, *dryRun)
	return nil
}

func writeImportReport(env *Env, kind, file string, rep sqlstore.ImportReport, dryRun bool) {
	key := "cli.import.done"
	if dryRun {
		key = "cli.import.dry_run"
	}
	fmt.Fprint(env.Stdout, env.T(key, kind, file, env.N(rep.Created), env.N(rep.Updated), env.N(rep.Unchanged)))
	if rep.Skipped > 0 {
		fmt.Fprint(env.Stdout, env.T("cli.import.skipped", env.N(rep.Skipped)))
	}
	fmt.Fprintln(env.Stdout, ".")
}

func runDHIS2OrgUnits(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			printHelp(env, env.Stdout, "dhis2 orgunits", nil)
			return errHelp
		}
		return usageT(env, "cli.err.missing_subcommand", "dhis2 orgunits", "import")
	}
	fs := newFlags(env, "dhis2 orgunits import", "dhis2 orgunits import FILE.json [--levels MAP] [--dry-run] [--db DSN]\n\n"+
		"Reads DHIS2 metadata {\"organisationUnits\":[{id,name,code,level,parent:{id}}]} (FILE - reads stdin),\n"+
		"as /api/organisationUnits?fields=id,code,name,parent,level,path&paging=false returns it, and\n"+
		"creates or updates places matched by dhis2_uid, all or nothing.\n\nFlags:")
	var dsn string
	dbFlag(fs, env, &dsn)
	levelsFlag := fs.String("levels", "1=country,2=province,3=district,4=sector,5=facility", "DHIS2 level = place type; unlisted levels are skipped")
	dryRun := fs.Bool("dry-run", false, "check everything and report, but save nothing")
	pos, err := parseInterspersed(fs, env, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageT(env, "cli.err.one_file", "dhis2 orgunits import", len(pos))
	}
	levels, err := dhis2.ParseLevels(*levelsFlag)
	if err != nil {
		return err
	}
	var r io.Reader = env.Stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return usageT(env, "cli.err.cannot_read", "dhis2 orgunits import", err)
		}
		defer f.Close()
		r = f
	}
	units, err := dhis2.DecodeOrgUnits(io.LimitReader(r, importer.MaxFileSize))
	if err != nil {
		return err
	}
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "cli", Role: "system"})
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.ImportDHIS2OrgUnits(ctx, units, levels, *dryRun)
	if err != nil {
		return err
	}
	writeImportReport(env, "DHIS2 org units", pos[0], rep, *dryRun)
	return nil
}
