package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"mesh/sqlstore/sqlstoretest"
)

// TestSecuritySyncRecordMatrix is the authorization matrix inside POST /api/v1/sync:
// one route, but it carries every kind of record a device writes, each checked as its
// own endpoint checks it. Every record type × role × in/out of area: stored, or
// refused for that record alone ("invalid" with FORBIDDEN) and not stored.
func TestSecuritySyncRecordMatrix(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			n := 500
			next := func() string { n++; return uuid(n) }
			fac := func(in bool) int64 {
				if in {
					return f.in.ID
				}
				return f.out.ID
			}
			// Visits the observations hang on, made by each area's own mentor.
			visits := map[bool]string{true: next(), false: next()}
			for in, id := range visits {
				m := map[bool]string{true: "mentor.kayonza", false: "mentor.kirehe1"}[in]
				f.must(t, m, "POST", "/api/v1/visits", fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-11-20"}`, id, fac(in)), 201)
			}
			types := []struct {
				name    string
				data    func(in bool) string
				in, out string // per role as in the matrix: y stored, n refused
			}{
				{"visit", func(in bool) string { return fmt.Sprintf(`{"facility_id":%d,"date":"2026-11-21"}`, fac(in)) }, "yyyyn", "yynnn"},
				{"observation", func(in bool) string {
					hw := f.inHW.ID
					if !in {
						hw = f.outHW.ID
					}
					return observationBody(visits[in], hw, 52, rightClasses, "")
				}, "nnnyn", "nnnnn"},
				{"readiness_check", func(in bool) string {
					return fmt.Sprintf(`{"facility_id":%d,"date":"2026-10-14","answers":[{"item":"ors","in_stock":true}]}`, fac(in))
				}, "ynyyy", "ynnnn"},
				{"stock_event", func(in bool) string {
					return fmt.Sprintf(`{"facility_id":%d,"commodity":"zinc","started_on":"2026-10-01"}`, fac(in))
				}, "ynyyy", "ynnnn"},
				{"issue", func(in bool) string {
					return fmt.Sprintf(`{"facility_id":%d,"category":"supply","description":"No ORS","owner":"In-charge","opened_on":"2026-10-14"}`, fac(in))
				}, "ynyyy", "ynnnn"},
			}
			cells := 0
			for _, ty := range types {
				for _, in := range []bool{true, false} {
					want := map[bool]string{true: ty.in, false: ty.out}[in]
					for i, role := range matrixRoles {
						id := next()
						cells++
						st, body := f.do(t, role, "POST", "/api/v1/sync", fmt.Sprintf(`{"records":[{"type":%q,"id":%q,"data":%s}]}`, ty.name, id, ty.data(in)))
						var a struct {
							Results []struct {
								Status string
								Errors []struct{ Code string }
							}
						}
						if st != 200 || json.Unmarshal([]byte(body), &a) != nil || len(a.Results) != 1 {
							t.Fatalf("%s as %s: %d %s", ty.name, role, st, body)
						}
						r := a.Results[0]
						where := map[bool]string{true: "in area", false: "out of area"}[in]
						switch want[i] {
						case 'y':
							if r.Status != "stored" {
								t.Errorf("sync %s as %s (%s): %s %+v, want stored", ty.name, role, where, r.Status, r.Errors)
							}
						case 'n':
							if r.Status != "invalid" || len(r.Errors) == 0 || r.Errors[0].Code != "FORBIDDEN" {
								t.Errorf("sync %s as %s (%s): %s %+v, want invalid/FORBIDDEN", ty.name, role, where, r.Status, r.Errors)
							}
							// Not stored: the id is unknown to the admin too.
							path := map[string]string{"visit": "/api/v1/visits/", "observation": "", "readiness_check": "/api/v1/readiness-checks/",
								"stock_event": "", "issue": "/api/v1/issues/"}[ty.name]
							if path != "" {
								if st, _ := f.do(t, "admin", "GET", path+id, ""); st != 404 {
									t.Errorf("refused %s %s was stored (%d)", ty.name, id, st)
								}
							}
							if ty.name == "observation" {
								if st, _ := f.do(t, "mentor.kayonza", "GET", "/api/v1/observations/"+id, ""); st == 200 {
									t.Errorf("refused observation %s was stored", id)
								}
							}
						}
						if strings.Contains(body, f.out.Name) && role != "admin" && role != "manager" {
							t.Errorf("sync answer to %s names %s", role, f.out.Name)
						}
					}
				}
			}
			t.Logf("sync record matrix on %s: %d cells", d, cells)
		})
	}
}
