package web

import (
	"context"
	"strings"
	"testing"

	"mesh/account"
	"mesh/sqlstore/sqlstoretest"
)

// TestImportUsersByAreaAdmin: an admin whose scope is a district imports users whose
// scope place is at or under it, mentors included, and updates the stored users of the
// district (a mentor by their assignments); every other row is reported with its row,
// column and rule.
func TestImportUsersByAreaAdmin(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newSecEnv(t, d, false)
			ctx := context.Background()
			sector, _ := e.db.FindOrgUnitByID(ctx, *e.in.ParentID)
			kayonza, _ := e.db.FindOrgUnitByID(ctx, *sector.ParentID)
			outSector, _ := e.db.FindOrgUnitByID(ctx, *e.out.ParentID)
			kirehe, _ := e.db.FindOrgUnitByID(ctx, *outSector.ParentID)
			hash, err := account.HashPassword("area-admin-password")
			if err != nil {
				t.Fatal(err)
			}
			areaAdmin := &account.User{Username: "admin.kayonza", Role: account.Admin, ScopeID: &kayonza.ID, PasswordHash: hash}
			if err := e.db.CreateUser(ctx, areaAdmin); err != nil {
				t.Fatal(err)
			}
			tok := e.session("admin.kayonza")

			file := "username,role,scope_code,language\n" +
				"new.mentor.kay,mentor," + kayonza.Code + ",rw\n" + // 2: created, in the district
				"new.ic.kay,facility," + e.in.Code + ",\n" + // 3: created, under it
				"new.mentor.kir,mentor," + kirehe.Code + ",\n" + // 4: another district
				"new.mentor.none,mentor,,\n" + // 5: no scope place: a mentor in no area of theirs
				"mentor.kayonza,mentor," + kayonza.Code + ",\n" + // 6: stored, assigned in Kayonza: updated
				"mentor.kirehe1,mentor," + kayonza.Code + ",\n" + // 7: stored, assigned in Kirehe only
				"admin,admin," + kayonza.Code + ",\n" + // 8: the national admin
				"supervisor.kirehe,supervisor," + kayonza.Code + ",\n" // 9: stored, scope in Kirehe
			r := e.upload(tok, "users", "users.csv", file)
			if r.Status != 200 {
				t.Fatalf("upload: %d %.2000s", r.Status, r.Body)
			}
			for _, want := range []string{
				"2 would be created, 1 updated",
				"5 rows have problems",
				"<td>4</td><td>scope_code</td><td>this record is outside your area</td>",
				"<td>5</td><td>scope_code</td><td>only an administrator of the whole country may import a user without a scope place: give scope_code or scope_id, in your area</td>",
				"<td>7</td><td>username</td><td>this record is outside your area</td>",
				"<td>8</td><td>username</td><td>this record is outside your area</td>",
				"<td>9</td><td>username</td><td>this record is outside your area</td>",
			} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("no %q in the report:\n%.5000s", want, r.Body)
				}
			}
			r = e.send("POST", "/import/confirm", tok, form("token", tokenOf(t, r.Body), "rows", "valid"), "")
			if r.Status != 200 || !strings.Contains(r.Body, "2 created, 1 updated") {
				t.Fatalf("confirm: %d %.3000s", r.Status, r.Body)
			}
			for name, want := range map[string]int64{"new.mentor.kay": kayonza.ID, "new.ic.kay": e.in.ID, "mentor.kayonza": kayonza.ID} {
				u, err := e.db.FindUserByUsername(ctx, name)
				if err != nil || u.ScopeID == nil || *u.ScopeID != want {
					t.Errorf("%s: %+v %v, want scope %d", name, u, err, want)
				}
			}
			for _, name := range []string{"new.mentor.kir", "new.mentor.none"} {
				if _, err := e.db.FindUserByUsername(ctx, name); err == nil {
					t.Errorf("%s was imported", name)
				}
			}
			for name, role := range map[string]account.Role{"admin": account.Admin, "mentor.kirehe1": account.Mentor, "supervisor.kirehe": account.Supervisor} {
				if u, _ := e.db.FindUserByUsername(ctx, name); u == nil || u.ScopeID != nil && *u.ScopeID == kayonza.ID || u.Role != role {
					t.Errorf("%s was changed: %+v", name, u)
				}
			}
			// The new mentor is in the district admin's user list (by their scope place),
			// and their area for records stays their assignments (none yet).
			list, _, err := e.db.FindUsers(ctx, account.UserFilter{Under: []string{kayonza.Path}})
			if err != nil {
				t.Fatal(err)
			}
			var listed bool
			for _, u := range list {
				listed = listed || u.Username == "new.mentor.kay"
			}
			if !listed {
				t.Errorf("new.mentor.kay is not in Kayonza's users")
			}
			u, _ := e.db.FindUserByUsername(ctx, "new.mentor.kay")
			if sc, err := e.db.ScopeOf(ctx, u); err != nil || sc.All || len(sc.Paths) != 0 {
				t.Errorf("a new mentor's area: %+v %v, want none until assigned", sc, err)
			}

			// A French report says the area rules in French.
			fr := "fr"
			if _, err := e.db.UpdateUser(ctx, areaAdmin.ID, account.UserUpdate{Language: &fr}); err != nil {
				t.Fatal(err)
			}
			e.authn.ForgetAll()
			r = e.upload(tok, "users", "users.csv", "username,role,scope_code\nx.kir,mentor,"+kirehe.Code+"\nx.none,mentor,\n")
			for _, want := range []string{"cet enregistrement est hors de votre zone", "seul un administrateur de tout le pays"} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("no %q in the French report:\n%.4000s", want, r.Body)
				}
			}
		})
	}
}
