package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"mesh/sqlstore/sqlstoretest"
)

// TestFacilitySystemsScenarios walks readiness checks, stock-outs, issues and QI
// projects through the API as the demo roles: scope (403 outside the area), field
// errors (400), idempotent repeats (200) and version conflicts (409).
func TestFacilitySystemsScenarios(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			const (
				visitID = "0190c1a2-0000-7000-8000-0000000f0001"
				checkID = "0190c1a2-0000-7000-8000-0000000f0002"
				stockID = "0190c1a2-0000-7000-8000-0000000f0003"
				issueID = "0190c1a2-0000-7000-8000-0000000f0004"
				projID  = "0190c1a2-0000-7000-8000-0000000f0005"
				cycleID = "0190c1a2-0000-7000-8000-0000000f0006"
			)
			visit := fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-10-14"}`, visitID, f.in.ID)
			check := fmt.Sprintf(`{"id":%q,"facility_id":%d,"visit_id":%q,"date":"2026-10-14","answers":[
				{"item":"scale","present":true,"functional":true},{"item":"timer","present":false},
				{"item":"zinc","in_stock":false,"out_since":"2026-10-01"},{"item":"ors","in_stock":true},{"item":"electricity","present":true}]}`, checkID, f.in.ID, visitID)
			checkChanged := strings.Replace(check, `"item":"ors","in_stock":true`, `"item":"ors","in_stock":false`, 1)
			stock := fmt.Sprintf(`{"id":%q,"facility_id":%d,"commodity":"zinc","started_on":"2026-10-01","check_id":%q}`, stockID, f.in.ID, checkID)
			issue := fmt.Sprintf(`{"id":%q,"facility_id":%d,"visit_id":%q,"category":"supply","description":"Zinc out since October","owner":"In-charge","opened_on":"2026-10-14"}`, issueID, f.in.ID, visitID)
			project := fmt.Sprintf(`{"id":%q,"facility_id":%d,"title":"Every weight plotted","team":["In-charge"],"problem":"Charts unused",
				"aim":{"text":"80%% by March","indicator_id":"imci.growth_chart_used","target_value":0.8,"target_date":"2027-03-31"},
				"change_ideas":[{"id":"c1","text":"Chart on the desk"}],"started_on":"2026-09-01"}`, projID, f.in.ID)
			cycle := fmt.Sprintf(`{"id":%q,"change_idea_id":"c1","plan":"One week","started_on":"2026-09-07","ended_on":"2026-09-30","result":"adopt"}`, cycleID)
			steps := []struct {
				name, user, method, path, body string
				want                           int
				contains                       string
			}{
				{"visit", "mentor.kayonza", "POST", "/api/v1/visits", visit, 201, `"version":1`},
				{"checklist", "incharge.rwinkwavu", "GET", "/api/v1/checklist", "", 200, `"amoxicillin_dt"`},
				{"create check", "mentor.kayonza", "POST", "/api/v1/readiness-checks", check, 201, `"sys.tracer_availability","num":1,"den":2`},
				{"same check again", "mentor.kayonza", "POST", "/api/v1/readiness-checks", check, 200, `"version":1`},
				{"same check by PUT", "mentor.kayonza", "PUT", "/api/v1/readiness-checks/" + checkID, check, 200, `"version":1`},
				{"changed check, no version", "mentor.kayonza", "PUT", "/api/v1/readiness-checks/" + checkID, checkChanged, 409, `"CONFLICT"`},
				{"changed check, current version", "mentor.kayonza", "PUT", "/api/v1/readiness-checks/" + checkID, strings.Replace(checkChanged, `"date"`, `"version":1,"date"`, 1), 200, `"version":2`},
				{"check read outside area", "supervisor.kirehe", "GET", "/api/v1/readiness-checks/" + checkID, "", 403, "FORBIDDEN"},
				{"check by a mentor of another district", "mentor.kirehe1", "POST", "/api/v1/readiness-checks",
					strings.Replace(check, checkID, "0190c1a2-0000-7000-8000-0000000f0010", 1), 403, "FORBIDDEN"},
				{"managers read only", "manager", "POST", "/api/v1/readiness-checks", strings.Replace(check, checkID, "0190c1a2-0000-7000-8000-0000000f0011", 1), 403, "FORBIDDEN"},
				{"in-charge records a check", "incharge.rwinkwavu", "POST", "/api/v1/readiness-checks",
					fmt.Sprintf(`{"id":"0190c1a2-0000-7000-8000-0000000f0012","facility_id":%d,"date":"2026-10-20","answers":[{"item":"ors","in_stock":true}]}`, f.in.ID), 201, `"version":1`},
				{"bad check names fields", "mentor.kayonza", "POST", "/api/v1/readiness-checks",
					fmt.Sprintf(`{"id":"0190c1a2-0000-7000-8000-0000000f0013","facility_id":%d,"date":"2026-10-20","answers":[{"item":"teleporter","present":true},{"item":"zinc","present":true}]}`, f.in.ID),
					400, `"field":"answers[1].in_stock"`},
				{"list checks", "supervisor.kayonza", "GET", "/api/v1/readiness-checks?facility_id=" + fmt.Sprint(f.in.ID), "", 200, checkID},

				{"open stock-out", "mentor.kayonza", "POST", "/api/v1/stock-events", stock, 201, `"ended_on":null`},
				{"same stock-out again", "mentor.kayonza", "POST", "/api/v1/stock-events", stock, 200, `"version":1`},
				{"alert list", "supervisor.kayonza", "GET", "/api/v1/stockouts/current", "", 200, `"commodity_name":"Zinc"`},
				{"alert list of another district", "supervisor.kirehe", "GET", "/api/v1/stockouts/current", "", 200, `[]`},
				{"alert list of a place outside the area", "supervisor.kirehe", "GET", fmt.Sprintf("/api/v1/stockouts/current?orgunit=%d", f.in.ID), "", 403, "FORBIDDEN"},
				{"close without version", "mentor.kayonza", "PUT", "/api/v1/stock-events/" + stockID, `{"ended_on":"2026-10-25"}`, 409, "CONFLICT"},
				{"close before it started", "mentor.kayonza", "PUT", "/api/v1/stock-events/" + stockID, `{"ended_on":"2026-09-25","version":1}`, 400, `"field":"ended_on"`},
				{"close", "mentor.kayonza", "PUT", "/api/v1/stock-events/" + stockID, `{"ended_on":"2026-10-25","version":1}`, 200, `"ended_on":"2026-10-25"`},
				{"closed leaves the alert list", "supervisor.kayonza", "GET", "/api/v1/stockouts/current", "", 200, `[]`},
				{"stock-out days", "supervisor.kayonza", "GET", "/api/v1/indicators/sys.stockout_days.zinc/values?from=2026-09&to=2026-10", "", 200, `"period":"2026-10","numerator":24`},
				{"stock event outside area", "mentor.kirehe1", "PUT", "/api/v1/stock-events/" + stockID, `{"ended_on":"2026-10-26","version":2}`, 403, "FORBIDDEN"},

				{"open issue", "mentor.kayonza", "POST", "/api/v1/issues", issue, 201, `"status":"open"`},
				{"same issue again", "mentor.kayonza", "POST", "/api/v1/issues", issue, 200, `"version":1`},
				{"escalate without version", "incharge.rwinkwavu", "PUT", "/api/v1/issues/" + issueID, strings.Replace(issue, `"opened_on"`, `"status":"escalated","opened_on"`, 1), 409, "CONFLICT"},
				{"escalate", "incharge.rwinkwavu", "PUT", "/api/v1/issues/" + issueID, strings.Replace(issue, `"opened_on"`, `"status":"escalated","version":1,"opened_on"`, 1), 200, `"status":"escalated","on"`},
				{"district list", "supervisor.kayonza", "GET", "/api/v1/issues?status=escalated", "", 200, issueID},
				{"other district's list", "supervisor.kirehe", "GET", "/api/v1/issues?status=escalated", "", 200, `[]`},
				{"bad status filter", "supervisor.kayonza", "GET", "/api/v1/issues?status=lost", "", 400, `"field":"status"`},
				{"comment", "supervisor.kayonza", "POST", "/api/v1/issues/" + issueID + "/comments", `{"id":"0190c1a2-0000-7000-8000-0000000f0020","text":"Ordered from the district pharmacy"}`, 201, `"by":"supervisor.kayonza"`},
				{"same comment again", "supervisor.kayonza", "POST", "/api/v1/issues/" + issueID + "/comments", `{"id":"0190c1a2-0000-7000-8000-0000000f0020","text":"Ordered from the district pharmacy"}`, 200, `Ordered`},
				{"comment outside area", "supervisor.kirehe", "POST", "/api/v1/issues/" + issueID + "/comments", `{"text":"x"}`, 403, "FORBIDDEN"},
				{"issue stats", "manager", "GET", "/api/v1/issues/stats", "", 200, `"escalated":1`},
				{"bad issue", "mentor.kayonza", "POST", "/api/v1/issues", fmt.Sprintf(`{"id":"0190c1a2-0000-7000-8000-0000000f0021","facility_id":%d,"category":"weather"}`, f.in.ID), 400, `"field":"description"`},
				{"open issues indicator", "supervisor.kayonza", "GET", "/api/v1/indicators/sys.open_issues/values?from=2026-10&to=2026-10", "", 200, `"numerator":1`},

				{"QI project", "incharge.rwinkwavu", "POST", "/api/v1/qi/projects", project, 201, `"cycles":[]`},
				{"same project again", "incharge.rwinkwavu", "POST", "/api/v1/qi/projects", project, 200, `"version":1`},
				{"project outside area", "supervisor.kirehe", "GET", "/api/v1/qi/projects/" + projID, "", 403, "FORBIDDEN"},
				{"bad project", "mentor.kayonza", "POST", "/api/v1/qi/projects", fmt.Sprintf(`{"id":%q,"facility_id":%d,"aim":{"indicator_id":"imci.nothing"}}`, "0190c1a2-0000-7000-8000-0000000f0030", f.in.ID), 400, `"field":"aim.indicator_id"`},
				{"PDSA cycle", "mentor.kayonza", "POST", "/api/v1/qi/projects/" + projID + "/cycles", cycle, 201, `"result":"adopt"`},
				{"same cycle again", "mentor.kayonza", "POST", "/api/v1/qi/projects/" + projID + "/cycles", cycle, 200, `"version":1`},
				{"project with its cycle", "manager", "GET", "/api/v1/qi/projects/" + projID, "", 200, cycleID},
				{"run chart", "supervisor.kayonza", "GET", "/api/v1/qi/projects/" + projID + "/runchart", "", 200, `"annotations":[]`},
				{"run chart SVG", "supervisor.kayonza", "GET", "/api/v1/qi/projects/" + projID + "/runchart.svg", "", 200, `role="img"`},
				{"no p-chart without data", "supervisor.kayonza", "GET", "/api/v1/qi/projects/" + projID + "/pchart.svg", "", 404, "NOT_FOUND"},
				{"p-chart outside area", "supervisor.kirehe", "GET", "/api/v1/qi/projects/" + projID + "/pchart.svg", "", 403, "FORBIDDEN"},
				{"change package", "manager", "GET", "/api/v1/qi/change-package", "", 200, `"idea":"Chart on the desk"`},
				{"cycles counted", "manager", "GET", "/api/v1/indicators/qi.pdsa_cycles/values?from=2026-09&to=2026-09", "", 200, `"numerator":1`},
			}
			for _, s := range steps {
				got, resp := f.do(t, s.user, s.method, s.path, s.body)
				if got != s.want || !strings.Contains(resp, s.contains) {
					t.Errorf("%s: status %d body %s; want %d containing %s", s.name, got, resp, s.want, s.contains)
				}
			}
			assertCountsEqualRecount(t, f.db)
		})
	}
}

