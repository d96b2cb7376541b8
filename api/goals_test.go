package api_test

import (
	"fmt"
	"strings"
	"testing"

	"mesh/sqlstore"
)

func TestLearningGoals(t *testing.T) {
	f := newFixture(t, sqlstore.SQLite)
	path := fmt.Sprintf("/api/v1/health-workers/%d/goals", f.inHW.ID)
	goal := `{"id":"0190c1a2-0000-7000-8000-00000000b001","goal":"Count breaths for a full minute"}`
	for _, s := range []struct {
		name, user, method, body string
		want                     int
		contains                 string
	}{
		{"create", "mentor.kayonza", "POST", goal, 201, `"status":"open"`},
		{"update status", "mentor.kayonza", "POST", strings.Replace(goal, `}`, `,"status":"achieved"}`, 1), 200, `"status":"achieved"`},
		{"list for the in-charge", "incharge.rwinkwavu", "GET", "", 200, `Count breaths`},
		{"private from the district", "supervisor.kayonza", "GET", "", 403, `FORBIDDEN`},
		{"bad status", "mentor.kayonza", "POST", `{"id":"0190c1a2-0000-7000-8000-00000000b002","goal":"x","status":"maybe"}`, 400, `"field":"status"`},
	} {
		got, resp := f.do(t, s.user, s.method, path, s.body)
		if got != s.want || !strings.Contains(resp, s.contains) {
			t.Errorf("%s: %d %s", s.name, got, resp)
		}
	}
}
