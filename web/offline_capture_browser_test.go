package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mesh/auth"
	"mesh/internal/browsertest"
	"mesh/place"
	"mesh/readiness"
	"mesh/visit"
)

// Offline capture of visits and readiness checks (with the stock-outs a check
// opens), from forms the scope download put in the page cache; conflicts shown side
// by side and resolved either way; a service-worker update and a database upgrade
// that keep the outbox.

// signIn opens a page as user with a session cookie, waits for the service worker
// to control the page, and returns nothing: the tab is ready.
func (e *testEnv) signIn(t *testing.T, ctx context.Context, user, path string) {
	t.Helper()
	tok := e.session(user)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+auth.CookieName+`=`+tok+`; path=/"; true`),
		chromedp.Navigate(e.srv.URL+path),
		chromedp.WaitVisible(chromedp.CSS(`footer`)),
	); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the service worker", `navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)`)
}

func (e *testEnv) facilityNamed(t *testing.T, name string) *place.OrgUnit {
	t.Helper()
	list, _, err := e.db.FindOrgUnits(context.Background(), place.Filter{Query: name})
	if err != nil || len(list) != 1 {
		t.Fatalf("facility %s: %v %d", name, err, len(list))
	}
	return list[0]
}

// navigateCached opens path with the server down: the service worker answers from
// the page cache.
func navigateCached(t *testing.T, ctx context.Context, url, ready string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		t.Fatalf("%s offline: %v", url, err)
	}
}

