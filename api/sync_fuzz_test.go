package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mesh/api"
	"mesh/auth"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// syncTarget is the sync upload handler behind the real middleware, over a SQLite
// demo database, with a logged-in mentor's token.
type syncTarget struct {
	h        http.Handler
	token    string
	visitID  string
	facility int64
	worker   int64
}

func newSyncTarget(tb testing.TB, d sqlstore.Dialect) *syncTarget {
	tb.Helper()
	f := newFixtureTB(tb, d)
	authn := auth.New(f.db, false)
	mux := http.NewServeMux()
	(&api.Server{Store: f.db, Auth: authn, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(mux)
	st := &syncTarget{h: authn.Middleware(mux), token: f.tokens["mentor.kayonza"],
		visitID: "0190c1a2-0000-7000-8000-00000000f001", facility: f.in.ID, worker: f.inHW.ID}
	f.makeVisitTB(tb, st.visitID)
	return st
}

// post sends body to POST /api/v1/sync in-process and returns status and answer.
func (s *syncTarget) post(body []byte) (int, []byte) {
	req := httptest.NewRequest("POST", "/api/v1/sync", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// syncSeeds are the starting points: a good batch, its resend, a conflict, odd
// types and shapes. The same seeds are in testdata/fuzz/FuzzSyncUpload.
func syncSeeds(s *syncTarget) []string {
	obs := observationBody(s.visitID, s.worker, 52, rightClasses, "")
	return []string{
		fmt.Sprintf(`{"records":[{"type":"visit","id":"0190c1a2-0000-7000-8000-00000000f002","data":{"facility_id":%d,"date":"2026-11-20"}},
			{"type":"observation","id":"0190c1a2-0000-7000-8000-00000000f003","data":%s}]}`, s.facility, obs),
		fmt.Sprintf(`{"records":[{"type":"observation","id":"0190c1a2-0000-7000-8000-00000000f003","version":1,"data":%s}]}`,
			strings.Replace(obs, rightClasses, `"COUGH_OR_COLD"`, 1)),
		`{"records":[{"type":"readiness_check","id":"0190c1a2-0000-7000-8000-00000000f004","data":{}},{"type":"stock_event","id":"x","data":null},{"type":"issue","id":"","data":[]}]}`,
		`{"records":[{"type":"visit","id":"0190c1a2-0000-7000-8000-00000000f005","version":-1,"data":{"id":"other","facility_id":1e300}}]}`,
		`{"records":null}`, `{"records":[]}`, `{}`, `[]`, `null`, ``, `{"records":[{"type":"observation","id":"0190c1a2-0000-7000-8000-00000000f006","data":"\u0000"}]}`,
	}
}

// FuzzSyncUpload feeds arbitrary bytes to the sync upload as a logged-in mentor. The
// endpoint must never panic and never answer 5xx to anything a device can send (a
// 5xx makes a device retry forever); a 200 must carry one known outcome per record.
func FuzzSyncUpload(f *testing.F) {
	s := newSyncTarget(f, sqlstore.SQLite)
	for _, seed := range syncSeeds(s) {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkSyncAnswer(t, s, body)
	})
}

func checkSyncAnswer(t *testing.T, s *syncTarget, body []byte) {
	st, answer := s.post(body)
	if st < 200 || st >= 500 || (st >= 300 && st < 400) {
		t.Fatalf("status %d for %q: %s", st, body, answer)
	}
	if st != 200 {
		return
	}
	var sent struct{ Records []json.RawMessage }
	json.Unmarshal(body, &sent)
	var got struct {
		Results []struct{ ID, Status string }
	}
	if err := json.Unmarshal(answer, &got); err != nil {
		t.Fatalf("200 with an unreadable answer %q", answer)
	}
	if len(got.Results) != len(sent.Records) {
		t.Fatalf("%d results for %d records", len(got.Results), len(sent.Records))
	}
	for _, r := range got.Results {
		switch r.Status {
		case "stored", "already_stored", "conflict", "invalid":
		default:
			t.Fatalf("unknown status %q in %s", r.Status, answer)
		}
	}
}

// TestSyncUploadSeeds runs the fuzz seeds on every dialect (the fuzzer itself uses
// SQLite): PostgreSQL refuses some text SQLite takes, such as NUL characters.
func TestSyncUploadSeeds(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := newSyncTarget(t, d)
			for _, seed := range syncSeeds(s) {
				checkSyncAnswer(t, s, []byte(seed))
			}
			// Free text with a NUL character, valid JSON and a valid observation
			// otherwise: it must be stored or refused as invalid, never a 5xx.
			obs := strings.Replace(observationBody(s.visitID, s.worker, 52, rightClasses, ""), "Good work;", `Good\u0000work;`, 1)
			body := fmt.Sprintf(`{"records":[{"type":"observation","id":"0190c1a2-0000-7000-8000-00000000f010","data":%s},
				{"type":"visit","id":"0190c1a2-0000-7000-8000-00000000f011","data":{"facility_id":%d,"date":"2026-11-20","notes":"a\u0000b"}}]}`, obs, s.facility)
			checkSyncAnswer(t, s, []byte(body))
		})
	}
}
