// Package sqlstoretest opens real, migrated, throw-away databases for tests: a SQLite
// file always, and a private PostgreSQL schema when MESH_TEST_POSTGRES is set.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"mesh/secret"
	"mesh/sqlstore"
)

// PostgresEnv names the variable holding a PostgreSQL URL for tests.
const PostgresEnv = "MESH_TEST_POSTGRES"

// Dialects lists the dialects to test here: always SQLite, PostgreSQL when configured.
func Dialects() []sqlstore.Dialect {
	if os.Getenv(PostgresEnv) != "" {
		return []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres}
	}
	return []sqlstore.Dialect{sqlstore.SQLite}
}

// Each runs fn as a subtest on a fresh database of every available dialect, and says
// once per test binary why PostgreSQL was skipped.
func Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// DSN returns a DSN for a fresh, empty database of dialect d (skipping the test when
// PostgreSQL is not configured). PostgreSQL gets its own schema, dropped at cleanup.
func DSN(t testing.TB, d sqlstore.Dialect) string {
	t.Helper()
	if d == sqlstore.SQLite {
		return filepath.Join(t.TempDir(), "mesh.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://user@127.0.0.1:5432/db?sslmode=disable to run them (.ci/run does)", PostgresEnv)
	}
	schema := "t_" + randomHex(6)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated database of dialect d, closed at cleanup.
func Open(t testing.TB, d sqlstore.Dialect) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), DSN(t, d))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if d == sqlstore.Postgres && db.Secrets.Env == "" {
		// A deployment on PostgreSQL supplies MESH_SECRET_KEY; a test gets its own key
		// (SQLite makes a key file beside the test database).
		k, _, err := secret.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		db.Secrets = secret.NewKeyring(k)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
