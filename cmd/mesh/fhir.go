package main

import (
	"context"
	"fmt"
	"strconv"

	"mesh"
	"mesh/dhis2"
	"mesh/fhir"
	"mesh/indicator"
)

func init() {
	command("fhir", "FHIR R4: measure-reports (MeasureReport bundle), observation (QuestionnaireResponse)", runFHIR)
	subcommands("fhir", "measure-reports", "observation")
}

func runFHIR(env *Env, args []string) error {
	if len(args) == 0 {
		printHelp(env, env.Stderr, "fhir", nil)
		return usageT(env, "cli.err.missing_subcommand", "fhir", "measure-reports, observation")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printHelp(env, env.Stdout, "fhir", nil)
		return errHelp
	case "measure-reports":
		return runFHIRMeasureReports(env, args[1:])
	case "observation":
		return runFHIRObservation(env, args[1:])
	}
	printHelp(env, env.Stderr, "fhir", nil)
	return usageT(env, "cli.err.unknown_subcommand", "fhir", args[0], "measure-reports, observation")
}

func runFHIRMeasureReports(env *Env, args []string) error {
	fs := newFlags(env, "fhir measure-reports", "fhir measure-reports --period PERIOD [--orgunit ID] [--base URL] [--db DSN]\n\n"+
		"Writes a transaction Bundle of MeasureReports (mADX style): one per indicator with\n"+
		"data at each facility under --orgunit for PERIOD, PUT by a stable id.\n\nFlags:")
	var dsn string
	dbFlag(fs, env, &dsn)
	period := fs.String("period", "", "DHIS2 period id: 202603 (month), 2026Q1 (quarter) or 2026 (year) (required)")
	orgunit := fs.String("orgunit", "", "only facilities at or under this place id (default: all)")
	base := fs.String("base", fhir.DefaultBase, "canonical base URL of Measure and code systems")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "fhir measure-reports", fs.Arg(0))
	}
	if *period == "" {
		return usageT(env, "cli.err.period_required", "fhir measure-reports")
	}
	p, err := dhis2.ParsePeriod(*period)
	if err != nil {
		return err
	}
	ctx := context.Background()
	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var under []string
	if *orgunit != "" {
		id, err := strconv.ParseInt(*orgunit, 10, 64)
		if err != nil || id <= 0 {
			return mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "orgunit", Message: fmt.Sprintf("orgunit %q must be a place id (a whole number)", *orgunit)})
		}
		o, err := db.FindOrgUnitByID(ctx, id)
		if err != nil {
			return err
		}
		under = []string{o.Path}
	}
	// Every indicator but the mentees' voice: its results are only shown above a
	// safe-reporting threshold of respondents, never per facility and month.
	var ids []string
	for _, ind := range indicator.Catalogue() {
		if ind.Source != "voice" {
			ids = append(ids, ind.ID)
		}
	}
	now := db.Now()
	counts, err := db.DHIS2FacilityCounts(ctx, ids, under, p, now)
	if err != nil {
		return err
	}
	opt := fhir.Options{Base: *base, Now: now}
	reports := fhir.MeasureReports(p, counts, opt)
	res := make([]fhir.Resource, len(reports))
	for i, r := range reports {
		res[i] = r
	}
	fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.fhir.measure_reports", env.N(len(reports)), p.ID, env.N(len(counts))))
	return writeJSON(env.Stdout, fhir.TransactionBundle(opt, res...), false)
}

func runFHIRObservation(env *Env, args []string) error {
	fs := newFlags(env, "fhir observation", "fhir observation ID [--base URL] [--db DSN]\n\n"+
		"Writes a collection Bundle with the observation as a QuestionnaireResponse\n"+
		"(assessment, the worker's actions, the score; no names).\n\nFlags:")
	var dsn string
	dbFlag(fs, env, &dsn)
	base := fs.String("base", fhir.DefaultBase, "canonical base URL of the Questionnaire")
	pos, err := parseInterspersed(fs, env, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageT(env, "cli.err.want_args", "fhir observation", 1, "ID", len(pos))
	}
	ctx := context.Background()
	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rec, err := db.FindObservationByID(ctx, pos[0])
	if err != nil {
		return err
	}
	opt := fhir.Options{Base: *base, Now: db.Now()}
	qr, err := fhir.ObservationResponse(rec, opt)
	if err != nil {
		return err
	}
	return writeJSON(env.Stdout, fhir.CollectionBundle(opt, qr), false)
}
