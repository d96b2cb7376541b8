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
	// The DHIS2 command's table lives in dhis2.go; the org-unit import joins it here.
	dhis2Subcommands = append(dhis2Subcommands, struct {
		name, summary string
		run           func(env *Env, args []string) error
	}{"orgunits", "import the org-unit hierarchy from DHIS2 metadata JSON into places", runDHIS2OrgUnits})
}

func printImportUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: mesh import places FILE.csv|FILE.xlsx [--dry-run] [--db DSN]")
	fmt.Fprintln(w, "       mesh import health-workers FILE.csv|FILE.xlsx [--dry-run] [--db DSN]")
	fmt.Fprintln(w, "\nThe first row names the columns:")
	fmt.Fprintln(w, "  places:         name, type, parent_code | parent_id, code, dhis2_uid, malaria_risk, time_zone, cadence_days")
	fmt.Fprintln(w, "  health-workers: name, cadre, facility_code | facility_id, imci_trained_on, start_on")
	fmt.Fprintln(w, "\nEvery row is checked; any problem imports nothing and lists each as `row N, column: message` (exit 2).")
	fmt.Fprintln(w, "Details: docs/exports.md (Bulk import).")
}

func runImport(env *Env, args []string) error {
	if len(args) == 0 {
		printImportUsage(env.Stderr)
		return usageT(env, "cli.err.import_missing_kind")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printImportUsage(env.Stdout)
		return errHelp
	case "places", "health-workers":
	default:
		printImportUsage(env.Stderr)
		return usagef("import: unknown kind %q (want places or health-workers)", args[0])
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
		return usagef("import %s: %v", kind, err)
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
	fmt.Fprint(env.Stdout, env.T(key, kind, file, rep.Created, rep.Updated, rep.Unchanged))
	if rep.Skipped > 0 {
		fmt.Fprint(env.Stdout, env.T("cli.import.skipped", rep.Skipped))
	}
	fmt.Fprintln(env.Stdout, ".")
}

func runDHIS2OrgUnits(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(env.Stdout, "Usage: mesh dhis2 orgunits import FILE.json [--levels 1=country,…] [--dry-run] [--db DSN]")
			return errHelp
		}
		return usagef("dhis2 orgunits: want `import FILE.json`")
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
			return usagef("dhis2 orgunits import: %v", err)
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
