package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"mesh"
	"mesh/dhis2"
	"mesh/sqlstore"
)

func init() {
	command("dhis2", "DHIS2: mapping import|export, export (dataValueSets), push", runDHIS2)
	subcommands("dhis2", "mapping", "export", "push")
	subcommands("dhis2 mapping", "import", "export")
}

// maxMappingFile bounds a mapping file; a real one is a few kilobytes.
const maxMappingFile = 10 << 20

var dhis2Subcommands = []struct {
	name, summary string
	run           func(env *Env, args []string) error
}{
	{"mapping", "import or export the indicator ↔ DHIS2 mapping (JSON)", runDHIS2Mapping},
	{"export", "write the dataValueSets payload for a period on stdout", runDHIS2Export},
	{"push", "post the payload for a period to a DHIS2 server and report the import summary", runDHIS2Push},
}

func runDHIS2(env *Env, args []string) error {
	if len(args) == 0 {
		printHelp(env, env.Stderr, "dhis2", nil)
		return usageT(env, "cli.err.missing_subcommand", "dhis2", "mapping, export, push")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printHelp(env, env.Stdout, "dhis2", nil)
		return errHelp
	}
	for _, sc := range dhis2Subcommands {
		if sc.name == args[0] {
			return sc.run(env, args[1:])
		}
	}
	printHelp(env, env.Stderr, "dhis2", nil)
	return usageT(env, "cli.err.unknown_subcommand", "dhis2", args[0], "mapping, export, push, orgunits")
}

func runDHIS2Mapping(env *Env, args []string) error {
	usage := func(w io.Writer) { printHelp(env, w, "dhis2 mapping", nil) }
	if len(args) == 0 {
		usage(env.Stderr)
		return usageT(env, "cli.err.missing_subcommand", "dhis2 mapping", "import, export")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(env.Stdout)
		return errHelp
	case "import":
		return runDHIS2MappingImport(env, args[1:])
	case "export":
		return runDHIS2MappingExport(env, args[1:])
	}
	usage(env.Stderr)
	return usageT(env, "cli.err.unknown_subcommand", "dhis2 mapping", args[0], "import, export")
}

// runDHIS2MappingImport validates the whole file before touching the database; any
// problem is reported as {"errors":[…]} on stderr (like `mesh imci classify`) and
// nothing is written.
func runDHIS2MappingImport(env *Env, args []string) error {
	fs := newFlags(env, "dhis2 mapping import", "dhis2 mapping import FILE [--db DSN]\n\n"+
		"Replaces the indicator ↔ DHIS2 mapping with FILE (- for stdin), all or nothing:\n"+
		`{"data_set": UID?, "id_scheme": "uid"|"code", "entries": [{"indicator", "part", "data_element", "category_option_combo"?}]}`+
		"\n\nFlags:")
	var dsn string
	dbFlag(fs, env, &dsn)
	pos, err := parseInterspersed(fs, env, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageT(env, "cli.err.one_file", "dhis2 mapping import", len(pos))
	}
	var data []byte
	if pos[0] == "-" {
		data, err = readAllLimited(env, env.Stdin, maxMappingFile)
	} else {
		var f *os.File
		if f, err = os.Open(pos[0]); err == nil {
			data, err = readAllLimited(env, f, maxMappingFile)
			f.Close()
		}
	}
	if err != nil {
		return usageT(env, "cli.err.cannot_read", "dhis2 mapping import", err)
	}
	m, err := dhis2.DecodeMapping(strings.NewReader(string(data)))
	if err != nil {
		return reportInvalid(env, err)
	}
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "cli", Role: "system"})
	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.ReplaceDHIS2Mapping(ctx, m); err != nil {
		return reportInvalid(env, err)
	}
	fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.dhis2.mapping_imported", len(m.Entries), m.IDScheme))
	return nil
}