func TestOfflineVisitAndReadinessCapture(t *testing.T) {
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	const mentor = "mentor.kayonza"
	fac := e.facilityNamed(t, "Rwinkwavu Health Centre")
	e.signIn(t, ctx, mentor, "/")

	// The scope download: the mentor's facilities and staff, planned visits, and the
	// forms they make possible, in the page cache.
	n := evalJS[int](t, ctx, `meshOffline.download(true)`)
	counts := evalJS[map[string]int](t, ctx, `meshOffline.db().then(d => d.getAll('scope')).then(l => l.reduce((m, r) => (m[r.type] = (m[r.type] || 0) + 1, m), {}))`)
	t.Logf("scope: %d changes, kept %v", n, counts)
	if counts["place"] == 0 || counts["health_worker"] == 0 {
		t.Fatalf("scope lacks places or workers: %v", counts)
	}
	if !evalJS[bool](t, ctx, fmt.Sprintf(`meshOffline.db().then(d => d.get('scope', 'place:%d')).then(r => !!r && r.data.name === %q)`, fac.ID, fac.Name)) {
		t.Fatal("the mentor's facility is not in the scope")
	}
	cursor := evalJS[string](t, ctx, `meshOffline.db().then(d => d.get('meta', 'scope')).then(m => m.cursor + (m.complete ? ' complete' : ''))`)
	if !strings.HasSuffix(cursor, " complete") {
		t.Fatalf("scope cursor %q", cursor)
	}
	// Resumable: nothing new, nothing fetched again.
	if again := evalJS[int](t, ctx, `meshOffline.download(true)`); again != 0 {
		t.Errorf("a second download fetched %d changes", again)
	}
	readinessURL := fmt.Sprintf("%s/facilities/%d/readiness/new", e.srv.URL, fac.ID)
	for _, u := range []string{e.srv.URL + "/visits/new", readinessURL} {
		waitJS(t, ctx, "the form in the page cache", `caches.match(`+strconv.Quote(u)+`, {ignoreVary: true}).then(r => !!r)`)
	}

	// The outage: both forms from the cache, filled and queued.
	addr := e.srv.Listener.Addr().String()
	e.srv.Close()
	today := time.Now().Format("2006-01-02")
	since := time.Now().AddDate(0, 0, -3).Format("2006-01-02")
	navigateCached(t, ctx, e.srv.URL+"/visits/new", `form[data-offline-record="visit"]`)
	visitID := evalJS[string](t, ctx, `document.querySelector('form[data-offline-record] input[name=id]').value`)
	if err := chromedp.Do(ctx,
		chromedp.SetValue(`#f-facility_id`, strconv.FormatInt(fac.ID, 10)),
		chromedp.SetValue(`#f-date`, today),
		chromedp.SetValue(`#f-notes`, "Captured with no signal."),
		chromedp.Click(`form[data-offline-record] button[type="submit"]`),
		chromedp.WaitVisible(`#offline-result p.notice`),
	); err != nil {
		t.Fatal(err)
	}
	navigateCached(t, ctx, readinessURL, `form[data-offline-record="readiness_check"]`)
	checkID := evalJS[string](t, ctx, `document.querySelector('form[data-offline-record] input[name=id]').value`)
	// The first tracer commodity: out of stock since three days.
	item := evalJS[string](t, ctx, `Array.from(document.querySelectorAll("select[name^='a_']")).find(s => Array.from(s.options).some(o => o.value === 'out')).name.slice(2)`)
	if err := chromedp.Do(ctx,
		chromedp.SetValue(`#f-date`, today),
		chromedp.SetValue(`#f-a_`+item, "out"),
		chromedp.SetValue(`#f-since_`+item, since),
		chromedp.Click(`form[data-offline-record] button[type="submit"]`),
		chromedp.WaitVisible(`#offline-result p.notice`),
	); err != nil {
		t.Fatal(err)
	}

	// A reload while still offline: the outbox page (from the cache) lists all three,
	// waiting, and the badge counts them.
	navigateCached(t, ctx, e.srv.URL+"/outbox", `#outbox-list li`)
	waitJS(t, ctx, "three waiting records", `document.querySelectorAll('#outbox-list li[data-state=waiting]').length === 3`)
	waitJS(t, ctx, "the badge", `document.getElementById('outbox-count').textContent === '3'`)
	types := evalJS[string](t, ctx, `meshOffline.all().then(l => l.sort((a, b) => a.saved_at - b.saved_at).map(r => r.type).join(','))`)
	if types != "visit,readiness_check,stock_event" {
		t.Fatalf("outbox holds %s", types)
	}
	visitRec := evalJS[string](t, ctx, `meshOffline.db().then(d => d.get('outbox', '`+visitID+`')).then(r => JSON.stringify(r))`)

	// Back online: everything sent once.
	e.startFull(addr)
	evalJS[bool](t, ctx, `meshOffline.flush().then(() => true)`)
	if left := evalJS[string](t, ctx, `meshOffline.all().then(l => l.length ? JSON.stringify(l) : '')`); left != "" {
		t.Fatalf("left in the outbox after sending: %s", left)
	}
	bg := context.Background()
	v, err := e.db.FindVisitByID(bg, visitID)
	if err != nil || v.FacilityID != fac.ID || string(v.Date) != today || v.Notes != "Captured with no signal." || v.Version != 1 {
		t.Fatalf("visit on the server: %+v (%v)", v, err)
	}
	chk, err := e.db.FindCheckByID(bg, checkID)
	if err != nil || chk.FacilityID != fac.ID || len(chk.OutOfStock()) != 1 || chk.OutOfStock()[0].Item != item {
		t.Fatalf("check on the server: %+v (%v)", chk, err)
	}
	// The stock-out has the id the server's own form would have given it.
	ev, err := e.db.FindStockEventByID(bg, derivedUUID(checkID, item))
	if err != nil || ev.Commodity != item || string(ev.StartedOn) != since || ev.EndedOn != "" || ev.CheckID != checkID {
		t.Fatalf("stock-out on the server: %+v (%v)", ev, err)
	}
	fid := fac.ID
	open, _, err := e.db.FindStockEvents(bg, readiness.StockFilter{FacilityID: &fid, OpenOnly: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var same int
	for _, o := range open {
		if o.Commodity == item {
			same++
		}
	}
	if same != 1 {
		t.Errorf("%d open stock-outs of %s, want 1", same, item)
	}
	// The same visit again (its acknowledgement lost): one copy, unchanged.
	evalJS[bool](t, ctx, `meshOffline.db().then(d => d.put('outbox', `+visitRec+`)).then(() => meshOffline.flush()).then(() => true)`)
	waitJS(t, ctx, "an empty outbox again", `meshOffline.all().then(l => l.length === 0)`)
	if v, err := e.db.FindVisitByID(bg, visitID); err != nil || v.Version != 1 {
		t.Errorf("after a resend: %+v (%v)", v, err)
	}
	list, _, err := e.db.FindVisits(bg, visit.Filter{FacilityID: &fid, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var copies int
	for _, x := range list {
		if x.Notes == "Captured with no signal." {
			copies++
		}
	}
	if copies != 1 {
		t.Errorf("%d copies of the offline visit", copies)
	}
}

// A record edited on the phone and on the server: both versions kept and shown side
// by side; "keep mine" resends it as an edit of the server's version, "keep the
// server's" drops the phone's.
func TestOfflineConflictShownAndResolved(t *testing.T) {
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	const mentor = "mentor.kayonza"
	fac := e.facilityNamed(t, "Rwinkwavu Health Centre")
	bg := context.Background()
	u, err := e.db.FindUserByUsername(bg, mentor)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(id, notes string) {
		v := &visit.Visit{ID: id, FacilityID: fac.ID, MentorID: u.ID, Date: "2026-11-02", Kind: "mentoring", Status: "planned", Notes: notes}
		if _, err := e.db.PutVisit(bg, v, nil); err != nil {
			t.Fatal(err)
		}
	}
	a, b := "0190c1a2-0000-7000-8000-0000000ca001", "0190c1a2-0000-7000-8000-0000000ca002"
	mk(a, "Server notes A")
	mk(b, "Server notes B")
	e.signIn(t, ctx, mentor, "/conflicts")
	// The phone's versions: the same visits with other notes, sent without a version.
	for _, c := range []struct{ id, notes string }{{a, "Phone notes A"}, {b, "Phone notes B"}} {
		rec := fmt.Sprintf(`{id: %q, type: "visit", state: "waiting", user: %q, saved_at: Date.now(), label: "Rwinkwavu", data: {id: %q, facility_id: %d, date: "2026-11-02", kind: "mentoring", status: "planned", activities: [], notes: %q}}`,
			c.id, mentor, c.id, fac.ID, c.notes)
		evalJS[bool](t, ctx, `meshOffline.db().then(d => d.put('outbox', `+rec+`)).then(() => true)`)
	}
	evalJS[bool](t, ctx, `meshOffline.flush().then(() => true)`)
	waitJS(t, ctx, "two conflicts listed", `document.querySelectorAll('#conflicts-list section.conflict').length === 2`)
	row := func(id string) []string {
		return evalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('section.conflict[data-id="`+id+`"] tr.differs')).map(tr => tr.innerText.replace(/\s+/g, ' ').trim())`)
	}
	if got := row(a); len(got) != 1 || got[0] != "notes Phone notes A Server notes A" {
		t.Fatalf("conflict A differs in %q", got)
	}
	// Both kept: the server's visit is untouched, the phone's still in the outbox.
	if v, _ := e.db.FindVisitByID(bg, a); v.Notes != "Server notes A" || v.Version != 1 {
		t.Fatalf("the server's visit changed: %+v", v)
	}
	if n := evalJS[int](t, ctx, `meshOffline.all().then(l => l.filter(r => r.state === 'conflict').length)`); n != 2 {
		t.Fatalf("%d conflicts in the outbox", n)
	}
	// Keep mine for A.
	if err := chromedp.Do(ctx, chromedp.Click(`section.conflict[data-id="`+a+`"] button.keep-mine`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "A sent", `meshOffline.all().then(l => !l.some(r => r.id === '`+a+`'))`)
	if v, _ := e.db.FindVisitByID(bg, a); v.Notes != "Phone notes A" || v.Version != 2 {
		t.Errorf("keep mine: the server holds %+v", v)
	}
	// Keep the server's for B (confirmed).
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true; true`),
		chromedp.Click(`section.conflict[data-id="`+b+`"] button.keep-server`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "no conflicts left", `meshOffline.all().then(l => l.length === 0) && document.querySelectorAll('#conflicts-list section.conflict').length === 0`)
	if v, _ := e.db.FindVisitByID(bg, b); v.Notes != "Server notes B" || v.Version != 1 {
		t.Errorf("keep the server's: the server holds %+v", v)
	}
}

// A new service worker (a deployment) installs and takes over while a record waits:
// the record is still there. So is one written by the first version of the app's
// database when the page upgrades it.
func TestOfflineUpdateKeepsOutbox(t *testing.T) {
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	const mentor = "mentor.kayonza"
	e.signIn(t, ctx, mentor, "/outbox")
	rec := `{id: "0190c1a2-0000-7000-8000-0000000ab001", type: "visit", state: "rejected", user: "` + mentor + `", saved_at: 1, data: {}}`
	evalJS[bool](t, ctx, `meshOffline.db().then(d => d.put('outbox', `+rec+`)).then(() => true)`)
	evalJS[bool](t, ctx, `navigator.serviceWorker.getRegistration().then(r => (window.oldWorker = r.active, true))`)

	old := swScript
	t.Cleanup(func() { swScript = old })
	swScript = func() ([]byte, string) {
		b, v := old()
		return append(append([]byte(nil), b...), "\n// a later deployment\n"...), v + "-next"
	}
	evalJS[bool](t, ctx, `navigator.serviceWorker.getRegistration().then(r => r.update()).then(() => true)`)
	waitJS(t, ctx, "the new worker active", `navigator.serviceWorker.getRegistration().then(r => !!r.active && r.active !== window.oldWorker && r.active.state === 'activated')`)
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(`footer`)); err != nil {
		t.Fatal(err)
	}
	if ids := evalJS[string](t, ctx, `meshOffline.all().then(l => l.map(r => r.id).join())`); ids != "0190c1a2-0000-7000-8000-0000000ab001" {
		t.Fatalf("after the worker update the outbox holds %q", ids)
	}

	// The database as the first version of offline.js made it (outbox and sent only),
	// with a record; the page upgrades it and the record stays.
	evalJS[bool](t, ctx, `meshOffline.db().then(d => d.close()).then(() => new Promise((ok, ko) => {
		const del = indexedDB.deleteDatabase('mesh');
		del.onsuccess = ok; del.onerror = ko; // onblocked: wait for the other connections to close
	})).then(() => new Promise((ok, ko) => {
		const req = indexedDB.open('mesh', 1);
		req.onupgradeneeded = () => { req.result.createObjectStore('outbox', {keyPath: 'id'}); req.result.createObjectStore('sent', {keyPath: 'id'}); };
		req.onsuccess = () => { const tx = req.result.transaction('outbox', 'readwrite');
			tx.objectStore('outbox').put({id: 'v1-record', type: 'visit', state: 'rejected', user: '`+mentor+`', saved_at: 1, data: {}});
			tx.oncomplete = () => { req.result.close(); ok(true); }; };
		req.onerror = ko;
	}))`)
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(`footer`)); err != nil {
		t.Fatal(err)
	}
	got := evalJS[string](t, ctx, `meshOffline.db().then(d => d.getAll('outbox').then(l => d.version + ':' + l.map(r => r.id).join() + ':' + Array.from(d.objectStoreNames).join()))`)
	if got != "2:v1-record:meta,outbox,scope,sent" {
		t.Fatalf("upgraded database: %s", got)
	}
	var st []struct{ ID, State string }
	if err := json.Unmarshal([]byte(evalJS[string](t, ctx, `meshOffline.all().then(l => JSON.stringify(l))`)), &st); err != nil || len(st) != 1 || st[0].State != "rejected" {
		t.Errorf("outbox after the upgrade: %+v %v", st, err)
	}
}
