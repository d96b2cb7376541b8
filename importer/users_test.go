package importer

import (
	"strings"
	"testing"

	"mesh/account"
)

func TestUsers(t *testing.T) {
	tab, err := Read("users.csv", strings.NewReader("Username;Role;Scope_Code;Scope_ID;Language\n"+
		"Alice;Facility_IC;RW-RWI;;RW\nbob;mentor;;;\ncarol;manager;RW;7;\ndan;supervisor;;x;\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, errs := Users(tab)
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	if u := rows[0].User; u.Role != account.FacilityIC || u.Language != "rw" || rows[0].ScopeCode != "RW-RWI" || u.Username != "Alice" {
		t.Errorf("row 2: %+v %q", u, rows[0].ScopeCode)
	}
	if rows[1].User.ScopeID != nil || rows[1].ScopeCode != "" {
		t.Errorf("row 3 has a scope: %+v", rows[1])
	}
	got := map[string]bool{}
	for _, e := range errs {
		got[e.Field()+" "+e.Code] = true
	}
	for _, want := range []string{"row 4, scope_code FIELD_NOT_APPLICABLE", "row 5, scope_id INVALID_FORMAT"} {
		if !got[want] {
			t.Errorf("no %q in %v", want, got)
		}
	}
	if len(errs) != 2 || HeaderOnly(errs) || len(Bad(errs)) != 2 {
		t.Errorf("errors %+v", errs)
	}
	// A password column is not a users column: files never carry passwords.
	tab, _ = Read("u.csv", strings.NewReader("username,role,password\nx,mentor,secret123\n"))
	if _, errs := Users(tab); len(errs) != 1 || errs[0].Column != "password" || !HeaderOnly(errs) {
		t.Errorf("password column: %+v", errs)
	}
}

// A mentor's facilities: codes split on ";" or ",", blanks dropped; on another role's
// row they are an error of that column.
func TestUsersFacilities(t *testing.T) {
	tab, err := Read("users.csv", strings.NewReader("username,role,facilities\n"+
		"m1,mentor,\"RW-RWI; RW-KAB,, RW-NDE \"\nm2,mentor,\ns1,supervisor,RW-RWI\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, errs := Users(tab)
	if len(rows) != 3 || strings.Join(rows[0].Facilities, "|") != "RW-RWI|RW-KAB|RW-NDE" || len(rows[1].Facilities) != 0 {
		t.Fatalf("rows %+v", rows)
	}
	if len(errs) != 1 || errs[0].Field() != "row 4, facilities" || errs[0].Code != "FIELD_NOT_APPLICABLE" {
		t.Errorf("errors %+v", errs)
	}
}
