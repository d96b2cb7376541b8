package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"mesh"
	"mesh/account"
	"mesh/audit"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
)

func ptr[T any](v T) *T { return &v }

// tree makes country > district > facility and returns them.
func tree(t *testing.T, db *sqlstore.DB) (country, district, facility *place.OrgUnit) {
	t.Helper()
	ctx := context.Background()
	country = &place.OrgUnit{Name: "Rwanda", Type: place.Country, Code: "RW"}
	must(t, db.CreateOrgUnit(ctx, country))
	district = &place.OrgUnit{Name: "Kayonza", Type: place.District, ParentID: &country.ID}
	must(t, db.CreateOrgUnit(ctx, district))
	facility = &place.OrgUnit{Name: "Rwinkwavu HC", Type: place.Facility, ParentID: &district.ID, DHIS2UID: "a1234567890"}
	must(t, db.CreateOrgUnit(ctx, facility))
	return
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := mesh.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

func TestOrgUnits(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		country, district, facility := tree(t, db)
		want := "/" + itoa(country.ID) + "/" + itoa(district.ID) + "/" + itoa(facility.ID) + "/"
		if facility.Path != want {
			t.Fatalf("path %q, want %q", facility.Path, want)
		}
		got, err := db.FindOrgUnitByID(ctx, facility.ID)
		must(t, err)
		if got.Path != want || got.TimeZone != "Africa/Kigali" || got.CadenceDays != 42 || got.MalariaRisk != "low" || got.DHIS2UID != "a1234567890" {
			t.Fatalf("stored facility %+v", got)
		}
		// Scope filter: under the district finds the district and the facility only.
		list, total, err := db.FindOrgUnits(ctx, place.Filter{Under: []string{district.Path}})
		must(t, err)
		if total != 2 || len(list) != 2 {
			t.Fatalf("under district: %d places", total)
		}
		// An empty scope sees nothing.
		if _, total, _ := db.FindOrgUnits(ctx, place.Filter{Under: []string{}}); total != 0 {
			t.Fatalf("empty scope sees %d", total)
		}
		// Bad input: every problem named, nothing written.
		bad := &place.OrgUnit{Name: "", Type: "village", DHIS2UID: "1bad", CadenceDays: -3}
		err = db.CreateOrgUnit(ctx, bad)
		wantCode(t, err, mesh.EINVALID)
		fields := map[string]bool{}
		for _, f := range mesh.ErrorFields(err) {
			fields[f.Field] = true
		}
		for _, f := range []string{"name", "type", "dhis2_uid", "cadence_days"} {
			if !fields[f] {
				t.Errorf("no error for %s in %v", f, mesh.ErrorFields(err))
			}
		}
		// A facility cannot hold a district.
		wantCode(t, db.CreateOrgUnit(ctx, &place.OrgUnit{Name: "X", Type: place.District, ParentID: &facility.ID}), mesh.EINVALID)
		// Duplicate DHIS2 uid is a conflict.
		wantCode(t, db.CreateOrgUnit(ctx, &place.OrgUnit{Name: "Y", Type: place.Facility, ParentID: &district.ID, DHIS2UID: "a1234567890"}), mesh.ECONFLICT)
		// Update with a stale version is a conflict; with the right one it works.
		_, err = db.UpdateOrgUnit(ctx, facility.ID, place.Update{Name: ptr("Renamed"), Version: ptr(99)})
		wantCode(t, err, mesh.ECONFLICT)
		up, err := db.UpdateOrgUnit(ctx, facility.ID, place.Update{Name: ptr("Rwinkwavu Health Centre"), MalariaRisk: ptr("high"), Version: ptr(1)})
		must(t, err)
		if up.Version != 2 || up.MalariaRisk != "high" {
			t.Fatalf("updated %+v", up)
		}
		_, err = db.FindOrgUnitByID(ctx, 424242)
		wantCode(t, err, mesh.ENOTFOUND)
		// Every write is audited with what changed.
		entries, _, err := db.FindAuditEntries(ctx, audit.Filter{Entity: "orgunit", EntityID: itoa(facility.ID)})
		must(t, err)
		if len(entries) != 2 || entries[0].Action != "update" || !contains(string(entries[0].Changes), "Rwinkwavu Health Centre") {
			t.Fatalf("audit entries %+v", entries)
		}
	})
}

