package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mesh/account"
	"mesh/audit"
	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
)

// TestImportUsers creates accounts from a file with their initial passwords in a new
// 0600 file (the passwords log in), then updates them from a corrected file without
// touching their passwords, on SQLite and on PostgreSQL when configured.
func TestImportUsers(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, d)
			if st, _, stderr := runCLI(t, "", "migrate", "--db", dsn); st != 0 {
				t.Fatalf("migrate: %d %s", st, stderr)
			}
			places := writeFile(t, "places.csv", "name,type,parent_code,code\nRwanda,country,,RW\nEast,province,RW,RW-E\n"+
				"Kayonza,district,RW-E,RW-E-KAY\nKabarondo,sector,RW-E-KAY,RW-E-KAY-KAB\nRwinkwavu HC,facility,RW-E-KAY-KAB,RW-RWI\n")
			if st, out, stderr := runCLI(t, "", "import", "places", places, "--db", dsn); st != 0 {
				t.Fatalf("places: %d %s %s", st, out, stderr)
			}
			users := writeFile(t, "users.csv", "username,role,scope_code,language,display_name\n"+
				"Alice.M,manager,RW,fr,Alice M\nsup.kay,supervisor,RW-E-KAY,,\nic.rwi,facility_ic,RW-RWI,rw,\nmentor1,mentor,,en,Mentor One\n")
			pwFile := filepath.Join(t.TempDir(), "passwords.csv")

			// Without --passwords-out a file that creates users is refused, and nothing is saved.
			if st, _, stderr := runCLI(t, "", "import", "users", users, "--db", dsn); st != 2 || !strings.Contains(stderr, "passwords-out") {
				t.Fatalf("no --passwords-out: %d %s", st, stderr)
			}
			db := openTestDB(t, dsn)
			ctx := context.Background()
			if _, n, _ := db.FindUsers(ctx, account.UserFilter{}); n != 0 {
				t.Fatalf("refused import saved %d users", n)
			}
			st, out, stderr := runCLI(t, "", "import", "users", users, "--passwords-out", pwFile, "--db", dsn)
			if st != 0 || !strings.Contains(out, "4 created") || !strings.Contains(out, pwFile) {
				t.Fatalf("users: %d %q %s", st, out, stderr)
			}
			fi, err := os.Stat(pwFile)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("passwords file %v mode %v, want 0600", err, fi.Mode())
			}
			f, _ := os.Open(pwFile)
			recs, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil || len(recs) != 5 || recs[0][0] != "username" {
				t.Fatalf("passwords file %v %q", err, recs)
			}
			pw := map[string]string{}
			for _, r := range recs[1:] {
				pw[r[0]] = r[1]
				if len(r[1]) < 16 {
					t.Errorf("%s: initial password %q is short", r[0], r[1])
				}
			}
			for _, name := range []string{"alice.m", "sup.kay", "ic.rwi", "mentor1"} {
				u, err := db.FindUserByUsername(ctx, name)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !account.CheckPassword(u.PasswordHash, pw[name]) {
					t.Errorf("%s: the written password does not log in", name)
				}
			}
			ic, _ := db.FindUserByUsername(ctx, "ic.rwi")
			if ic.Role != account.FacilityIC || ic.Language != "rw" || ic.ScopeID == nil {
				t.Errorf("in-charge imported as %+v", ic)
			}
			// The passwords file is never overwritten.
			if st, _, stderr := runCLI(t, "", "import", "users", users, "--passwords-out", pwFile, "--db", dsn); st != 2 || !strings.Contains(stderr, "already exists") {
				t.Fatalf("existing passwords file: %d %s", st, stderr)
			}
			// Importing again changes nothing and needs no passwords file.
			if st, out, stderr := runCLI(t, "", "import", "users", users, "--db", dsn); st != 0 || !strings.Contains(out, "0 created, 0 updated, 4 unchanged") {
				t.Fatalf("again: %d %q %s", st, out, stderr)
			}
			// A corrected file updates role, scope and language; the password stays.
			before, _ := db.FindUserByUsername(ctx, "sup.kay")
			users2 := writeFile(t, "users2.csv", "username,role,scope_code,language\nsup.kay,facility,RW-RWI,fr\n")
			if st, out, stderr := runCLI(t, "", "import", "users", users2, "--db", dsn); st != 0 || !strings.Contains(out, "0 created, 1 updated") {
				t.Fatalf("update: %d %q %s", st, out, stderr)
			}
			after, _ := db.FindUserByUsername(ctx, "sup.kay")
			if after.Role != account.FacilityIC || after.Language != "fr" || after.PasswordHash != before.PasswordHash || after.Version != before.Version+1 {
				t.Errorf("updated user %+v (before %+v)", after, before)
			}
			entries, _, err := db.FindAuditEntries(ctx, audit.Filter{Entity: "user", Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			imports := 0
			for _, e := range entries {
				if e.Action == "import" {
					imports++
					if strings.Contains(string(e.Changes), "argon2") || strings.Contains(string(e.Changes), pw["sup.kay"]) {
						t.Errorf("audit entry shows a password: %s", e.Changes)
					}
				}
			}
			if imports != 5 {
				t.Errorf("%d user import audit entries, want 5 (4 created, 1 updated)", imports)
			}
			// Bad rows: each named with row and column, nothing saved, no passwords file.
			bad := writeFile(t, "bad.csv", "username,role,scope_code,language\nnew.one,mentor,,en\nx,boss,,\nsup2,supervisor,RW-RWI,\nmgr2,manager,NOPE,de\nnew.one,mentor,,\n")
			pw2 := filepath.Join(t.TempDir(), "pw2.csv")
			st, _, stderr = runCLI(t, "", "import", "users", bad, "--passwords-out", pw2, "--db", dsn)
			for _, want := range []string{"row 3, username:", "row 3, role:", "row 4, scope_code:", "row 5, scope_code:", "row 6, username:"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("no %q in:\n%s", want, stderr)
				}
			}
			if st != 2 {
				t.Errorf("bad users file: exit %d", st)
			}
			if _, err := os.Stat(pw2); err == nil {
				t.Errorf("a refused import left a passwords file")
			}
			// --valid-rows imports row 2 only and lists the others; exit 0.
			st, out, stderr = runCLI(t, "", "import", "users", bad, "--valid-rows", "--passwords-out", pw2, "--db", dsn)
			if st != 0 || !strings.Contains(out, "1 created") || !strings.Contains(out, "4 rows were not imported") || !strings.Contains(out, "row 4, scope_code:") {
				t.Fatalf("valid rows: %d %q %s", st, out, stderr)
			}
			if _, err := db.FindUserByUsername(ctx, "new.one"); err != nil {
				t.Errorf("valid row not imported: %v", err)
			}
		})
	}
}

