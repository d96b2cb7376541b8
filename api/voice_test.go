package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mesh/api"
	"mesh/auth"
	"mesh/demo"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/voice"
)

// newVoiceFixture is newFixture with the voice routes added and the clocks pinned:
// answers arrive in February 2026 (db clock), results are read in March, when
// February is over (server clock).
func newVoiceFixture(t *testing.T, d sqlstore.Dialect) *fixture {
	t.Helper()
	ctx := context.Background()
	db := sqlstoretest.Open(t, d)
	if _, err := demo.LoadWith(ctx, db, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2026, 2, 15, 9, 0, 0, 0, time.UTC) }
	authn := auth.New(db, false)
	mux := http.NewServeMux()
	srv := &api.Server{Store: db, Auth: authn, Now: func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }}
	srv.Routes(mux)
	f := &fixture{db: db, tokens: map[string]string{}}
	f.srv = httptest.NewServer(auth.SecurityHeaders(http.NewCrossOriginProtection().Handler(authn.Middleware(mux))))
	t.Cleanup(f.srv.Close)
	for _, l := range demo.Logins() {
		u, err := db.FindUserByUsername(ctx, l.Username)
		if err != nil {
			t.Fatal(err)
		}
		if f.tokens[l.Username], err = authn.IssueToken(ctx, u, "api"); err != nil {
			t.Fatal(err)
		}
	}
	f.in = f.facility(t, "Rwinkwavu Health Centre")
	f.out = f.facility(t, "Nyarubuye Health Centre")
	return f
}

func (f *fixture) voiceVisit(t *testing.T, user, id string, facilityID int64) {
	t.Helper()
	if st, body := f.do(t, user, "POST", "/api/v1/visits", fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-02-10"}`, id, facilityID)); st != 201 {
		t.Fatalf("visit: %d %s", st, body)
	}
}

func (f *fixture) code(t *testing.T, user, visitID string) string {
	t.Helper()
	st, body := f.do(t, user, "POST", "/api/v1/visits/"+visitID+"/feedback-code", "")
	var out struct{ Code, Path string }
	if st != 200 || json.Unmarshal([]byte(body), &out) != nil || out.Path != "/feedback/"+out.Code {
		t.Fatalf("code: %d %s", st, body)
	}
	return out.Code
}

func feedback(n int, code string, rating int, comment string) string {
	c := ""
	if code != "" {
		c = fmt.Sprintf(`"code":%q,`, code)
	}
	return fmt.Sprintf(`{"id":"0190c1a2-0000-7000-8000-%012d",%s"ratings":{"listened":%d,"learned":%d},"comment":%q,"language":"fr"}`, n, c, rating, rating, comment)
}

const (
	visitIn  = "0190c1a2-7b3c-7d4e-8f90-00000000a001" // Rwinkwavu, mentor.kayonza
	visitOut = "0190c1a2-7b3c-7d4e-8f90-00000000b001" // Nyarubuye (Kirehe), mentor.kirehe1
)

func TestVoiceFeedbackScenarios(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) { voiceScenarios(t, newVoiceFixture(t, d)) })
	}
}

