package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"mesh/internal/browsertest"
	"mesh/visit"
)

// queueVisits puts n new visits of the mentor's facility in the outbox, waiting.
func queueVisits(t *testing.T, ctx context.Context, e *testEnv, mentor string, n int) []string {
	t.Helper()
	fac := e.facilityNamed(t, "Rwinkwavu Health Centre")
	var ids []string
	for i := range n {
		id := newUUID()
		ids = append(ids, id)
		rec := fmt.Sprintf(`{id: %q, type: "visit", state: "waiting", user: %q, saved_at: %d, label: "queued", data: {id: %q, facility_id: %d, date: "2026-11-%02d", kind: "mentoring", status: "done", activities: ["case_observations"], notes: "queued %d"}}`,
			id, mentor, i+1, id, fac.ID, 1+i%20, i)
		evalJS[bool](t, ctx, `meshOffline.db().then(d => d.put('outbox', `+rec+`)).then(() => true)`)
	}
	return ids
}

// storedOnce checks every id is on the server once, at version 1.
func storedOnce(t *testing.T, e *testEnv, ids []string) {
	t.Helper()
	for _, id := range ids {
		v, err := e.db.FindVisitByID(context.Background(), id)
		if err != nil || v.Version != 1 {
			t.Errorf("visit %s on the server: %+v %v", id, v, err)
		}
	}
	fac := e.facilityNamed(t, "Rwinkwavu Health Centre")
	list, _, err := e.db.FindVisits(context.Background(), visit.Filter{FacilityID: &fac.ID, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range list {
		if strings.HasPrefix(v.Notes, "queued ") {
			n++
		}
	}
	if n != len(ids) {
		t.Errorf("%d queued visits on the server, want %d", n, len(ids))
	}
}

// The page is closed in the middle of a slow sync: whatever the server committed is
// acknowledged by the next send as already stored, nothing is lost or doubled.
func TestOfflinePageClosedMidSync(t *testing.T) {
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	const mentor = "mentor.kayonza"
	e.signIn(t, ctx, mentor, "/outbox")
	ids := queueVisits(t, ctx, e, mentor, 120) // three batches of 50
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{network2G}}); err != nil {
		t.Fatal(err)
	}
	// Start sending, and close the page once the server holds some but not all.
	evalJS[bool](t, ctx, `(meshOffline.flush(), true)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := e.db.FindVisitByID(context.Background(), ids[0]); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, id := range ids {
		if _, err := e.db.FindVisitByID(context.Background(), id); err == nil {
			stored++
		}
	}
	t.Logf("page closed with %d of %d records on the server", stored, len(ids))
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/outbox"), chromedp.WaitVisible(`footer`)); err != nil {
		t.Fatal(err)
	}
	left := evalJS[int](t, ctx, `meshOffline.all().then(l => l.length)`)
	if left == 0 || left > len(ids) {
		t.Fatalf("%d records left in the outbox after closing mid-sync (want some, at most %d)", left, len(ids))
	}
	evalJS[bool](t, ctx, `meshOffline.flush().then(() => true)`)
	waitJS(t, ctx, "an empty outbox", `meshOffline.all().then(l => l.length === 0)`)
	storedOnce(t, e, ids)
}

// Background Sync: with no page of the app open, the browser's sync event makes the
// service worker send the signed-in user's waiting records itself.
func TestOfflineBackgroundSync(t *testing.T) {
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	const mentor = "mentor.kayonza"
	var mu sync.Mutex
	var reg serviceworker.RegistrationID
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			mu.Lock()
			for _, r := range ev.Registrations {
				if !r.IsDeleted && strings.HasPrefix(r.ScopeURL, e.srv.URL) {
					reg = r.RegistrationID
				}
			}
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	e.signIn(t, ctx, mentor, "/outbox")
	waitJS(t, ctx, "the signed-in user noted", `meshOffline.db().then(d => d.get('meta', 'user')).then(m => !!m && m.user === '`+mentor+`')`)
	ids := queueVisits(t, ctx, e, mentor, 3)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	id := reg
	mu.Unlock()
	if id == "" {
		t.Fatal("no service worker registration reported")
	}
	if _, err := chromedp.Call(ctx, serviceworker.DispatchSyncEvent, serviceworker.DispatchSyncEventParams{
		Origin: e.srv.URL, RegistrationID: id, Tag: "mesh-outbox"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := e.db.FindVisitByID(context.Background(), ids[2]); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Stored before any page of the app is open again: the worker sent them.
	storedOnce(t, e, ids)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/outbox"), chromedp.WaitVisible(`footer`)); err != nil {
		t.Fatal(err)
	}
	t.Logf("background send: %s", evalJS[string](t, ctx, `meshOffline.db().then(d => d.get('meta', 'bgsync')).then(m => JSON.stringify(m || null))`))
	if n := evalJS[int](t, ctx, `meshOffline.all().then(l => l.length)`); n != 0 {
		t.Errorf("%d records still in the outbox after the worker sent them", n)
	}
	if n := evalJS[int](t, ctx, `meshOffline.db().then(d => d.getAll('sent')).then(l => l.length)`); n != 3 {
		t.Errorf("%d records in the sent log, want 3", n)
	}
}

// The server is killed in the middle of a sync batch (connections cut while it
// commits) and restarted on the same address: nothing acknowledged is lost, nothing
// is stored twice, the client finishes.
func TestOfflineServerKilledMidBatch(t *testing.T) {
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	const mentor = "mentor.kayonza"
	e.signIn(t, ctx, mentor, "/outbox")
	ids := queueVisits(t, ctx, e, mentor, 120)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	// A slow upload, so the batch is mid-way when the server goes.
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{network2G}}); err != nil {
		t.Fatal(err)
	}
	evalJS[bool](t, ctx, `(meshOffline.flush(), true)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := e.db.FindVisitByID(context.Background(), ids[0]); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	addr := e.srv.Listener.Addr().String()
	e.srv.CloseClientConnections()
	e.srv.Close()
	stored := 0
	for _, id := range ids {
		if _, err := e.db.FindVisitByID(context.Background(), id); err == nil {
			stored++
		}
	}
	left := evalJS[int](t, ctx, `meshOffline.flush().then(() => meshOffline.all()).then(l => l.length)`)
	t.Logf("server killed with %d of %d records stored; %d left in the outbox", stored, len(ids), left)
	if left == 0 {
		t.Fatal("the outbox emptied with the server down")
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
		t.Fatal(err)
	}
	e.startFull(addr)
	evalJS[bool](t, ctx, `meshOffline.flush().then(() => true)`)
	waitJS(t, ctx, "an empty outbox", `meshOffline.all().then(l => l.length === 0)`)
	storedOnce(t, e, ids)
}

// Signing out with unsent records asks first; refusing keeps the session, accepting
// signs out with the records kept for their author and the downloaded scope dropped.
func TestOfflineLogoutWarns(t *testing.T) {
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	const mentor = "mentor.kayonza"
	e.signIn(t, ctx, mentor, "/outbox")
	evalJS[int](t, ctx, `meshOffline.download(true)`)
	// Waiting records that cannot go: the server refuses nothing, so mark them as
	// another user's.
	queueVisits(t, ctx, e, "someone.else", 2)
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.asked = ""; window.confirm = (m) => { window.asked = m; return false; }; true`),
		chromedp.Click(`form.logout button`),
	); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the warning", `window.asked !== ""`)
	if msg := evalJS[string](t, ctx, `window.asked`); !strings.Contains(msg, "2 record") {
		t.Errorf("warning %q does not count the records", msg)
	}
	time.Sleep(500 * time.Millisecond)
	if !evalJS[bool](t, ctx, `!!document.getElementById('outbox-link')`) {
		t.Fatal("signed out although the warning was refused")
	}
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true; true`),
		chromedp.Click(`form.logout button`),
		chromedp.WaitVisible(`input[name=password]`),
	); err != nil {
		t.Fatal(err)
	}
	got := evalJS[string](t, ctx, `meshOffline.db().then(d => Promise.all([d.count('outbox'), d.count('scope'), d.get('meta', 'scope')])).then(([o, s, m]) => o + '/' + s + '/' + !!m)`)
	if got != "2/0/false" {
		t.Errorf("after signing out: outbox/scope/cursor = %s, want 2/0/false", got)
	}
}