// TestImportValidRows imports the valid rows of places and staff files, reporting
// the others: a row under a parent on a rejected row is itself rejected, naming it.
func TestImportValidRows(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, d)
			if st, _, stderr := runCLI(t, "", "migrate", "--db", dsn); st != 0 {
				t.Fatalf("migrate: %d %s", st, stderr)
			}
			places := writeFile(t, "places.csv", "name,type,parent_code,code,cadence_days\n"+
				"Rwanda,country,,RW,\nEast,province,RW,RW-E,\n"+
				"Kayonza,district,RW-E,RW-E-KAY,\n"+
				",district,RW-E,RW-E-KIR,\n"+ // row 5: no name
				"Nyarubuye,sector,RW-E-KIR,RW-E-KIR-NYA,\n"+ // row 6: parent on row 5
				"Kabarondo,sector,RW-E-KAY,RW-E-KAY-KAB,x\n"+ // row 7: cadence unreadable
				"Rwinkwavu HC,facility,RW-E-KAY-KAB,RW-RWI,\n"+ // row 8: parent on row 7
				"Gahini,sector,RW-E-KAY,RW-E-KAY-GAH,\n"+
				"Gahini HC,facility,RW-E-KAY-GAH,RW-GAH,\n")
			st, _, stderr := runCLI(t, "", "import", "places", places, "--db", dsn)
			if st != 2 || countPlaces(t, dsn) != 0 {
				t.Fatalf("all or nothing: %d %s", st, stderr)
			}
			st, out, stderr := runCLI(t, "", "import", "places", places, "--valid-rows", "--db", dsn)
			for _, want := range []string{"5 created", "4 rows were not imported", "row 5, name:", "row 6, parent_code: the parent RW-E-KIR is on row 5, which was not imported",
				"row 7, cadence_days:", "row 8, parent_code: the parent RW-E-KAY-KAB is on row 7, which was not imported"} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in:\n%s", want, out)
				}
			}
			if st != 0 {
				t.Fatalf("valid rows: exit %d %s", st, stderr)
			}
			db := openTestDB(t, dsn)
			ctx := context.Background()
			if n := countPlaces(t, dsn); n != 5 {
				t.Fatalf("%d places stored, want 5", n)
			}
			// Again with the valid rows: they are unchanged, the bad ones reported again.
			if st, out, _ := runCLI(t, "", "import", "places", places, "--valid-rows", "--db", dsn); st != 0 || !strings.Contains(out, "0 created, 0 updated, 5 unchanged") {
				t.Fatalf("again: %d %q", st, out)
			}
			// A file with no valid row imports nothing: exit 2.
			none := writeFile(t, "none.csv", "name,type,parent_code\n,district,RW-E\n")
			if st, _, stderr := runCLI(t, "", "import", "places", none, "--valid-rows", "--db", dsn); st != 2 || !strings.Contains(stderr, "row 2, name:") {
				t.Fatalf("no valid row: %d %s", st, stderr)
			}
			// A header problem is never partly imported.
			hdr := writeFile(t, "hdr.csv", "name,typo\nX,district\n")
			if st, _, stderr := runCLI(t, "", "import", "places", hdr, "--valid-rows", "--db", dsn); st != 2 || !strings.Contains(stderr, "row 1, typo:") {
				t.Fatalf("bad header: %d %s", st, stderr)
			}
			// Staff: the valid rows go in, the bad cadre is reported.
			staffFile := writeFile(t, "staff.csv", "name,cadre,facility_code\nUwase Marie,A1,RW-E-KAY\nHabimana Jean,B9,RW-E-KAY\nMukamana Alice,A2,NOPE\n")
			// RW-E-KAY is a district: every row is bad, nothing imported.
			if st, _, _ := runCLI(t, "", "import", "health-workers", staffFile, "--valid-rows", "--db", dsn); st != 2 {
				t.Fatalf("staff at a district: exit %d", st)
			}
			fac := "RW-GAH"
			staffFile = writeFile(t, "staff2.csv", "name,cadre,facility_code\nUwase Marie,A1,"+fac+"\nHabimana Jean,B9,"+fac+"\nMukamana Alice,A2,NOPE\n")
			st, out, stderr = runCLI(t, "", "import", "health-workers", staffFile, "--valid-rows", "--db", dsn)
			if st != 0 || !strings.Contains(out, "1 created") || !strings.Contains(out, "row 3, cadre:") || !strings.Contains(out, "row 4, facility_code:") {
				t.Fatalf("staff valid rows: %d %q %s", st, out, stderr)
			}
			if _, n, _ := db.FindHealthWorkers(ctx, staff.Filter{Limit: 1}); n != 1 {
				t.Fatalf("%d workers stored, want 1", n)
			}
		})
	}
}
