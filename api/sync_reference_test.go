package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
)

// Reference data in the change feed (migration 0012): places and health workers of
// the caller's area, only when asked for, paged and resumable, and again after an
// edit with the new version; a worker moved away leaves the old area's feed.
func TestSyncChangesReference(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			ctx := context.Background()
			feed := func(user, query string) (map[string]int, string) {
				t.Helper()
				seen := map[string]int{}
				cursor := ""
				for range 100 {
					var c changesAnswer
					st, body := f.do(t, user, "GET", "/api/v1/sync/changes?limit=7&since="+cursor+query, "")
					if st != 200 || json.Unmarshal([]byte(body), &c) != nil {
						t.Fatalf("changes: %d %s", st, body)
					}
					for _, ch := range c.Changes {
						seen[ch.Type+":"+ch.ID] = ch.Version
					}
					cursor = c.Cursor
					if !c.More {
						return seen, cursor
					}
				}
				t.Fatal("the feed never ends")
				return nil, ""
			}
			// Without types: the record feed as before, no reference data.
			if seen, _ := feed("mentor.kayonza", ""); len(seen) != 0 {
				t.Fatalf("default feed carries %v", seen)
			}
			seen, cursor := feed("mentor.kayonza", "&types=place,health_worker")
			in := "place:" + strconv.FormatInt(f.in.ID, 10)
			out := "place:" + strconv.FormatInt(f.out.ID, 10)
			inHW := "health_worker:" + strconv.FormatInt(f.inHW.ID, 10)
			outHW := "health_worker:" + strconv.FormatInt(f.outHW.ID, 10)
			if seen[in] != 1 || seen[inHW] != 1 {
				t.Fatalf("the mentor's own facility and worker are missing: %v", seen)
			}
			if _, ok := seen[out]; ok {
				t.Errorf("another district's facility in the feed")
			}
			if _, ok := seen[outHW]; ok {
				t.Errorf("another district's worker in the feed")
			}
			// Every worker of the facility, and only places of the mentor's area.
			for k := range seen {
				if id, ok := strings.CutPrefix(k, "place:"); ok {
					n, _ := strconv.ParseInt(id, 10, 64)
					p, err := f.db.FindOrgUnitByID(ctx, n)
					if err != nil {
						t.Fatal(err)
					}
					if d := "/" + strings.Split(f.in.Path, "/")[1] + "/"; !strings.HasPrefix(p.Path, d) {
						t.Errorf("place %s (%s) outside the country %s", p.Name, p.Path, d)
					}
				}
			}
			workers, _, err := f.db.FindHealthWorkers(ctx, staff.Filter{FacilityID: &f.in.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range workers {
				if seen["health_worker:"+strconv.FormatInt(h.ID, 10)] == 0 {
					t.Errorf("worker %d missing from the feed", h.ID)
				}
			}
			// An edit comes again, with its new version, after the cursor.
			st, body := f.do(t, "supervisor.kayonza", "PATCH", fmt.Sprintf("/api/v1/health-workers/%d", f.inHW.ID),
				fmt.Sprintf(`{"version":%d,"name":"Renamed Nurse"}`, f.inHW.Version))
			if st != 200 {
				t.Fatalf("rename: %d %s", st, body)
			}
			var c changesAnswer
			_, body = f.do(t, "mentor.kayonza", "GET", "/api/v1/sync/changes?types=health_worker&since="+cursor, "")
			if json.Unmarshal([]byte(body), &c) != nil || len(c.Changes) != 1 || c.Changes[0].ID != strconv.FormatInt(f.inHW.ID, 10) || c.Changes[0].Version != 2 {
				t.Fatalf("after the rename: %s", body)
			}
			// Types the caller may not read are left out; unknown ones are refused.
			if st, body := f.do(t, "mentor.kayonza", "GET", "/api/v1/sync/changes?types=place,rocket", ""); st != 400 || !strings.Contains(body, `"types"`) {
				t.Errorf("unknown type: %d %s", st, body)
			}
		})
	}
}
