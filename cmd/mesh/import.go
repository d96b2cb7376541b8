package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"

	"mesh"
	"mesh/dhis2"
	"mesh/i18n"
	"mesh/importer"
	"mesh/sqlstore"
)

func init() {
	command("import", "bulk import: places|health-workers|users FILE.csv|FILE.xlsx (all or nothing, or --valid-rows)", runImport)
	subcommands("import", "places", "health-workers", "users")
	subcommands("dhis2", "orgunits")
	subcommands("dhis2 orgunits", "import")
	// The DHIS2 command's table lives in dhis2.go; the org-unit import joins it here.
	dhis2Subcommands = append(dhis2Subcommands, struct {
		name, summary string
		run           func(env *Env, args []string) error
	}{"orgunits", "import the org-unit hierarchy from DHIS2 metadata JSON into places", runDHIS2OrgUnits})
}

// runImport imports a file. Exit status: 0 when every row was imported (or, with
// --valid-rows, when the valid rows were and the others are listed on stdout); 2,
// with every problem listed, when nothing was imported.
func runImport(env *Env, args []string) error {
	if len(args) == 0 {
		printHelp(env, env.Stderr, "import", nil)
		return usageT(env, "cli.err.import_missing_kind")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printHelp(env, env.Stdout, "import", nil)
		return errHelp
	case "places", "health-workers", "users":
	default:
		printHelp(env, env.Stderr, "import", nil)
		return usageT(env, "cli.err.unknown_subcommand", "import", args[0], "places, health-workers, users")
	}
	kind := args[0]
	fs := newFlags(env, "import "+kind, "import "+kind+" FILE.csv|FILE.xlsx [--dry-run] [--valid-rows] [--db DSN]\n\nFlags:")
	var dsn string
	dbFlag(fs, env, &dsn)
	dryRun := fs.Bool("dry-run", false, "check everything and report, but save nothing")
	validRows := fs.Bool("valid-rows", false, "import the valid rows and list the others, instead of importing nothing")
	var passwordsOut *string
	if kind == "users" {
		passwordsOut = fs.String("passwords-out", "", "new file (mode 0600) for the new users' initial passwords")
	}
	pos, err := parseInterspersed(fs, env, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageT(env, "cli.err.one_file", "import "+kind, len(pos))
	}
	if passwordsOut != nil && *passwordsOut != "" {
		if _, err := os.Lstat(*passwordsOut); err == nil {
			return usageT(env, "cli.err.import_passwords_exist", *passwordsOut)
		}
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
	opt := sqlstore.ImportOptions{DryRun: *dryRun, ValidRows: *validRows}
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "cli", Role: "system"})
	var rowErrs []importer.RowError
	var run func(db *sqlstore.DB) (sqlstore.ImportReport, error)
	var wrote int
	switch kind {
	case "places":
		var rows []importer.PlaceRow
		rows, rowErrs = importer.Places(t)
		run = func(db *sqlstore.DB) (sqlstore.ImportReport, error) { return db.ImportPlaces(ctx, rows, opt) }
	case "health-workers":
		var rows []importer.WorkerRow
		rows, rowErrs = importer.Workers(t)
		run = func(db *sqlstore.DB) (sqlstore.ImportReport, error) { return db.ImportHealthWorkers(ctx, rows, opt) }
	case "users":
		var rows []importer.UserRow
		rows, rowErrs = importer.Users(t)
		uopt := sqlstore.ImportUsersOptions{ImportOptions: opt}
		if *passwordsOut != "" {
			uopt.SavePasswords = func(pw []sqlstore.NewPassword) error {
				wrote = len(pw)
				return writePasswords(*passwordsOut, pw)
			}
		}
		run = func(db *sqlstore.DB) (sqlstore.ImportReport, error) {
			uopt.ImportOptions = opt
			return db.ImportUsers(ctx, rows, uopt)
		}
	}
	if len(rowErrs) > 0 && (!*validRows || importer.HeaderOnly(rowErrs)) {
		return importer.Invalid(rowErrs)
	}
	// The reader's problems are reported with the store's; those rows are skipped.
	opt.Known = rowErrs

	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := run(db)
	if err != nil {
		if wrote > 0 {
			// The import rolled back after the passwords were written: they open nothing.
			os.Remove(*passwordsOut)
		}
		return err
	}
	rejected := rep.Rejected
	if len(rejected) > 0 && rep.Created+rep.Updated+rep.Unchanged == 0 {
		return importer.Invalid(rejected)
	}
	writeImportReport(env, kind, pos[0], rep, *dryRun)
	if len(rejected) > 0 {
		fmt.Fprint(env.Stdout, env.T("cli.import.rejected", env.N(len(importer.Bad(rejected)))))
		for _, f := range mesh.ErrorFields(importer.Invalid(rejected)) {
			if msg := i18n.FieldMessage(env.Lang, f); strings.HasPrefix(msg, f.Field) {
				fmt.Fprintf(env.Stdout, "  %s\n", msg)
			} else {
				fmt.Fprintf(env.Stdout, "  %s: %s\n", f.Field, msg)
			}
		}
	}
	if wrote > 0 {
		fmt.Fprint(env.Stdout, env.T("cli.import.passwords", env.N(wrote), *passwordsOut))
	}
	return nil
}

