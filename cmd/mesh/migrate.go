package main

import (
	"context"
	"fmt"

	"mesh/sqlstore"
)

func init() { command("migrate", "apply database migrations (--status lists them)", runMigrate) }

func runMigrate(env *Env, args []string) error {
	fs := newFlags(env, "migrate", "migrate [--db DSN] [--status]")
	var dsn string
	dbFlag(fs, env, &dsn)
	status := fs.Bool("status", false, "list migrations and whether each is applied, without applying any")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "migrate", fs.Arg(0))
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return failT("cli.err.open_database", describeDSN(dsn), err)
	}
	defer db.Close()
	db.BackfillProgress = backfillProgress(env)
	if *status {
		ms, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			state := env.T("cli.migrate.pending")
			if m.AppliedAt != nil {
				state = env.T("cli.migrate.applied_at", m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z"))
			}
			fmt.Fprintf(env.Stdout, "%04d  %-32s %s\n", m.Version, m.Name, state)
		}
		return nil
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, env.T("cli.migrate.applied", n, describeDSN(dsn)))
	return nil
}
