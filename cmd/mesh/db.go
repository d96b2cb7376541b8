package main

import (
	"context"
	"flag"
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

// openDB opens and migrates the database.
func openDB(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, failT("cli.err.open_database", describeDSN(dsn), err)
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
