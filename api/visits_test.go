package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"mesh/sqlstore/sqlstoretest"
)

func TestVisitScenarios(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			id := "0190c1a2-7b3c-7d4e-8f90-123456789abc"
			body := fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-11-20","kind":"mentoring","activities":["case_observations","bedside_coaching"]}`, id, f.in.ID)
			changed := strings.Replace(body, "2026-11-20", "2026-11-21", 1)
			steps := []struct {
				name, user, method, path, body string
				want                           int
				contains                       string
			}{
				{"create", "mentor.kayonza", "POST", "/api/v1/visits", body, 201, `"version":1`},
				{"same content again is harmless", "mentor.kayonza", "POST", "/api/v1/visits", body, 200, `"version":1`},
				{"same content by PUT", "mentor.kayonza", "PUT", "/api/v1/visits/" + id, body, 200, `"version":1`},
				{"different content, no version", "mentor.kayonza", "PUT", "/api/v1/visits/" + id, changed, 409, `"CONFLICT"`},
				{"different content, stale version", "mentor.kayonza", "PUT", "/api/v1/visits/" + id, strings.Replace(changed, `"kind"`, `"version":7,"kind"`, 1), 409, `"CONFLICT"`},
				{"different content, current version", "mentor.kayonza", "PUT", "/api/v1/visits/" + id, strings.Replace(changed, `"kind"`, `"version":1,"kind"`, 1), 200, `"version":2`},
				{"read back", "mentor.kayonza", "GET", "/api/v1/visits/" + id, "", 200, `"date":"2026-11-21"`},
				{"supervisor of another district cannot read", "supervisor.kirehe", "GET", "/api/v1/visits/" + id, "", 403, `FORBIDDEN`},
				{"mentor outside area", "mentor.kirehe1", "POST", "/api/v1/visits",
					fmt.Sprintf(`{"id":"0190c1a2-7b3c-7d4e-8f90-000000000001","facility_id":%d,"date":"2026-11-20"}`, f.in.ID), 403, `FORBIDDEN`},
				{"facility in-charge may not record visits", "incharge.rwinkwavu", "POST", "/api/v1/visits",
					fmt.Sprintf(`{"id":"0190c1a2-7b3c-7d4e-8f90-000000000002","facility_id":%d,"date":"2026-11-20"}`, f.in.ID), 403, `FORBIDDEN`},
				{"bad input names every field", "mentor.kayonza", "POST", "/api/v1/visits",
					fmt.Sprintf(`{"id":"nope","facility_id":%d,"date":"2026-13-01","kind":"party","activities":["dancing"]}`, f.in.ID), 400, `"field":"activities[0]"`},
				{"unknown field", "mentor.kayonza", "POST", "/api/v1/visits", `{"id":"x","colour":"red"}`, 400, `"UNKNOWN_FIELD"`},
				{"planned visit", "supervisor.kayonza", "POST", "/api/v1/visits",
					fmt.Sprintf(`{"id":"0190c1a2-7b3c-7d4e-8f90-000000000003","facility_id":%d,"mentor_id":%d,"date":"2099-01-10","status":"planned"}`, f.in.ID, f.mentorID(t, "mentor.kayonza")), 201, `"planned"`},
				{"cadence", "supervisor.kayonza", "GET", "/api/v1/cadence?on=2026-12-01", "", 200, `"last_visit":"2026-11-21"`},
			}
			for _, s := range steps {
				got, resp := f.do(t, s.user, s.method, s.path, s.body)
				if got != s.want || !strings.Contains(resp, s.contains) {
					t.Errorf("%s: status %d body %s; want %d containing %s", s.name, got, resp, s.want, s.contains)
				}
			}
			// Bad input wrote nothing.
			if got, _ := f.do(t, "mentor.kayonza", "GET", "/api/v1/visits/nope", ""); got != 404 {
				t.Errorf("bad visit was stored: %d", got)
			}
			_, resp := f.do(t, "supervisor.kayonza", "GET", "/api/v1/cadence?on=2026-12-01", "")
			var cad []struct {
				FacilityID    int64 `json:"facility_id"`
				DaysSinceLast *int  `json:"days_since_last"`
				Overdue       bool
				NextPlanned   string `json:"next_planned"`
			}
			json.Unmarshal([]byte(resp), &cad)
			if len(cad) != 8 {
				t.Fatalf("cadence rows %d, want 8", len(cad))
			}
			for _, c := range cad {
				if c.FacilityID == f.in.ID && (c.DaysSinceLast == nil || *c.DaysSinceLast != 10 || c.Overdue || c.NextPlanned != "2099-01-10") {
					t.Errorf("cadence of visited facility %+v", c)
				}
				if c.FacilityID != f.in.ID && !c.Overdue {
					t.Errorf("never-visited facility not overdue: %+v", c)
				}
			}
		})
	}
}

func (f *fixture) mentorID(t *testing.T, username string) int64 {
	u, err := f.db.FindUserByUsername(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