func voiceScenarios(t *testing.T, f *fixture) {
	f.voiceVisit(t, "mentor.kayonza", visitIn, f.in.ID)
	f.voiceVisit(t, "mentor.kirehe1", visitOut, f.out.ID)
	code := f.code(t, "mentor.kayonza", visitIn)
	codeOut := f.code(t, "mentor.kirehe1", visitOut)
	post := "/api/v1/visits/" + visitIn + "/feedback"
	steps := []struct {
		name, user, method, path, body string
		want                           int
		contains                       string
	}{
		{"another district's mentor gets no code", "mentor.kirehe1", "POST", "/api/v1/visits/" + visitIn + "/feedback-code", "", 403, "FORBIDDEN"},
		{"an in-charge gets no code", "incharge.rwinkwavu", "POST", "/api/v1/visits/" + visitIn + "/feedback-code", "", 403, "FORBIDDEN"},
		{"anonymous gets no code", "", "POST", "/api/v1/visits/" + visitIn + "/feedback-code", "", 401, ""},
		{"anonymous with the code", "", "POST", post, feedback(1, code, 4, "Merci"), 201, `{"received":true}`},
		{"an outbox retry is harmless", "", "POST", post, feedback(1, code, 4, "Merci"), 200, `{"received":true}`},
		{"lower-case code with a dash", "", "POST", post, feedback(2, strings.ToLower(code[:4]+"-"+code[4:]), 5, ""), 201, ""},
		{"bad code", "", "POST", post, feedback(3, "ABCDEFGH", 4, ""), 404, "NOT_FOUND"},
		{"another visit's code", "", "POST", post, feedback(3, codeOut, 4, ""), 404, "NOT_FOUND"},
		{"anonymous without a code", "", "POST", post, feedback(3, "", 4, ""), 401, ""},
		{"logged-in user of the area, no code", "incharge.rwinkwavu", "POST", post, feedback(3, "", 5, "Très utile"), 201, ""},
		{"logged-in user of another district", "supervisor.kirehe", "POST", post, feedback(4, "", 5, ""), 403, "FORBIDDEN"},
		{"a mentor cannot rate their own visit", "mentor.kayonza", "POST", post, feedback(4, "", 5, ""), 403, "FORBIDDEN"},
		{"every bad field named", "", "POST", post,
			fmt.Sprintf(`{"id":"x","code":%q,"ratings":{"listened":9,"nope":1},"comment":%q,"language":"de"}`, code, strings.Repeat("a", 1001)), 400, `"field":"ratings.nope"`},
		{"unknown field", "", "POST", post, fmt.Sprintf(`{"code":%q,"health_worker_id":3}`, code), 400, "UNKNOWN_FIELD"},
		{"items are public", "", "GET", "/api/v1/feedback/items", "", 200, `"key":"listened"`},
		{"only an admin configures", "manager", "PUT", "/api/v1/feedback/config", `{"items":[],"min_group":5}`, 403, "FORBIDDEN"},
		{"admin: the floor is 3", "admin", "PUT", "/api/v1/feedback/config", `{"items":[],"min_group":2,"version":0}`, 400, `"field":"min_group"`},
	}
	for _, s := range steps {
		got, body := f.do(t, s.user, s.method, s.path, s.body)
		if got != s.want || !strings.Contains(body, s.contains) {
			t.Errorf("%s: %d %s, want %d containing %s", s.name, got, body, s.want, s.contains)
		}
	}
	if _, body := f.do(t, "", "POST", post, `{"id":"x","ratings":{"listened":9},"language":"de","code":"`+code+`"}`); !strings.Contains(body, `"field":"language"`) || !strings.Contains(body, `"field":"id"`) {
		t.Errorf("not every field named: %s", body)
	}

	// Two more answers make five for mentor.kayonza; four for mentor.kirehe1.
	for i := 10; i < 12; i++ {
		if st, body := f.do(t, "", "POST", post, feedback(i, code, 3, "")); st != 201 {
			t.Fatalf("answer %d: %d %s", i, st, body)
		}
	}
	for i := 20; i < 24; i++ {
		if st, _ := f.do(t, "", "POST", "/api/v1/visits/"+visitOut+"/feedback", feedback(i, codeOut, 2, "Kirehe")); st != 201 {
			t.Fatalf("answer %d: %d", i, st)
		}
	}

	results := func(user, query string) (int, map[string]any, string) {
		st, body := f.do(t, user, "GET", "/api/v1/feedback/results"+query, "")
		var out map[string]any
		_ = json.Unmarshal([]byte(body), &out)
		return st, out, body
	}
	// A mentor sees their own results, with five answers: shown, comments included.
	st, out, body := results("mentor.kayonza", "?group=mentor")
	if st != 200 || len(out["results"].([]any)) != 1 || !strings.Contains(body, `"n":5`) || !strings.Contains(body, "Très utile") ||
		out["to"] != "2026-02" || out["k"].(float64) != 5 {
		t.Fatalf("mentor's own results: %d %s", st, body)
	}
	// Never who answered: no user, worker or facility device is named.
	for _, leak := range []string{"incharge", "In-charge", "health_worker", "user_id", "created"} {
		if strings.Contains(body, leak) {
			t.Errorf("results mention %q: %s", leak, body)
		}
	}
	// Four answers (mentor.kirehe1) stay hidden: the mentor and their supervisor see nothing.
	if _, out, body := results("mentor.kirehe1", "?group=mentor"); len(out["results"].([]any)) != 0 || out["hidden_groups"].(float64) != 1 {
		t.Fatalf("four answers shown: %s", body)
	}
	if _, out, body := results("supervisor.kirehe", "?group=facility"); len(out["results"].([]any)) != 0 || strings.Contains(body, "Kirehe\"") {
		t.Fatalf("supervisor of Kirehe: %s", body)
	}
	// The supervisor of another district sees nothing of Kayonza.
	if _, _, body := results("supervisor.kirehe", "?group=mentor"); strings.Contains(body, "Mentor Kayonza") || strings.Contains(body, "Rwinkwavu") {
		t.Fatalf("Kirehe's supervisor sees Kayonza: %s", body)
	}
	// Kayonza's supervisor sees Rwinkwavu, by name.
	if _, _, body := results("supervisor.kayonza", "?group=facility"); !strings.Contains(body, `"name":"Rwinkwavu Health Centre"`) {
		t.Fatalf("Kayonza supervisor: %s", body)
	}
	// A manager sees all, but Kirehe (4) cannot be shown alone, and Kayonza shown alone
	// would give Kirehe away by subtraction: both are pooled as "other districts".
	if _, out, body := results("manager", "?group=district&period=all"); len(out["results"].([]any)) != 1 || !strings.Contains(body, `"id":0,"period":"all","n":9,"pooled":2`) {
		t.Fatalf("manager: %s", body)
	}
	// The current month is never shown, whatever to says.
	if _, out, _ := results("manager", "?group=district&to=2026-12"); out["to"] != "2026-02" {
		t.Fatalf("to not clamped: %v", out["to"])
	}
	for _, c := range []struct {
		user, query string
		want        int
	}{{"incharge.rwinkwavu", "", 403}, {"", "", 401}, {"manager", "?group=nurse", 400}, {"manager", "?from=2026-13", 400}} {
		if st, _, body := results(c.user, c.query); st != c.want {
			t.Errorf("results as %q %s: %d %s, want %d", c.user, c.query, st, body, c.want)
		}
	}
	// One more for Kirehe makes five: now shown to its supervisor.
	f.do(t, "", "POST", "/api/v1/visits/"+visitOut+"/feedback", feedback(24, codeOut, 2, ""))
	if _, out, body := results("supervisor.kirehe", "?group=facility"); len(out["results"].([]any)) != 1 || !strings.Contains(body, `"n":5`) {
		t.Fatalf("five answers hidden: %s", body)
	}

	// The cap: 30 answers per visit, then 429.
	for i := 100; ; i++ {
		st, body := f.do(t, "", "POST", post, feedback(i, code, 4, ""))
		if st == 429 {
			if i-100 != voice.MaxPerVisit-5 { // five answers came before
				t.Fatalf("cap after %d more answers", i-100)
			}
			break
		}
		if st != 201 || i > 200 {
			t.Fatalf("answer %d: %d %s", i, st, body)
		}
	}
}

