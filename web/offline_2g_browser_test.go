package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mesh"
	"mesh/account"
	"mesh/internal/browsertest"
	"mesh/place"
	"mesh/readiness"
	"mesh/staff"
	"mesh/visit"
)

// Emulated 2G, as Chromium's DevTools preset: 250 kbit/s down, 50 kbit/s up, 300 ms
// round trips.
var network2G = &network.Conditions{Latency: 300, DownloadThroughput: 250 * 1024 / 8, UploadThroughput: 50 * 1024 / 8}

// benchScope gives a new mentor 30 facilities with 5 health workers each and two
// years of their work: a visit a month per facility (the next one planned), a
// readiness check a quarter, and a stock-out now and then. Returns the username.
func benchScope(t *testing.T, e *testEnv, nFac, months int) string {
	t.Helper()
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "bench", Role: "system"})
	parent := e.facilityNamed(t, "Rwinkwavu Health Centre").ParentID
	hash, err := account.HashPassword("not used: a session is issued")
	if err != nil {
		t.Fatal(err)
	}
	u := &account.User{Username: "mentor.bench", DisplayName: "Bench Mentor", Role: account.Mentor, PasswordHash: hash}
	if err := e.db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	cl := readiness.DefaultChecklist()
	var tracer []string
	for _, it := range cl.Items {
		if it.Section == readiness.Tracer {
			tracer = append(tracer, it.Code)
		}
	}
	today := time.Now().UTC()
	day := func(d time.Time) mesh.Date { return mesh.Date(d.Format("2006-01-02")) }
	for f := range nFac {
		fac := &place.OrgUnit{Name: fmt.Sprintf("Bench Health Centre %02d", f+1), Type: place.Facility, ParentID: parent}
		if err := e.db.CreateOrgUnit(ctx, fac); err != nil {
			t.Fatal(err)
		}
		if err := e.db.CreateAssignment(ctx, &account.Assignment{MentorID: u.ID, FacilityID: fac.ID, StartOn: "2020-01-01"}); err != nil {
			t.Fatal(err)
		}
		for w := range 5 {
			h := &staff.HealthWorker{Name: fmt.Sprintf("Nurse %02d-%d", f+1, w+1), Cadre: "A1", FacilityID: fac.ID, StartOn: "2020-01-01"}
			if err := e.db.CreateHealthWorker(ctx, h); err != nil {
				t.Fatal(err)
			}
		}
		for m := months; m >= 0; m-- {
			d := today.AddDate(0, -m, -(f % 20))
			status := "done"
			if m == 0 {
				d, status = today.AddDate(0, 0, 1+f%20), "planned"
			}
			v := &visit.Visit{ID: newUUID(), FacilityID: fac.ID, MentorID: u.ID, Date: day(d), Kind: "mentoring", Status: status,
				Activities: []string{"case_observations", "bedside_coaching"}, Notes: "Routine mentoring visit; coached on IMCI danger signs and counselling."}
			if _, err := e.db.PutVisit(ctx, v, nil); err != nil {
				t.Fatalf("visit %s: %v", v.Date, err)
			}
			if m%3 != 0 || m == 0 {
				continue
			}
			in, out := true, false
			c := &readiness.Check{ID: newUUID(), FacilityID: fac.ID, VisitID: v.ID, Date: v.Date, Notes: "Quarterly check."}
			for i, code := range tracer {
				a := readiness.Answer{Item: code, InStock: &in}
				if (f+m+i)%11 == 0 {
					a.InStock, a.OutSince = &out, day(d.AddDate(0, 0, -5))
				}
				c.Answers = append(c.Answers, a)
			}
			if _, err := e.db.PutCheck(ctx, c, cl, nil); err != nil {
				t.Fatalf("check: %v", err)
			}
			for _, a := range c.OutOfStock() {
				ev := &readiness.StockEvent{ID: derivedUUID(c.ID, a.Item), FacilityID: fac.ID, Commodity: a.Item, StartedOn: a.OutSince, CheckID: c.ID}
				if m > 1 {
					ev.EndedOn = day(d.AddDate(0, 0, 20))
				}
				if _, err := e.db.PutStockEvent(ctx, ev, cl, nil); err != nil {
					t.Fatalf("stock-out: %v", err)
				}
			}
		}
	}
	return u.Username
}

