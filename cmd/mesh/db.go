package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"

	"mesh/sqlstore"
)

// dbFlag adds the --db flag: a SQLite file path or a postgres:// URL (env MESH_DB).
func dbFlag(fs *flag.FlagSet, env *Env, dsn *string) {
	fs.StringVar(dsn, "db", envOr(env, "MESH_DB", "mesh.db"), "database: a SQLite file path or a postgres:// URL (env MESH_DB)")
}

func envOr(env *Env, name, def string) string {
	if v := env.Getenv(name); v != "" {
		return v
	}
	return def
}

// openDB opens and migrates the database; a long data step of the migration reports
// its progress on env's stderr (env may be nil: no progress).
func openDB(ctx context.Context, env *Env, dsn string) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, failT("cli.err.open_database", describeDSN(dsn), err)
	}
	if env != nil {
		db.BackfillProgress = backfillProgress(env)
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// describeDSN names a database without its password.
func describeDSN(dsn string) string {
	if sqlstore.DialectOf(dsn) == sqlstore.SQLite {
		return dsn + " (SQLite)"
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres (PostgreSQL)"
	}
	return u.Redacted() + " (PostgreSQL)"
}

// backfillProgress prints a data step's progress on stderr at every tenth of the way,
// for steps long enough to be worth it (a demo database's few thousand rows are not).
func backfillProgress(env *Env) func(step string, done, total int) {
	const worthIt = 20000
	shown := 0
	return func(step string, done, total int) {
		if total < worthIt || done*10/total == shown*10/total && done < total {
			return
		}
		shown = done
		fmt.Fprintln(env.Stderr, "mesh: "+env.T("cli.migrate.backfill", env.T("cli.migrate.backfill."+step), env.N(done), env.N(total)))
	}
}
