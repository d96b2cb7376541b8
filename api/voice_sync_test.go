package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"mesh/sqlstore/sqlstoretest"
	"mesh/voice"
)

// A mentee_feedback record from the field app's outbox is stored once however often
// it is sent, follows the same who-may-answer rules as the endpoint, and never
// comes back down through /sync/changes.
func TestVoiceSyncFeedback(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newVoiceFixture(t, d)
			f.voiceVisit(t, "mentor.kayonza", visitIn, f.in.ID)
			code := f.code(t, "mentor.kayonza", visitIn)
			rec := func(n int, data string) string {
				return fmt.Sprintf(`{"type":"mentee_feedback","id":"0190c1a2-0000-7000-8000-%012d","data":%s}`, n, data)
			}
			batch := `{"records":[` + rec(1, feedback(1, strings.ToLower(code), 4, "Merci")) + `,` +
				rec(2, `{"visit_id":"`+visitIn+`","ratings":{"listened":5}}`) + `,` +
				rec(3, `{"code":"ABCDEFGH","ratings":{"listened":5}}`) + `,` +
				rec(4, `{"ratings":{"listened":5}}`) + `]}`
			want := []string{"stored", "stored", "invalid", "invalid"}
			for round := range 2 {
				st, body := f.do(t, "incharge.rwinkwavu", "POST", "/api/v1/sync", batch)
				var out struct{ Results []struct{ ID, Status string } }
				if st != 200 || json.Unmarshal([]byte(body), &out) != nil || len(out.Results) != len(want) {
					t.Fatalf("round %d: %d %s", round, st, body)
				}
				for i, res := range out.Results {
					w := want[i]
					if round == 1 && w == "stored" {
						w = "already_stored"
					}
					if res.Status != w {
						t.Errorf("round %d record %d: %s, want %s (%s)", round, i+1, res.Status, w, body)
					}
				}
			}
			// The visit's own mentor may not answer about it, even through the outbox.
			if _, body := f.do(t, "mentor.kayonza", "POST", "/api/v1/sync", `{"records":[`+rec(5, `{"visit_id":"`+visitIn+`","ratings":{"listened":1}}`)+`]}`); !strings.Contains(body, `"invalid"`) {
				t.Errorf("own mentor: %s", body)
			}
			rs, err := f.db.FindResponses(context.Background(), voice.ResponseFilter{})
			if err != nil || len(rs) != 2 {
				t.Fatalf("stored %d answers (%v), want 2", len(rs), err)
			}
			for _, user := range []string{"incharge.rwinkwavu", "supervisor.kayonza", "admin"} {
				if _, body := f.do(t, user, "GET", "/api/v1/sync/changes?limit=1000", ""); strings.Contains(body, "mentee_feedback") || strings.Contains(body, "Merci") {
					t.Errorf("%s downloads an answer: %s", user, body)
				}
			}
		})
	}
}
