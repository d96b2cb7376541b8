package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"mesh/audit"
	"mesh/export"
	"mesh/observation"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// Concurrent saves, repeats, conflicting changes and voids share group-commit batches
// (a savepoint each); afterwards every created observation has exactly one audited
// create and one change-log entry, and the counts equal a recount.
func TestConcurrentSavesEqualRecount(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			visitID := "0190c1a2-0000-7000-8000-000000000003"
			f.makeVisit(t, visitID)
			var mu sync.Mutex
			statuses := map[int]int{}
			var wg sync.WaitGroup
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(g), 7))
					for i := 0; i < 12; i++ {
						id := fmt.Sprintf("0190c1a2-0000-7000-8000-%012d", rng.IntN(10))
						method, body := "PUT", observationBody(visitID, f.inHW.ID, 40+rng.IntN(3), rightClasses, "")
						if rng.IntN(6) == 0 {
							method, body = "DELETE", ""
						}
						req, _ := http.NewRequest(method, f.srv.URL+"/api/v1/observations/"+id, strings.NewReader(body))
						req.Header.Set("Authorization", "Bearer "+f.tokens["mentor.kayonza"])
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						switch resp.StatusCode {
						case 200, 201, 404, 409:
						default:
							t.Errorf("%s %s: %d %s", method, id, resp.StatusCode, b)
						}
						mu.Lock()
						statuses[resp.StatusCode]++
						mu.Unlock()
					}
				}(g)
			}
			wg.Wait()
			t.Logf("statuses %v", statuses)
			if statuses[201] == 0 || statuses[409] == 0 {
				t.Fatalf("statuses %v: the mix should create and conflict", statuses)
			}
			ctx := context.Background()
			stored, _, err := f.db.FindObservations(ctx, observation.Filter{IncludeVoided: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != statuses[201] {
				t.Errorf("%d observations stored, %d answered 201", len(stored), statuses[201])
			}
			entries, _, err := f.db.FindAuditEntries(ctx, audit.Filter{Entity: "observation", Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			creates := 0
			for _, e := range entries {
				if e.Action == "create" {
					creates++
				}
			}
			if creates != statuses[201] {
				t.Errorf("%d audited creates, %d answered 201", creates, statuses[201])
			}
			changes, _, err := f.db.FindChanges(ctx, 0, nil, []string{"observation"}, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != len(stored) {
				t.Errorf("%d change-log entries for %d observations", len(changes), len(stored))
			}
			assertCountsEqualRecount(t, f.db)
			// Each observation not voided has its export row, the version saved last.
			live := map[string]int{}
			for _, r := range stored {
				if !r.Voided {
					live[r.ID] = r.Version
				}
			}
			var buf bytes.Buffer
			if _, err := export.WriteObservations(&buf, export.CSV, f.db.ExportObservations(ctx, sqlstore.ExportFilter{}), export.Options{}); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), export.BOM))).ReadAll()
			if err != nil || len(rows)-1 != len(live) {
				t.Fatalf("%d export rows for %d observations not voided (%v)", len(rows)-1, len(live), err)
			}
			version := slices.Index(rows[0], "version")
			for _, r := range rows[1:] {
				if v, ok := live[r[0]]; !ok || strconv.Itoa(v) != r[version] {
					t.Errorf("export row %s at version %s; stored: version %d (found %v)", r[0], r[version], v, ok)
				}
			}
		})
	}
}