// reportInvalid prints an EINVALID error as {"errors":[…]} on stderr (exit 2); other
// errors pass through.
func reportInvalid(env *Env, err error) error {
	if mesh.ErrorCode(err) != mesh.EINVALID {
		return err
	}
	fields := mesh.ErrorFields(err)
	if len(fields) == 0 {
		fields = []mesh.FieldError{{Code: "INVALID", Field: "", Message: mesh.ErrorMessage(err)}}
	}
	return reportFieldErrors(env, fields)
}

func runDHIS2MappingExport(env *Env, args []string) error {
	fs := newFlags(env, "dhis2 mapping export", "dhis2 mapping export [--db DSN]\n\nWrites the stored mapping as JSON on stdout (the format mapping import reads).\n\nFlags:")
	var dsn string
	dbFlag(fs, env, &dsn)
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "dhis2 mapping export", fs.Arg(0))
	}
	ctx := context.Background()
	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := db.DHIS2Mapping(ctx)
	if err != nil {
		return err
	}
	return writeJSON(env.Stdout, m, false)
}

// payloadFlags are the flags export and push share.
type payloadFlags struct {
	dsn, period, orgunit string
}

func (p *payloadFlags) add(fs interface {
	StringVar(*string, string, string, string)
}) {
	fs.StringVar(&p.period, "period", "", "DHIS2 period id: 202603 (month), 2026Q1 (quarter) or 2026 (year) (required)")
	fs.StringVar(&p.orgunit, "orgunit", "", "only facilities at or under this place id (default: all)")
}

// buildPayload reads the mapping and the period's counts and builds the payload,
// warning on stderr about facilities skipped for want of an identifier.
func buildPayload(ctx context.Context, env *Env, db *sqlstore.DB, pf payloadFlags) (*dhis2.DataValueSet, *dhis2.Mapping, error) {
	p, err := dhis2.ParsePeriod(pf.period)
	if err != nil {
		return nil, nil, err
	}
	var under []string
	if pf.orgunit != "" {
		id, err := strconv.ParseInt(pf.orgunit, 10, 64)
		if err != nil || id <= 0 {
			return nil, nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "orgunit", Message: fmt.Sprintf("orgunit %q must be a place id (a whole number)", pf.orgunit)})
		}
		o, err := db.FindOrgUnitByID(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		under = []string{o.Path}
	}
	m, err := db.DHIS2Mapping(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(m.Entries) == 0 {
		fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.dhis2.mapping_empty"))
	}
	var ids []string
	for _, e := range m.Entries {
		if !slices.Contains(ids, e.Indicator) {
			ids = append(ids, e.Indicator)
		}
	}
	counts, err := db.DHIS2FacilityCounts(ctx, ids, under, p, db.Now())
	if err != nil {
		return nil, nil, err
	}
	set, skipped := dhis2.Build(m, p, counts)
	if len(skipped) > 0 {
		field := "dhis2_uid"
		if m.IDScheme == dhis2.SchemeCode {
			field = "code"
		}
		var names []string
		for i, s := range skipped {
			if i == 10 {
				names = append(names, env.T("cli.dhis2.and_more", len(skipped)-10))
				break
			}
			names = append(names, fmt.Sprintf("%s (id %d)", s.Name, s.ID))
		}
		fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.dhis2.facilities_skipped",
			len(skipped), p.ID, field, strings.Join(names, ", ")))
	}
	return set, m, nil
}

func runDHIS2Export(env *Env, args []string) error {
	fs := newFlags(env, "dhis2 export", "dhis2 export --period PERIOD [--orgunit ID] [--db DSN]\n\n"+
		"Writes the DHIS2 dataValueSets payload for PERIOD on stdout: every mapped indicator\n"+
		"for every facility with data in the period.\n\nFlags:")
	var pf payloadFlags
	pf.add(fs)
	dbFlag(fs, env, &pf.dsn)
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "dhis2 export", fs.Arg(0))
	}
	if pf.period == "" {
		return usageT(env, "cli.err.period_required", "dhis2 export")
	}
	if _, err := dhis2.ParsePeriod(pf.period); err != nil {
		return err // before opening the database: bad input needs no database
	}
	ctx := context.Background()
	db, err := openDB(ctx, env, pf.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	set, _, err := buildPayload(ctx, env, db, pf)
	if err != nil {
		return err
	}
	return writeJSON(env.Stdout, set, false)
}

