package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// Both dialect folders must hold the same migrations, so neither database falls behind.
func TestMigrationFoldersInStep(t *testing.T) {
	lite, err := sqlstore.Migrations(sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := sqlstore.Migrations(sqlstore.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
		if a, b := tableNames(lite[i].SQL), tableNames(pg[i].SQL); strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("migration %04d creates different tables: sqlite %v, postgres %v", lite[i].Version, a, b)
		}
	}
}

func tableNames(sql string) []string {
	var out []string
	for _, line := range strings.Split(sql, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "CREATE TABLE "); ok {
			out = append(out, strings.Fields(rest)[0])
		}
	}
	return out
}

func TestMigrateIsIdempotentAndRefusesNewerSchema(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d (err %v), want 0", n, err)
		}
		st, err := db.MigrationStatus(ctx)
		if err != nil || len(st) == 0 || st[0].AppliedAt == nil {
			t.Fatalf("status %+v, %v", st, err)
		}
		if ok, err := db.SchemaCurrent(ctx); !ok || err != nil {
			t.Fatalf("SchemaCurrent = %v, %v", ok, err)
		}
		if _, err := db.ExecForTest(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', CURRENT_TIMESTAMP)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err == nil || !strings.Contains(err.Error(), "newer than this program knows") {
			t.Fatalf("migrate on a newer schema: %v", err)
		}
	})
}
