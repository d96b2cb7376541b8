package main

import (
	"context"
	"fmt"

	"mesh/demo"
	"mesh/sqlstore"
)

func init() {
	command("demo", "load the demo data set (idempotent): two districts, 21 health centres, staff, users and a year of mentoring", runDemo)
}

func runDemo(env *Env, args []string) error {
	fs := newFlags(env, "demo", "demo [--db DSN]")
	var dsn string
	dbFlag(fs, env, &dsn)
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "demo", fs.Arg(0))
	}
	ctx := context.Background()
	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return loadDemo(ctx, env, db)
}

// loadDemo loads the demo data set and prints the logins.
func loadDemo(ctx context.Context, env *Env, db *sqlstore.DB) error {
	res, err := demo.Load(ctx, db)
	if err != nil {
		return err
	}
	if res.AlreadyLoaded {
		fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.demo.already_loaded"))
	} else {
		fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.demo.loaded",
			env.N(res.Places), env.N(res.Workers), env.N(res.Visits), env.N(res.PlannedVisits), env.N(res.Observations)))
	}
	fmt.Fprintln(env.Stderr, env.T("cli.demo.logins", demo.Password))
	for _, l := range res.Logins {
		fmt.Fprintf(env.Stderr, "  %-20s %-10s %s\n", l.Username, l.Role, l.Scope)
	}
	return nil
}