func runDHIS2Push(env *Env, args []string) error {
	fs := newFlags(env, "dhis2 push", "dhis2 push --url URL --token TOKEN --period PERIOD [--orgunit ID] [--dry-run]\n"+
		"                 [--id-scheme uid|code] [--import-strategy CREATE_AND_UPDATE|CREATE|UPDATE|DELETE] [--db DSN]\n\n"+
		"Posts the payload for PERIOD to URL/api/dataValueSets and reports DHIS2's import\n"+
		"summary: counts and each conflict. Exit 1 when DHIS2 refuses the import.\n\nFlags:")
	var pf payloadFlags
	pf.add(fs)
	dbFlag(fs, env, &pf.dsn)
	baseURL := fs.String("url", env.Getenv("MESH_DHIS2_URL"), "DHIS2 server address, e.g. https://dhis2.example.org (env MESH_DHIS2_URL)")
	token := fs.String("token", "", "DHIS2 personal access token (env MESH_DHIS2_TOKEN keeps it out of shell history)")
	dryRun := fs.Bool("dry-run", false, "ask DHIS2 to check the payload without saving it")
	scheme := fs.String("id-scheme", "", "idScheme to send: uid or code (default: the mapping's id_scheme)")
	strategy := fs.String("import-strategy", "", "importStrategy: CREATE_AND_UPDATE (DHIS2's default), CREATE, UPDATE or DELETE")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "dhis2 push", fs.Arg(0))
	}
	if *token == "" {
		*token = env.Getenv("MESH_DHIS2_TOKEN")
	}
	switch {
	case *baseURL == "":
		return usageT(env, "cli.err.flag_required", "dhis2 push", "--url")
	case *token == "":
		return usageT(env, "cli.err.token_required", "dhis2 push")
	case pf.period == "":
		return usageT(env, "cli.err.period_required", "dhis2 push")
	case *scheme != "" && *scheme != dhis2.SchemeUID && *scheme != dhis2.SchemeCode:
		return usageT(env, "cli.err.flag_choice", "dhis2 push", "--id-scheme", "uid, code")
	case *strategy != "" && !slices.Contains(dhis2.ImportStrategies, *strategy):
		return usageT(env, "cli.err.flag_choice", "dhis2 push", "--import-strategy", strings.Join(dhis2.ImportStrategies, ", "))
	}
	if _, err := dhis2.ParsePeriod(pf.period); err != nil {
		return err
	}
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "cli", Role: "system"})
	db, err := openDB(ctx, env, pf.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	set, m, err := buildPayload(ctx, env, db, pf)
	if err != nil {
		return err
	}
	if *scheme == "" {
		*scheme = m.IDScheme
	} else if *scheme != m.IDScheme {
		// The payload names things in the mapping's scheme; another idScheme would make
		// DHIS2 look every identifier up the wrong way and refuse them all.
		return usageT(env, "cli.err.id_scheme_mismatch", "dhis2 push", *scheme, m.IDScheme)
	}
	if len(set.DataValues) == 0 {
		fmt.Fprintln(env.Stdout, env.T("cli.dhis2.nothing_to_push", pf.period))
		return nil
	}
	fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.dhis2.posting", env.N(len(set.DataValues)), pf.period, strings.TrimRight(*baseURL, "/")+"/api/dataValueSets"))
	c := &dhis2.Client{BaseURL: *baseURL, Token: *token}
	sum, err := c.Push(ctx, set, dhis2.PushOptions{DryRun: *dryRun, IDScheme: *scheme, ImportStrategy: *strategy})
	if sum != nil {
		sum.WriteReport(env.Stdout, *dryRun)
	}
	if lerr := db.RecordDHIS2Push(ctx, pf.period, len(set.DataValues), *dryRun, sum, err); lerr != nil {
		fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.dhis2.audit_failed", lerr))
	}
	// A refusal from DHIS2 is a plain error (exit 1); only a malformed --url is EINVALID (2).
	return err
}