func TestHealthWorkerHistory(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, district, facility := tree(t, db)
		other := &place.OrgUnit{Name: "Nyamirama HC", Type: place.Facility, ParentID: &district.ID}
		must(t, db.CreateOrgUnit(ctx, other))
		h := &staff.HealthWorker{Name: "Alice U.", Cadre: "A2", FacilityID: facility.ID, IMCITrainedOn: "2010-03-01", StartOn: "2009-01-05"}
		must(t, db.CreateHealthWorker(ctx, h))
		moved, err := db.UpdateHealthWorker(ctx, h.ID, staff.Update{FacilityID: &other.ID, MoveOn: "2011-06-01", Version: ptr(1)})
		must(t, err)
		if moved.FacilityID != other.ID || moved.StartOn != "2011-06-01" || len(moved.Postings) != 2 {
			t.Fatalf("moved %+v", moved)
		}
		if p := moved.Postings[0]; p.FacilityID != facility.ID || p.EndOn != "2011-05-31" {
			t.Fatalf("first posting not closed: %+v", p)
		}
		// The worker now counts at the new facility only.
		list, _, err := db.FindHealthWorkers(ctx, staff.Filter{FacilityID: &facility.ID})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("worker still listed at old facility")
		}
		// Moving to a district is refused, naming the field.
		_, err = db.UpdateHealthWorker(ctx, h.ID, staff.Update{FacilityID: &district.ID, MoveOn: "2012-01-01"})
		wantCode(t, err, mesh.EINVALID)
		if f := mesh.ErrorFields(err); len(f) != 1 || f[0].Field != "facility_id" {
			t.Fatalf("fields %v", f)
		}
		err = db.CreateHealthWorker(ctx, &staff.HealthWorker{Name: "B", Cadre: "A9", FacilityID: facility.ID, IMCITrainedOn: "2010-13-01"})
		wantCode(t, err, mesh.EINVALID)
		if len(mesh.ErrorFields(err)) != 2 {
			t.Fatalf("want cadre and imci_trained_on errors, got %v", mesh.ErrorFields(err))
		}
	})
}

func TestUsersScopesSessions(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
		_, district, facility := tree(t, db)
		hash, err := account.HashPassword("correct horse battery")
		must(t, err)
		sup := &account.User{Username: "Sup1", Role: account.Supervisor, ScopeID: &district.ID, PasswordHash: hash}
		must(t, db.CreateUser(ctx, sup))
		if sup.Username != "sup1" {
			t.Fatalf("username not normalized: %q", sup.Username)
		}
		wantCode(t, db.CreateUser(ctx, &account.User{Username: "sup1", Role: account.Mentor, PasswordHash: hash}), mesh.ECONFLICT)
		// A supervisor's scope must be a district.
		wantCode(t, db.CreateUser(ctx, &account.User{Username: "sup2", Role: account.Supervisor, ScopeID: &facility.ID, PasswordHash: hash}), mesh.EINVALID)
		mentor := &account.User{Username: "mentor1", Role: account.Mentor, PasswordHash: hash}
		must(t, db.CreateUser(ctx, mentor))
		s, err := db.ScopeOf(ctx, mentor)
		must(t, err)
		if s.All || len(s.Paths) != 0 || s.Contains(facility.Path) {
			t.Fatalf("unassigned mentor scope %+v", s)
		}
		a := &account.Assignment{MentorID: mentor.ID, FacilityID: facility.ID, StartOn: "2026-01-01"}
		must(t, db.CreateAssignment(ctx, a))
		s, err = db.ScopeOf(ctx, mentor)
		must(t, err)
		if !s.Contains(facility.Path) || s.Contains(district.Path) {
			t.Fatalf("assigned mentor scope %+v", s)
		}
		// The supervisor's user list includes the mentor through the assignment.
		users, _, err := db.FindUsers(ctx, account.UserFilter{Under: []string{district.Path}})
		must(t, err)
		if len(users) != 2 {
			t.Fatalf("users in district: %d", len(users))
		}
		_, err = db.EndAssignment(ctx, a.ID, "2026-06-30")
		must(t, err)
		s, _ = db.ScopeOf(ctx, mentor)
		if s.Contains(facility.Path) {
			t.Fatalf("ended assignment still in scope")
		}
		// Sessions: found while live, gone after a password change.
		tok, th, err := account.NewToken()
		must(t, err)
		must(t, db.CreateSession(ctx, &account.Session{TokenHash: th, UserID: sup.ID, Kind: "session", ExpiresAt: db.Now().Add(time.Hour)}))
		if _, u, err := db.FindSession(ctx, account.HashToken(tok)); err != nil || u.ID != sup.ID {
			t.Fatalf("session lookup: %v", err)
		}
		newHash, _ := account.HashPassword("another long password")
		_, err = db.UpdateUser(ctx, sup.ID, account.UserUpdate{PasswordHash: &newHash})
		must(t, err)
		_, _, err = db.FindSession(ctx, th)
		wantCode(t, err, mesh.EUNAUTHORIZED)
		// Login failures are counted per user and per address.
		must(t, db.RecordLogin(ctx, "sup1", "10.0.0.1", false))
		must(t, db.RecordLogin(ctx, "sup1", "10.0.0.2", false))
		byUser, byIP, err := db.RecentLoginFailures(ctx, "sup1", "10.0.0.1", db.Now().Add(-time.Minute))
		must(t, err)
		if byUser != 2 || byIP != 1 {
			t.Fatalf("failures by user %d by ip %d", byUser, byIP)
		}
	})
}

func itoa(n int64) string { return place.ChildPath("", n)[1 : len(place.ChildPath("", n))-1] }

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
