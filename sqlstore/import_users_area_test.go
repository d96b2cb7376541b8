package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"mesh"
	"mesh/account"
	"mesh/demo"
	"mesh/importer"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// TestImportUsersMentorArea: for an import limited to a district, a stored mentor
// without a scope place is in it by an assignment not yet ended at one of its
// facilities, and only then.
func TestImportUsersMentorArea(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		list, _, err := db.FindOrgUnits(ctx, place.Filter{Query: "Rwinkwavu Health Centre"})
		if err != nil || len(list) != 1 {
			t.Fatalf("Rwinkwavu: %v", err)
		}
		hc := list[0]
		sector, _ := db.FindOrgUnitByID(ctx, *hc.ParentID)
		kayonza, _ := db.FindOrgUnitByID(ctx, *sector.ParentID)
		opt := sqlstore.ImportUsersOptions{ImportOptions: sqlstore.ImportOptions{DryRun: true, ValidRows: true,
			Allow: func(path string) error {
				if path != "" && strings.HasPrefix(path, kayonza.Path) {
					return nil
				}
				return mesh.Errorf(mesh.EFORBIDDEN, "this record is outside your area")
			}}}
		row := func(username string) []importer.UserRow {
			return []importer.UserRow{{Row: 2, ScopeCode: kayonza.Code,
				User: account.User{Username: username, Role: account.Mentor, DisplayName: "Renamed " + username}}}
		}
		check := func(what, username string, allowed bool) {
			t.Helper()
			rep, err := db.ImportUsers(ctx, row(username), opt)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if allowed && (rep.Updated != 1 || len(rep.Rejected) != 0) {
				t.Errorf("%s: %+v, want updated", what, rep)
			}
			if !allowed && (rep.Updated != 0 || len(rep.Rejected) != 1 || rep.Rejected[0].Column != "username" || rep.Rejected[0].Code != "FORBIDDEN") {
				t.Errorf("%s: %+v, want refused on username", what, rep)
			}
		}
		check("assigned in Kayonza", "mentor.kayonza", true)
		check("assigned in Kirehe", "mentor.kirehe1", false)

		// Every Kayonza assignment ended: no longer in the district.
		kay, _ := db.FindUserByUsername(ctx, "mentor.kayonza")
		as, _, err := db.FindAssignments(ctx, account.AssignmentFilter{MentorID: &kay.ID})
		if err != nil || len(as) == 0 {
			t.Fatalf("assignments: %d %v", len(as), err)
		}
		for _, a := range as {
			if _, err := db.EndAssignment(ctx, a.ID, "2020-01-01"); err != nil {
				t.Fatal(err)
			}
		}
		check("assignments ended", "mentor.kayonza", false)

		// A Kirehe mentor also assigned (from next year) to a Kayonza facility is in it.
		kir, _ := db.FindUserByUsername(ctx, "mentor.kirehe1")
		if err := db.CreateAssignment(ctx, &account.Assignment{MentorID: kir.ID, FacilityID: hc.ID, StartOn: "2099-01-01"}); err != nil {
			t.Fatal(err)
		}
		check("also assigned in Kayonza", "mentor.kirehe1", true)
	})
}
