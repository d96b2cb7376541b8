package api_test

import (
	"strings"
	"testing"

	"mesh/sqlstore"
)

func TestBodyLimitAndLoginAnswers(t *testing.T) {
	f := newFixture(t, sqlstore.SQLite)
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `","cadre":"A2","facility_id":1}`
	if st, body := f.do(t, "admin", "POST", "/api/v1/health-workers", big); st != 413 || !strings.Contains(body, `"TOO_LARGE"`) {
		t.Fatalf("oversized body: %d %.200s", st, body)
	}
	// A wrong password and an unknown user get the same answer.
	_, wrongPass := f.do(t, "", "POST", "/api/v1/auth/token", `{"username":"admin","password":"not the password"}`)
	st, unknown := f.do(t, "", "POST", "/api/v1/auth/token", `{"username":"nobody","password":"not the password"}`)
	if st != 401 || wrongPass != unknown {
		t.Fatalf("login answers differ: %q vs %q", wrongPass, unknown)
	}
	if st, body := f.do(t, "", "POST", "/api/v1/auth/token", `{"username":"admin"}`); st != 400 || !strings.Contains(body, `"field":"password"`) {
		t.Fatalf("missing password: %d %s", st, body)
	}
}
