package dhis2_test

import (
	"bytes"
	"context"
	"testing"
	"unicode/utf8"

	"mesh"
	"mesh/dhis2"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// FuzzImportOrgUnits feeds arbitrary bytes to the DHIS2 org-unit import (`mesh dhis2
// orgunits import`): the metadata decoder, then a dry run of the import into a real
// SQLite database holding one stored place. Broken files, unknown parents, parent
// cycles, duplicate uids and codes must all come back as one EINVALID naming the unit
// and field, never a panic, a hang or an internal error; and a dry run writes nothing.
func FuzzImportOrgUnits(f *testing.F) {
	for _, s := range []string{
		`{"organisationUnits":[{"id":"ImspTQPwCqd","name":"Rwanda","level":1},
			{"id":"O6uvpzGd5pu","name":"East","level":2,"parent":{"id":"ImspTQPwCqd"}},
			{"id":"fdc6uOvgoji","name":"Kayonza","code":"KAY","level":3,"parent":{"id":"O6uvpzGd5pu"}},
			{"id":"lc3eMKXaEfw","name":"Rwinkwavu","level":5,"parent":{"id":"fdc6uOvgoji"}}]}`,
		`{"organisationUnits":[{"id":"aaaaaaaaaa1","name":"A","level":2,"parent":{"id":"bbbbbbbbbb1"}},
			{"id":"bbbbbbbbbb1","name":"B","level":4,"parent":{"id":"aaaaaaaaaa1"}}]}`,
		`{"organisationUnits":[{"id":"aaaaaaaaaa1","name":"A","level":1},{"id":"aaaaaaaaaa1","name":"A","level":1}]}`,
		`{"organisationUnits":[{"id":"aaaaaaaaaa1","name":"","code":"RW","level":1},{"id":"x","level":-3}]}`,
		`{"organisationUnits":[{"id":"cccccccccc1","name":"Under stored","level":3,"parent":{"id":"StoredCtry1"}}]}`,
		`{"organisationUnits":null}`, `{}`, `[]`, ``, `{"organisationUnits":[{"parent":{}}]}`,
	} {
		f.Add([]byte(s), "1=country,2=province,3=district,4=sector,5=facility")
	}
	f.Add([]byte(`{"organisationUnits":[{"id":"aaaaaaaaaa1","name":"A","level":5}]}`), "5=facility")
	f.Add([]byte(`{"organisationUnits":[]}`), "x=country, 0=facility,,")

	db := sqlstoretest.Open(f, sqlstore.SQLite)
	ctx := mesh.WithActor(context.Background(), mesh.System)
	if err := db.CreateOrgUnit(ctx, &place.OrgUnit{Name: "Stored country", Type: place.Country, DHIS2UID: "StoredCtry1", Code: "RW"}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, levelSpec string) {
		levels, err := dhis2.ParseLevels(levelSpec)
		if err != nil {
			mustBeInvalid(t, err)
			levels = dhis2.DefaultLevels
		}
		units, err := dhis2.DecodeOrgUnits(bytes.NewReader(data))
		if err != nil {
			mustBeInvalid(t, err)
			return
		}
		rep, err := db.ImportDHIS2OrgUnits(ctx, units, levels, true)
		if err != nil {
			mustBeInvalid(t, err)
			return
		}
		if n := rep.Created + rep.Updated + rep.Unchanged + rep.Skipped; n != len(units) {
			t.Fatalf("report %+v accounts for %d of %d units", rep, n, len(units))
		}
		if _, n, err := db.FindOrgUnits(ctx, place.Filter{}); err != nil || n != 1 {
			t.Fatalf("a dry run wrote places: %d stored (%v)", n, err)
		}
	})
}

func mustBeInvalid(t *testing.T, err error) {
	t.Helper()
	if mesh.ErrorCode(err) != mesh.EINVALID {
		t.Fatalf("refusal is not EINVALID: %v (%s)", err, mesh.ErrorCode(err))
	}
	fields := mesh.ErrorFields(err)
	if len(fields) == 0 {
		t.Fatalf("refusal without fields: %v", err)
	}
	for _, fe := range fields {
		if fe.Code == "" || fe.Field == "" || fe.Message == "" || !utf8.ValidString(fe.Message) {
			t.Fatalf("incomplete field error %+v", fe)
		}
	}
}