// writePasswords writes the new users' initial passwords as CSV to a file that must
// not exist yet, readable by its owner only.
func writePasswords(path string, pw []sqlstore.NewPassword) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return mesh.Invalid(mesh.FieldError{Code: "INVALID", Field: "passwords-out", Message: err.Error()})
	}
	w := csv.NewWriter(f)
	w.Write([]string{"username", "password"})
	for _, p := range pw {
		w.Write([]string{p.Username, p.Password})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
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
	fs := newFlags(env, "dhis2 orgunits import", "dhis2 orgunits import FILE.json|--url URL [--token TOKEN] [--levels MAP] [--dry-run] [--db DSN]\n\n"+
		"Reads DHIS2 metadata {\"organisationUnits\":[{id,name,code,level,parent:{id}}]} (FILE - reads stdin),\n"+
		"as /api/organisationUnits?fields=id,code,name,parent,level,path&paging=false returns it, or\n"+
		"fetches it from the server at --url, and creates or updates places matched by dhis2_uid,\n"+
		"all or nothing.\n\nFlags:")
	var dsn string
	dbFlag(fs, env, &dsn)
	levelsFlag := fs.String("levels", "1=country,2=province,3=district,4=sector,5=facility", "DHIS2 level = place type; unlisted levels are skipped")
	dryRun := fs.Bool("dry-run", false, "check everything and report, but save nothing")
	baseURL := fs.String("url", "", "fetch the org units from this DHIS2 server instead of a file (env MESH_DHIS2_URL is not used here: a file or --url must be named)")
	token := fs.String("token", "", "DHIS2 personal access token for --url (env MESH_DHIS2_TOKEN)")
	pos, err := parseInterspersed(fs, env, args[1:])
	if err != nil {
		return err
	}
	switch {
	case *baseURL != "" && len(pos) > 0:
		return usageT(env, "cli.err.file_or_url", "dhis2 orgunits import")
	case *baseURL == "" && len(pos) != 1:
		return usageT(env, "cli.err.one_file", "dhis2 orgunits import", len(pos))
	}
	levels, err := dhis2.ParseLevels(*levelsFlag)
	if err != nil {
		return err
	}
	source, units, err := readOrgUnits(env, pos, *baseURL, *token)
	if err != nil {
		return err
	}
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "cli", Role: "system"})
	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.ImportDHIS2OrgUnits(ctx, units, levels, *dryRun)
	if err != nil {
		return err
	}
	writeImportReport(env, "DHIS2 org units", source, rep, *dryRun)
	return nil
}

// readOrgUnits reads DHIS2 org units from the file named in pos ("-": stdin) or, when
// baseURL is set, from that server's API; it returns what to call the source.
func readOrgUnits(env *Env, pos []string, baseURL, token string) (string, []dhis2.OrgUnit, error) {
	if baseURL != "" {
		if token == "" {
			token = env.Getenv("MESH_DHIS2_TOKEN")
		}
		if token == "" {
			return "", nil, usageT(env, "cli.err.token_required", "dhis2 orgunits import")
		}
		c := &dhis2.Client{BaseURL: baseURL, Token: token}
		units, err := c.OrgUnits(context.Background())
		return strings.TrimRight(baseURL, "/") + "/api/organisationUnits", units, err
	}
	var r io.Reader = env.Stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return "", nil, usageT(env, "cli.err.cannot_read", "dhis2 orgunits import", err)
		}
		defer f.Close()
		r = f
	}
	units, err := dhis2.DecodeOrgUnits(io.LimitReader(r, importer.MaxFileSize))
	return pos[0], units, err
}
