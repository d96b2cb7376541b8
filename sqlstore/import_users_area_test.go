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

// A mentor's row may list facility codes: each becomes an assignment from the day of
// the import, once (the same file again changes nothing); a code that is not a
// facility, facilities on another role's row, or (for an admin limited to a
// district) a facility outside it leave the row out with its reason; and such an
// admin may import a mentor without a scope place whose facilities are in the area.
func TestImportUsersAssignsFacilities(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := mesh.WithActor(context.Background(), mesh.System)
		if _, err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		fac := place.Facility
		facilities, _, err := db.FindOrgUnits(ctx, place.Filter{Type: &fac, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		district := districtOf(t, db, "Rwinkwavu Health Centre")
		kayonza, kirehe := district.Path, ""
		var inK, outK []*place.OrgUnit
		for _, f := range facilities {
			if f.Code == "" {
				continue
			}
			if strings.HasPrefix(f.Path, kayonza) {
				inK = append(inK, f)
			} else {
				outK = append(outK, f)
				kirehe = f.Code
			}
		}
		if len(inK) < 2 || kirehe == "" {
			t.Fatalf("demo facilities with codes: %d in Kayonza, other %q", len(inK), kirehe)
		}
		if district.Code == "" {
			t.Fatalf("district %+v has no code", district)
		}
		row := func(n int, username string, role account.Role, codes ...string) importer.UserRow {
			return importer.UserRow{Row: n, Facilities: codes, User: account.User{Username: username, Role: role}}
		}
		national := sqlstore.ImportUsersOptions{SavePasswords: func([]sqlstore.NewPassword) error { return nil }}
		rep, err := db.ImportUsers(ctx, []importer.UserRow{row(2, "mentor.new", account.Mentor, inK[0].Code, inK[1].Code)}, national)
		if err != nil || rep.Created != 1 {
			t.Fatalf("create: %+v, %v", rep, err)
		}
		assigned := func(username string) map[int64]account.Assignment {
			u, err := db.FindUserByUsername(ctx, username)
			if err != nil {
				t.Fatal(err)
			}
			as, _, err := db.FindAssignments(ctx, account.AssignmentFilter{MentorID: &u.ID})
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]account.Assignment{}
			for _, a := range as {
				out[a.FacilityID] = *a
			}
			return out
		}
		got := assigned("mentor.new")
		today := mesh.Date(db.Now().UTC().Format("2006-01-02"))
		if len(got) != 2 || got[inK[0].ID].StartOn != today || got[inK[1].ID].EndOn != "" {
			t.Fatalf("assignments %+v, want two from %s", got, today)
		}
		// Again: nothing new. A third facility added: one more, the others kept.
		if rep, err = db.ImportUsers(ctx, []importer.UserRow{row(2, "mentor.new", account.Mentor, inK[0].Code, inK[1].Code)}, national); err != nil || rep.Unchanged != 1 {
			t.Fatalf("again: %+v, %v", rep, err)
		}
		if rep, err = db.ImportUsers(ctx, []importer.UserRow{row(2, "mentor.new", account.Mentor, inK[0].Code, kirehe)}, national); err != nil || rep.Updated != 1 {
			t.Fatalf("one more: %+v, %v", rep, err)
		}
		if got := assigned("mentor.new"); len(got) != 3 {
			t.Fatalf("%d assignments, want 3", len(got))
		}

		// Bad rows, valid rows only: each left out with its column and reason.
		opt := national
		opt.ValidRows = true
		rep, err = db.ImportUsers(ctx, []importer.UserRow{
			row(2, "mentor.bad1", account.Mentor, "NO-SUCH-CODE"),
			row(3, "mentor.bad2", account.Mentor, district.Code),
			row(4, "mentor.good", account.Mentor, inK[0].Code),
		}, opt)
		if err != nil || rep.Created != 1 || len(rep.Rejected) != 2 {
			t.Fatalf("valid rows: %+v, %v", rep, err)
		}
		for i, code := range []string{"NOT_FOUND", "INVALID_TYPE"} {
			if e := rep.Rejected[i]; e.Column != "facilities" || e.Code != code {
				t.Errorf("rejected %d: %+v, want %s on facilities", i, e, code)
			}
		}
		if _, err := db.FindUserByUsername(ctx, "mentor.bad1"); mesh.ErrorCode(err) != mesh.ENOTFOUND {
			t.Errorf("a refused row's user was created: %v", err)
		}

		// An admin limited to Kayonza.
		area := sqlstore.ImportUsersOptions{SavePasswords: national.SavePasswords, ImportOptions: sqlstore.ImportOptions{ValidRows: true,
			Allow: func(path string) error {
				if path != "" && strings.HasPrefix(path, kayonza) {
					return nil
				}
				return mesh.Errorf(mesh.EFORBIDDEN, "this record is outside your area")
			}}}
		rep, err = db.ImportUsers(ctx, []importer.UserRow{
			row(2, "mentor.area1", account.Mentor, inK[1].Code),
			row(3, "mentor.area2", account.Mentor, inK[1].Code, outK[0].Code),
			row(4, "mentor.area3", account.Mentor),
		}, area)
		if err != nil || rep.Created != 1 || len(rep.Rejected) != 2 ||
			rep.Rejected[0].Column != "facilities" || rep.Rejected[0].Code != "FORBIDDEN" || rep.Rejected[1].Code != "FORBIDDEN" {
			t.Fatalf("area admin: %+v, %v", rep, err)
		}
		if got := assigned("mentor.area1"); len(got) != 1 {
			t.Errorf("area mentor: %d assignments", len(got))
		}
	})
}

// districtOf is the district of the named facility.
func districtOf(t *testing.T, db *sqlstore.DB, facility string) *place.OrgUnit {
	t.Helper()
	ctx := context.Background()
	list, _, err := db.FindOrgUnits(ctx, place.Filter{Query: facility})
	if err != nil || len(list) != 1 {
		t.Fatalf("%s: %d, %v", facility, len(list), err)
	}
	sector, _ := db.FindOrgUnitByID(ctx, *list[0].ParentID)
	district, _ := db.FindOrgUnitByID(ctx, *sector.ParentID)
	return district
}
