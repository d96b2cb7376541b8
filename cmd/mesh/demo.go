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
		return usagef("demo takes no arguments (got %q)", fs.Arg(0))
	}
	ctx := context.Background()
	db, err := openDB(ctx, dsn)
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
		fmt.Fprintln(env.Stderr, "mesh: the demo data set is already loaded")
	} else {
		fmt.Fprintf(env.Stderr, "mesh: loaded the demo data set: %d places, %d health workers, %d mentoring visits (%d more planned), %d case observations\n",
			res.Places, res.Workers, res.Visits, res.PlannedVisits, res.Observations)
	}
	fmt.Fprintf(env.Stderr, "Demo logins (password %q for each):\n", demo.Password)
	for _, l := range res.Logins {
		fmt.Fprintf(env.Stderr, "  %-20s %-10s %s\n", l.Username, l.Role, l.Scope)
	}
	return nil
}
