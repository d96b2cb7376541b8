package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"mesh"
	"mesh/account"
	"mesh/sqlstore"
)

// doLang sends a request with an Accept-Language header and decodes the error body.
func (f *fixture) doLang(t *testing.T, user, lang, method, path, body string) (int, []mesh.FieldError) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var eb struct {
		Errors []mesh.FieldError `json:"errors"`
	}
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &eb); err != nil || len(eb.Errors) == 0 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, eb.Errors
}

// Error bodies keep code and field; only the message follows the caller's language:
// the user's profile, else Accept-Language, else English.
func TestErrorMessagesInTheCallersLanguage(t *testing.T) {
	f := newFixture(t, sqlstore.SQLite)
	child := `{"schema_version":"1.0","age_months":14,"weight_kg":9.5,"setting":{"malaria_risk":"low"},
		"danger_signs":{"not_able_to_drink_or_breastfeed":false,"vomits_everything":false,"convulsions_this_illness":false,"lethargic_or_unconscious":false,"convulsing_now":false},
		"cough":{"present":true,"duration_days":3,"respiratory_rate":500,"chest_indrawing":false,"stridor_when_calm":false,"wheeze":false}}`
	goals := fmt.Sprintf("/api/v1/health-workers/%d/goals", f.inHW.ID)
	visit := fmt.Sprintf(`{"id":"0190c1a2-0000-7000-8000-00000000c001","facility_id":%d,"date":"2026-03-02","kind":"tea"}`, f.in.ID)
	badGoal := `{"id":"0190c1a2-0000-7000-8000-00000000b002","goal":"x","status":"maybe"}`
	for _, c := range []struct {
		name, user, lang, method, path, body string
		status                               int
		code, field, message                 string
	}{
		{"rule, English", "", "", "POST", "/api/v1/imci/classify", child, 400,
			"OUT_OF_RANGE", "cough.respiratory_rate", "cough.respiratory_rate must be an integer between 0 and 150"},
		{"rule, French", "", "fr-FR,fr;q=0.9", "POST", "/api/v1/imci/classify", child, 400,
			"OUT_OF_RANGE", "cough.respiratory_rate", "cough.respiratory_rate doit être un nombre entier entre 0 et 150."},
		{"rule, Kinyarwanda", "", "rw", "POST", "/api/v1/imci/classify", child, 400,
			"OUT_OF_RANGE", "cough.respiratory_rate", "cough.respiratory_rate igomba kuba umubare wuzuye hagati ya 0 na 150."},
		{"by code, French", "mentor.kayonza", "fr", "POST", goals, badGoal, 400,
			"UNKNOWN_ENUM_VALUE", "status", "status doit être l'une des valeurs de la liste."},
		{"by code, Kinyarwanda", "mentor.kayonza", "rw", "POST", goals, badGoal, 400,
			"UNKNOWN_ENUM_VALUE", "status", "status igomba kuba kimwe mu biri ku rutonde."},
		{"domain rule, French", "mentor.kayonza", "fr", "POST", "/api/v1/visits", visit, 400,
			"UNKNOWN_ENUM_VALUE", "kind", "kind doit être mentoring ou supervision."},
		{"domain rule, Kinyarwanda", "mentor.kayonza", "rw", "POST", "/api/v1/visits", visit, 400,
			"UNKNOWN_ENUM_VALUE", "kind", "kind igomba kuba mentoring cyangwa supervision."},
		{"domain rule, English", "mentor.kayonza", "", "POST", "/api/v1/visits", visit, 400,
			"UNKNOWN_ENUM_VALUE", "kind", "kind must be mentoring or supervision"},
		{"no field, Kinyarwanda", "supervisor.kayonza", "rw", "GET", goals, "", 403,
			"FORBIDDEN", "", "Ibi biri hanze y'aho ushinzwe cyangwa y'uruhare rwawe."},
		{"no such endpoint, French", "", "fr", "GET", "/api/v1/nowhere", "", 404,
			"NOT_FOUND", "", "Introuvable : cet enregistrement ou cette adresse n'existe pas."},
	} {
		st, errs := f.doLang(t, c.user, c.lang, c.method, c.path, c.body)
		if st != c.status || errs[0].Code != c.code || errs[0].Field != c.field || errs[0].Message != c.message {
			t.Errorf("%s: %d %+v\nwant %d %s %s %q", c.name, st, errs, c.status, c.code, c.field, c.message)
		}
	}

	// The profile language wins over the browser's (admin has made no request yet,
	// so no cached caller hides the change).
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "test", Role: "system"})
	u, err := f.db.FindUserByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	rw := "rw"
	if _, err := f.db.UpdateUser(ctx, u.ID, account.UserUpdate{Language: &rw}); err != nil {
		t.Fatal(err)
	}
	_, errs := f.doLang(t, "admin", "fr", "POST", "/api/v1/imci/classify", child)
	if errs[0].Message != "cough.respiratory_rate igomba kuba umubare wuzuye hagati ya 0 na 150." || errs[0].Code != "OUT_OF_RANGE" {
		t.Errorf("profile language rw, Accept-Language fr: %+v", errs)
	}
}
