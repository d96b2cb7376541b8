package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"mesh/sqlstore/sqlstoretest"
)

type syncAnswer struct {
	Results []struct {
		ID, Status string
		Version    int
		Errors     []struct{ Code, Field string }
	}
}

type changesAnswer struct {
	Changes []struct {
		Type, ID string
		Version  int
		Deleted  bool
	}
	Cursor string
	More   bool
}

func TestSync(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			visitID := "0190c1a2-0000-7000-8000-00000000d001"
			obsID := "0190c1a2-0000-7000-8000-00000000d002"
			visit := fmt.Sprintf(`{"facility_id":%d,"date":"2026-11-20"}`, f.in.ID)
			obs := observationBody(visitID, f.inHW.ID, 52, rightClasses, "")
			batch := fmt.Sprintf(`{"records":[
				{"type":"visit","id":%q,"data":%s},
				{"type":"observation","id":%q,"data":%s},
				{"type":"observation","id":"0190c1a2-0000-7000-8000-00000000d003","data":%s},
				{"type":"spaceship","id":"0190c1a2-0000-7000-8000-00000000d004","data":{}}]}`,
				visitID, visit, obsID, obs, strings.Replace(obs, `"respiratory_rate":52`, `"respiratory_rate":900`, 1))
			var a syncAnswer
			st, body := f.do(t, "mentor.kayonza", "POST", "/api/v1/sync", batch)
			if st != 200 || json.Unmarshal([]byte(body), &a) != nil || len(a.Results) != 4 {
				t.Fatalf("sync: %d %s", st, body)
			}
			want := []string{"stored", "stored", "invalid", "invalid"}
			for i, r := range a.Results {
				if r.Status != want[i] {
					t.Errorf("record %d: %s, want %s (%+v)", i, r.Status, want[i], r)
				}
			}
			if e := a.Results[2].Errors; len(e) == 0 || e[0].Field != "assessment.cough.respiratory_rate" {
				t.Errorf("invalid record's errors: %+v", e)
			}
			// The same batch again (a lost acknowledgement): nothing changes.
			st, body = f.do(t, "mentor.kayonza", "POST", "/api/v1/sync", batch)
			json.Unmarshal([]byte(body), &a)
			if st != 200 || a.Results[0].Status != "already_stored" || a.Results[1].Status != "already_stored" {
				t.Fatalf("resend: %d %s", st, body)
			}
			// A different observation under the same id without the version: conflict, kept.
			changed := strings.Replace(obs, rightClasses, `"COUGH_OR_COLD"`, 1)
			_, body = f.do(t, "mentor.kayonza", "POST", "/api/v1/sync", fmt.Sprintf(`{"records":[{"type":"observation","id":%q,"data":%s}]}`, obsID, changed))
			json.Unmarshal([]byte(body), &a)
			if a.Results[0].Status != "conflict" {
				t.Fatalf("conflict: %s", body)
			}
			_, body = f.do(t, "mentor.kayonza", "POST", "/api/v1/sync", fmt.Sprintf(`{"records":[{"type":"observation","id":%q,"version":1,"data":%s}]}`, obsID, changed))
			json.Unmarshal([]byte(body), &a)
			if a.Results[0].Status != "stored" || a.Results[0].Version != 2 {
				t.Fatalf("versioned update: %s", body)
			}
			// Download: the mentor sees both records; paging by one follows the cursor.
			seen := map[string]int{}
			cursor := ""
			for i := 0; i < 5; i++ {
				var c changesAnswer
				_, body := f.do(t, "mentor.kayonza", "GET", "/api/v1/sync/changes?limit=1&since="+cursor, "")
				if json.Unmarshal([]byte(body), &c) != nil {
					t.Fatalf("changes: %s", body)
				}
				for _, ch := range c.Changes {
					seen[ch.Type+":"+ch.ID] = ch.Version
				}
				cursor = c.Cursor
				if !c.More {
					break
				}
			}
			if seen["visit:"+visitID] != 1 || seen["observation:"+obsID] != 2 || len(seen) != 2 {
				t.Fatalf("changes seen %v", seen)
			}
			// Nothing new after the last cursor.
			var c changesAnswer
			_, body = f.do(t, "mentor.kayonza", "GET", "/api/v1/sync/changes?since="+cursor, "")
			json.Unmarshal([]byte(body), &c)
			if len(c.Changes) != 0 || c.More {
				t.Fatalf("changes after the end: %s", body)
			}
			// Scope and privacy: another district sees nothing; the supervisor sees the
			// visit but not the named observation.
			_, body = f.do(t, "mentor.kirehe1", "GET", "/api/v1/sync/changes", "")
			json.Unmarshal([]byte(body), &c)
			if len(c.Changes) != 0 {
				t.Fatalf("another district's mentor sees %s", body)
			}
			_, body = f.do(t, "supervisor.kayonza", "GET", "/api/v1/sync/changes", "")
			json.Unmarshal([]byte(body), &c)
			if len(c.Changes) != 1 || c.Changes[0].Type != "visit" {
				t.Fatalf("supervisor sees %s", body)
			}
			if st, _ := f.do(t, "mentor.kayonza", "POST", "/api/v1/sync", `{"records":[`+strings.Repeat(`{"type":"visit","id":"x","data":{}},`, 500)+`{"type":"visit","id":"x","data":{}}]}`); st != 400 {
				t.Fatalf("501 records: %d", st)
			}
		})
	}
}
