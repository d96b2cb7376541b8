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

// A body with anything after its JSON value is refused, even a lone closing brace
// (json.Decoder.More does not see one; found by FuzzSyncUpload).
func TestTrailingDataRefused(t *testing.T) {
	f := newFixture(t, sqlstore.SQLite)
	for _, body := range []string{`{"records":[]} }`, `{"records":[]}]`, `{"records":[]} x`} {
		if st, resp := f.do(t, "mentor.kayonza", "POST", "/api/v1/sync", body); st != 400 || !strings.Contains(resp, "MALFORMED_JSON") {
			t.Errorf("%q: %d %s", body, st, resp)
		}
	}
	if st, _ := f.do(t, "mentor.kayonza", "POST", "/api/v1/sync", `{"records":[]}`+"\n"); st != 200 {
		t.Errorf("a trailing newline is fine: %d", st)
	}
}
