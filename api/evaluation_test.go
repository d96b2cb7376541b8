package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"mesh/auth"
	"mesh/demo"
	"mesh/evaluation"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
	"mesh/stats"
)

const evalQuery = "baseline_from=2025-12&baseline_to=2026-02&followup_from=2026-09&followup_to=2026-11"

// TestEvaluationAPI runs the evaluation over the demo year as each role and checks
// the table against a recount from the indicator values and stats.CompareProportions.
func TestEvaluationAPI(t *testing.T) {
	ctx := context.Background()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	authn := auth.New(db, false)
	mux := http.NewServeMux()
	s := &Server{Store: db, Auth: authn}
	s.Routes(mux)
	srv := httptest.NewServer(authn.Middleware(mux))
	t.Cleanup(srv.Close)
	get := func(user, q string) (int, string) {
		t.Helper()
		u, err := db.FindUserByUsername(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := authn.IssueToken(ctx, u, "api")
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/evaluation?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	district := func(name string) *place.OrgUnit {
		list, _, _ := db.FindOrgUnits(ctx, place.Filter{Query: name})
		for _, o := range list {
			if o.Name == name {
				return o
			}
		}
		t.Fatalf("no %s", name)
		return nil
	}
	kay, kir := district("Kayonza"), district("Kirehe")

	status, body := get("manager", evalQuery+"&orgunit="+strconv.FormatInt(kay.ID, 10))
	if status != 200 {
		t.Fatalf("manager: %d %s", status, body)
	}
	var res evaluation.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Indicators) < 10 {
		t.Fatalf("%d indicator rows", len(res.Indicators))
	}
	// Recount: the table's n/N are the sums of the monthly values for the district.
	for _, row := range res.Indicators {
		sum := func(from, to string) (int, int) {
			mc, err := db.IndicatorCounts(ctx, row.Indicator, []string{kay.Path}, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var n, d float64
			for _, m := range mc {
				n, d = n+m.Num, d+m.Den
			}
			return int(n + .5), int(d + .5)
		}
		a, n := sum("2025-12", "2026-02")
		b, m := sum("2026-09", "2026-11")
		want, _ := stats.CompareProportions(a, n, b, m)
		// Through JSON, so compare the re-encoded forms.
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(row.Comparison)
		if string(wj) != string(gj) {
			t.Errorf("%s: got %s want %s", row.Indicator, gj, wj)
		}
	}
	m := res.Model
	if m == nil || m.Fit == nil {
		t.Fatalf("no model: %+v", m)
	}
	if m.Fit.Estimates[1].Term != evaluation.FollowUp || m.Fit.Estimates[1].Estimate <= 0 {
		t.Errorf("the demo's nurses improve with mentoring: %+v", m.Fit.Estimates)
	}
	if m.Baseline.ICC == nil || m.Followup.ICC == nil {
		t.Errorf("ICC missing: %+v %+v", m.Baseline, m.Followup)
	}
	// Aggregates only: no health worker's name in the answer.
	workers, _, _ := db.FindHealthWorkers(ctx, staff.Filter{Limit: 1000})
	for _, hw := range workers {
		if strings.Contains(body, hw.Name) {
			t.Fatalf("worker name %q in the evaluation", hw.Name)
		}
	}

	// The Kayonza supervisor's default area is Kayonza: the same answer.
	if status, sup := get("supervisor.kayonza", evalQuery); status != 200 {
		t.Fatalf("supervisor: %d %s", status, sup)
	} else {
		var r2 evaluation.Result
		json.Unmarshal([]byte(sup), &r2)
		if !reflect.DeepEqual(r2.Indicators, res.Indicators) {
			t.Error("supervisor's default area differs from their district")
		}
	}
	for _, tc := range []struct {
		user, q string
		want    int
	}{
		{"supervisor.kayonza", evalQuery + "&orgunit=" + strconv.FormatInt(kir.ID, 10), 403},
		{"mentor.kayonza", evalQuery, 403},
		{"incharge.rwinkwavu", evalQuery, 403},
		{"admin", evalQuery, 200},
		{"manager", "baseline_from=2025-12&baseline_to=2026-13&followup_from=2026-09&followup_to=2026-11", 400},
		{"manager", "baseline_from=2025-12&baseline_to=2026-10&followup_from=2026-09&followup_to=2026-11", 400},
		{"manager", evalQuery + "&covariates=height", 400},
		{"manager", evalQuery + "&covariates=none", 200},
	} {
		if got, b := get(tc.user, tc.q); got != tc.want {
			t.Errorf("%s %s: %d, want %d: %s", tc.user, tc.q, got, tc.want, b)
		}
	}
}