func TestFacilitySystemsSync(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			batch := fmt.Sprintf(`{"records":[
				{"type":"readiness_check","id":"0190c1a2-0000-7000-8000-0000000e0001","data":{"facility_id":%d,"date":"2026-10-14","answers":[{"item":"rutf","in_stock":false}]}},
				{"type":"stock_event","id":"0190c1a2-0000-7000-8000-0000000e0002","data":{"facility_id":%d,"commodity":"rutf","started_on":"2026-10-14","check_id":"0190c1a2-0000-7000-8000-0000000e0001"}},
				{"type":"issue","id":"0190c1a2-0000-7000-8000-0000000e0003","data":{"facility_id":%d,"category":"supply","description":"No RUTF","opened_on":"2026-10-14"}},
				{"type":"issue","id":"0190c1a2-0000-7000-8000-0000000e0004","data":{"facility_id":%d,"category":"supply","description":"Outside"}},
				{"type":"stock_event","id":"0190c1a2-0000-7000-8000-0000000e0005","data":{"facility_id":%d,"commodity":"scale","started_on":"2026-10-14"}}]}`,
				f.in.ID, f.in.ID, f.in.ID, f.out.ID, f.in.ID)
			want := []string{"stored", "stored", "stored", "invalid", "invalid"}
			for round, again := range []string{"stored", "already_stored"} {
				var a syncAnswer
				st, body := f.do(t, "mentor.kayonza", "POST", "/api/v1/sync", batch)
				if st != 200 || json.Unmarshal([]byte(body), &a) != nil || len(a.Results) != len(want) {
					t.Fatalf("sync: %d %s", st, body)
				}
				for i, r := range a.Results {
					w := want[i]
					if w == "stored" {
						w = again
					}
					if r.Status != w {
						t.Errorf("round %d record %d: %s, want %s (%+v)", round, i, r.Status, w, r)
					}
				}
			}
			var ch changesAnswer
			_, body := f.do(t, "incharge.rwinkwavu", "GET", "/api/v1/sync/changes", "")
			json.Unmarshal([]byte(body), &ch)
			types := map[string]int{}
			for _, c := range ch.Changes {
				types[c.Type]++
			}
			if types["readiness_check"] != 1 || types["stock_event"] != 1 || types["issue"] != 1 {
				t.Errorf("changes by type %v: %s", types, body)
			}
			_, body = f.do(t, "supervisor.kirehe", "GET", "/api/v1/sync/changes", "")
			if strings.Contains(body, "0190c1a2-0000-7000-8000-0000000e0003") {
				t.Errorf("another district's supervisor gets the issue: %s", body)
			}
		})
	}
}