// The initial sync of a mentor's scope (30 facilities, two years) under emulated 2G
// stays under a minute: the data (places, workers, planned visits, open stock-outs)
// and then the forms it makes usable offline (the one observation form for any
// visit, planned visits' pages, readiness forms), fetched four at a time. Figures
// in docs/benchmarks.md.
func TestOfflineInitialSync2G(t *testing.T) {
	if testing.Short() {
		t.Skip("2G sync measurement skipped in -short mode")
	}
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	start := time.Now()
	mentor := benchScope(t, e, 30, 24)
	t.Logf("scope of %s built in %s", mentor, time.Since(start).Round(time.Millisecond))
	e.signIn(t, ctx, mentor, "/")

	var mu sync.Mutex
	urls := map[network.RequestID]string{}
	bytes := map[string]float64{}
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			urls[ev.RequestID] = ev.Request.URL
		case *network.EventLoadingFinished:
			kind := "pages"
			if strings.Contains(urls[ev.RequestID], "/api/v1/sync/changes") {
				kind = "data"
			}
			bytes[kind] += ev.EncodedDataLength
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{network2G}}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	n := evalJS[int](t, ctx, `meshOffline.download(true)`)
	total := time.Since(t0)
	var d struct {
		Changes  int     `json:"changes"`
		Requests int     `json:"requests"`
		DataMS   float64 `json:"data_ms"`
		Pages    int     `json:"pages"`
		PagesMS  float64 `json:"pages_ms"`
	}
	d = evalJS[struct {
		Changes  int     `json:"changes"`
		Requests int     `json:"requests"`
		DataMS   float64 `json:"data_ms"`
		Pages    int     `json:"pages"`
		PagesMS  float64 `json:"pages_ms"`
	}](t, ctx, `meshOffline.lastDownload`)
	kept := evalJS[map[string]int](t, ctx, `meshOffline.db().then(d => d.getAll('scope')).then(l => l.reduce((m, r) => (m[r.type] = (m[r.type] || 0) + 1, m), {}))`)
	mu.Lock()
	data, pages := bytes["data"], bytes["pages"]
	mu.Unlock()
	t.Logf("initial sync under 2G: %d changes in %d requests, %.1f KB, %.1f s; then %d pages for offline use, %.1f KB, %.1f s; total %.1f s; kept %v",
		n, d.Requests, data/1024, d.DataMS/1000, d.Pages, pages/1024, d.PagesMS/1000, total.Seconds(), kept)
	if n < 30+150 || kept["place"] < 30 || kept["health_worker"] != 150 || kept["visit"] != 30 {
		t.Errorf("the scope is incomplete: %d changes, kept %v", n, kept)
	}
	// One observation form for every visit, not one per planned visit.
	forms := evalJS[string](t, ctx, `caches.open('mesh-pages').then(c => c.keys()).then(l => l.map(r => new URL(r.url).pathname).filter(p => /observe$/.test(p)).join(' '))`)
	if forms != "/observe" {
		t.Errorf("observation forms kept for offline use: %q, want the one /observe", forms)
	}
	// The throttle is real: the data cannot have come faster than 2G carries it.
	if min := data / network2G.DownloadThroughput; d.DataMS/1000 < min*0.9 {
		t.Errorf("%.0f B in %.2f s is faster than 2G: the throttle is not applied", data, d.DataMS/1000)
	}
	if total > time.Minute {
		t.Errorf("initial sync took %s under 2G, over the 60 s budget", total.Round(time.Second))
	}
}