func TestVoiceCodingWorkspace(t *testing.T) {
	f := newVoiceFixture(t, sqlstore.SQLite)
	var district int64
	if err := json.Unmarshal([]byte(mustBody(t, f, "manager", "GET", fmt.Sprintf("/api/v1/orgunits/%d", *f.in.ParentID), "", 200)), &struct {
		ParentID *int64 `json:"parent_id"`
	}{&district}); err != nil {
		t.Fatal(err)
	}
	src := mustBody(t, f, "manager", "POST", "/api/v1/coding/sources", fmt.Sprintf(`{"kind":"focus_group","title":"FGD nurses","body":"Umujyanama yaranyumvise.\n=SUM(A1) no amoxicillin for weeks.\nShe showed me on the spot.","orgunit_id":%d,"period":"2026-02"}`, district), 201)
	var s struct{ ID int64 }
	_ = json.Unmarshal([]byte(src), &s)
	themes := mustBody(t, f, "manager", "GET", "/api/v1/coding/themes", "", 200)
	var ts []voice.Theme
	_ = json.Unmarshal([]byte(themes), &ts)
	if len(ts) != 8 {
		t.Fatalf("codebook %s", themes)
	}
	tag := func(user string, theme int64, quote string) {
		mustBody(t, f, user, "POST", fmt.Sprintf("/api/v1/coding/sources/%d/passages", s.ID), fmt.Sprintf(`{"theme_id":%d,"quote":%q}`, theme, quote), 201)
	}
	tag("manager", ts[0].ID, "Umujyanama yaranyumvise.")
	tag("admin", ts[0].ID, "Umujyanama yaranyumvise.")
	tag("manager", ts[5].ID, "no amoxicillin")
	tag("admin", ts[5].ID, "=SUM(A1) no amoxicillin")
	tag("admin", ts[4].ID, "on the spot")
	ag := mustBody(t, f, "manager", "GET", fmt.Sprintf("/api/v1/coding/sources/%d/agreement", s.ID), "", 200)
	if !strings.Contains(ag, `"units":3`) || !strings.Contains(ag, `"percent_agreement":88.8889`) {
		t.Fatalf("agreement %s", ag)
	}
	counts := mustBody(t, f, "manager", "GET", "/api/v1/coding/theme-counts", "", 200)
	if !strings.Contains(counts, `"period":"2026-02","passages":2`) {
		t.Fatalf("counts %s", counts)
	}
	csv := mustBody(t, f, "manager", "GET", "/api/v1/coding/quotes.csv", "", 200)
	if !strings.HasPrefix(csv, "\ufefftheme_code,theme,kind,source_id,source,source_kind,place,period,quote\n") || !strings.Contains(csv, "'=SUM(A1)") ||
		strings.Contains(csv, "admin") || strings.Contains(csv, "manager") {
		t.Fatalf("csv %q", csv)
	}
	checkQuotesXLSX(t, mustBody(t, f, "manager", "GET", "/api/v1/coding/quotes.xlsx", "", 200), csv)
	for _, c := range []struct {
		user, method, path, body string
		want                     int
	}{
		{"supervisor.kayonza", "GET", "/api/v1/coding/sources", "", 403},
		{"mentor.kayonza", "GET", "/api/v1/coding/quotes.xlsx", "", 403},
		{"mentor.kayonza", "GET", "/api/v1/coding/quotes.csv", "", 403},
		{"", "GET", "/api/v1/coding/themes", "", 401},
		{"manager", "POST", fmt.Sprintf("/api/v1/coding/sources/%d/passages", s.ID), fmt.Sprintf(`{"theme_id":%d,"quote":"not in the text"}`, ts[0].ID), 400},
		{"manager", "POST", "/api/v1/coding/sources", `{"kind":"gossip"}`, 400},
		{"manager", "POST", "/api/v1/coding/themes", `{"code":"peer_learning","name":"Peer learning"}`, 201},
		{"manager", "POST", "/api/v1/coding/sources/from-comments", fmt.Sprintf(`{"orgunit_id":%d,"period":"2026-02"}`, district), 400},
		{"manager", "POST", "/api/v1/coding/sources/from-comments", fmt.Sprintf(`{"orgunit_id":%d,"period":"2026-02"}`, f.in.ID), 400},
	} {
		if st, body := f.do(t, c.user, c.method, c.path, c.body); st != c.want {
			t.Errorf("%s %s as %q: %d %s, want %d", c.method, c.path, c.user, st, body, c.want)
		}
	}
	// Five answers with comments in Kayonza in February: now the comments can be coded.
	f.voiceVisit(t, "mentor.kayonza", visitIn, f.in.ID)
	code := f.code(t, "mentor.kayonza", visitIn)
	for i := range 5 {
		f.do(t, "", "POST", "/api/v1/visits/"+visitIn+"/feedback", feedback(i, code, 4, fmt.Sprintf("comment %d", i)))
	}
	got := mustBody(t, f, "manager", "POST", "/api/v1/coding/sources/from-comments", fmt.Sprintf(`{"orgunit_id":%d,"period":"2026-02"}`, district), 201)
	if !strings.Contains(got, `comment 0\n\ncomment 1`) || !strings.Contains(got, `"kind":"comment"`) {
		t.Fatalf("comment source %s", got)
	}
}

func mustBody(t *testing.T, f *fixture, user, method, path, body string, want int) string {
	t.Helper()
	st, b := f.do(t, user, method, path, body)
	if st != want {
		t.Fatalf("%s %s as %s: %d %s, want %d", method, path, user, st, b, want)
	}
	return b
}
