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

	"mesh/internal/browsertest"
	"mesh/observation"
	"mesh/visit"
)

// A full visit with no signal: the mentor creates a visit offline, observes a child
// in that new visit on the form for any visit (one cached page, filled from the
// outbox and the downloaded scope), sees the feedback, reloads offline with the
// draft and the outbox intact; back online the visit goes first, then the
// observation, each stored once with the score the phone showed. An observation of
// a visit the server refuses is held back as blocked, not lost.
func TestOfflineObserveNewVisit(t *testing.T) {
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	const mentor = "mentor.kayonza"
	fac := e.facilityNamed(t, "Rwinkwavu Health Centre")
	worker := e.workerAt(fac)
	e.signIn(t, ctx, mentor, "/")
	evalJS[int](t, ctx, `meshOffline.download(true)`)
	for _, p := range []string{"/visits/new", "/observe"} {
		waitJS(t, ctx, p+" in the page cache", `caches.match(`+strconv.Quote(e.srv.URL+p)+`, {ignoreVary: true}).then(r => !!r)`)
	}
	// One observation form for every visit: none is kept per visit.
	if n := evalJS[int](t, ctx, `caches.open('mesh-pages').then(c => c.keys()).then(l => l.filter(r => /\/visits\/[^/]+\/observe$/.test(new URL(r.url).pathname)).length)`); n != 0 {
		t.Errorf("%d per-visit observation forms cached", n)
	}
	waitJS(t, ctx, "the engine", `meshOffline.engine().then(() => true)`)

	// The outage: a new visit, captured on the phone.
	addr := e.srv.Listener.Addr().String()
	e.srv.Close()
	today := time.Now().Format("2006-01-02")
	navigateCached(t, ctx, e.srv.URL+"/visits/new", `form[data-offline-record="visit"]`)
	visitID := evalJS[string](t, ctx, `document.querySelector('form[data-offline-record] input[name=id]').value`)
	if err := chromedp.Do(ctx,
		chromedp.SetValue(`#f-facility_id`, strconv.FormatInt(fac.ID, 10)),
		chromedp.SetValue(`#f-date`, today),
		chromedp.SetValue(`#f-status`, "done"),
		chromedp.Click(`form[data-offline-record] button[type="submit"]`),
		chromedp.WaitVisible(`#offline-result a.observe-link`),
	); err != nil {
		t.Fatal(err)
	}

	// Its observation form: the cached page for any visit, with the visit's facility
	// and staff from the phone.
	if err := chromedp.Do(ctx, chromedp.Click(`#offline-result a.observe-link`), chromedp.WaitVisible(`#imci-form`)); err != nil {
		t.Fatal(err)
	}
	if u := evalJS[string](t, ctx, `location.pathname + location.search`); u != "/observe?visit="+visitID {
		t.Fatalf("the observe link opened %s", u)
	}
	waitJS(t, ctx, "the visit's staff", fmt.Sprintf(`!!document.querySelector('#imci-form select[name=health_worker_id] option[value="%d"]')`, worker.ID))
	where := evalJS[string](t, ctx, `document.getElementById('observe-where').textContent`)
	action := evalJS[string](t, ctx, `document.getElementById('imci-form').getAttribute('action')`)
	if !strings.Contains(where, fac.Name) || !strings.Contains(where, today) || action != "/visits/"+visitID+"/observe" {
		t.Errorf("the form for the new visit: %q, action %q", where, action)
	}
	obsID := evalJS[string](t, ctx, `document.querySelector('#imci-form input[name=id]').value`)
	form := pneumoniaObservation()
	form.Set("health_worker_id", idString(worker.ID))
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](fillForm(form)),
		chromedp.Click(chromedp.CSS(`#imci-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#offline-result.offline-feedback`)),
	); err != nil {
		t.Fatal(err)
	}
	text := evalJS[string](t, ctx, `document.getElementById('offline-result').textContent`)
	for _, want := range []string{"saved on this phone", "Correctly managed", "Assessment tasks done"} {
		if !strings.Contains(text, want) {
			t.Errorf("offline feedback lacks %q:\n%s", want, text)
		}
	}
	queued := evalJS[string](t, ctx, `meshOffline.all().then(l => JSON.stringify(l.sort((a, b) => a.saved_at - b.saved_at)))`)
	var recs []struct {
		ID, Type, State string
		Data            json.RawMessage
		Score           observation.Score
	}
	if err := json.Unmarshal([]byte(queued), &recs); err != nil || len(recs) != 2 {
		t.Fatalf("outbox: %v %s", err, queued)
	}
	if recs[0].ID != visitID || recs[0].Type != "visit" || recs[1].ID != obsID || recs[1].Type != "observation" ||
		recs[1].State != "waiting" || !recs[1].Score.CorrectlyManaged || !strings.Contains(string(recs[1].Data), visitID) {
		t.Fatalf("outbox order or content: %s", queued)
	}

	// The next child, a draft, and a reload, all offline: the draft and the outbox stay.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#offline-result a.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#imci-form`)),
	); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "a new id", `document.querySelector('#imci-form input[name=id]').value !== '`+obsID+`'`)
	waitJS(t, ctx, "the staff again", fmt.Sprintf(`!!document.querySelector('#imci-form select[name=health_worker_id] option[value="%d"]')`, worker.ID))
	if v := evalJS[string](t, ctx, `document.getElementById('f-age').value`); v != "" {
		t.Errorf("the queued observation's draft came back: age %q", v)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-age`), "7"),
		chromedp.SetValue(`#f-health_worker_id`, idString(worker.ID)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('imci-form').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#imci-form`)),
	); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the draft's worker", fmt.Sprintf(`document.getElementById('f-health_worker_id').value === '%d'`, worker.ID))
	if evalJS[string](t, ctx, `document.getElementById('f-age').value`) != "7" {
		t.Error("the draft did not survive an offline reload")
	}
	waitJS(t, ctx, "the badge after reload", `document.getElementById('outbox-count').textContent === '2'`)
	// The same form at the visit's own address, offline: the cached page for any visit.
	navigateCached(t, ctx, e.srv.URL+"/visits/"+visitID+"/observe", `#imci-form[data-any-visit]`)
	waitJS(t, ctx, "the visit's staff at /visits/{id}/observe", fmt.Sprintf(`!!document.querySelector('#imci-form select[name=health_worker_id] option[value="%d"]')`, worker.ID))
	if evalJS[string](t, ctx, `document.getElementById('f-age').value`) != "7" {
		t.Error("the visit's draft is not shared by its two addresses")
	}

	// Back online: the visit first, then its observation, each once.
	e.startFull(addr)
	evalJS[bool](t, ctx, `meshOffline.flush().then(() => true)`)
	if left := evalJS[string](t, ctx, `meshOffline.all().then(l => l.length ? JSON.stringify(l) : '')`); left != "" {
		t.Fatalf("left in the outbox after sending: %s", left)
	}
	bg := context.Background()
	v, err := e.db.FindVisitByID(bg, visitID)
	if err != nil || v.FacilityID != fac.ID || string(v.Date) != today || v.Version != 1 {
		t.Fatalf("visit on the server: %+v (%v)", v, err)
	}
	stored, err := e.db.FindObservationByID(bg, obsID)
	if err != nil || stored.VisitID != visitID || stored.HealthWorkerID != worker.ID {
		t.Fatalf("observation on the server: %+v (%v)", stored, err)
	}
	if !sameJSON(t, stored.Score, recs[1].Score) {
		t.Errorf("the server's score differs from the phone's\nserver: %s\nphone:  %s", mustJSONString(stored.Score), mustJSONString(recs[1].Score))
	}
	vid := visitID
	if _, n, err := e.db.FindObservations(bg, observation.Filter{VisitID: &vid}); err != nil || n != 1 {
		t.Errorf("the new visit has %d observations (%v)", n, err)
	}
	fid := fac.ID
	list, _, err := e.db.FindVisits(bg, visit.Filter{FacilityID: &fid, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	copies := 0
	for _, x := range list {
		if x.ID == visitID {
			copies++
		}
	}
	if copies != 1 {
		t.Errorf("%d copies of the visit", copies)
	}
	// Sent again (an acknowledgement lost): still once each.
	evalJS[bool](t, ctx, `meshOffline.db().then(d => Promise.all([`+
		`d.put('outbox', `+string(mustJSONString(map[string]any{"id": visitID, "type": "visit", "data": recs[0].Data, "state": "waiting", "user": mentor, "saved_at": 1}))+`),`+
		`d.put('outbox', `+string(mustJSONString(map[string]any{"id": obsID, "type": "observation", "data": recs[1].Data, "state": "waiting", "user": mentor, "saved_at": 2}))+`)]))`+
		`.then(() => meshOffline.flush()).then(() => true)`)
	waitJS(t, ctx, "an empty outbox again", `meshOffline.all().then(l => l.length === 0)`)
	if _, n, err := e.db.FindObservations(bg, observation.Filter{VisitID: &vid}); err != nil || n != 1 {
		t.Errorf("after a resend the visit has %d observations (%v)", n, err)
	}

	// The signal goes again: the sent visit is still known to the phone, so the next
	// child of it can be observed offline.
	if !evalJS[bool](t, ctx, `meshOffline.db().then(d => d.get('scope', 'visit:`+visitID+`')).then(r => !!r)`) {
		t.Error("the sent visit is not kept on the phone")
	}
	e.srv.Close()
	navigateCached(t, ctx, e.srv.URL+"/observe?visit="+visitID, `#imci-form[data-any-visit]`)
	waitJS(t, ctx, "the sent visit's staff offline", fmt.Sprintf(`!!document.querySelector('#imci-form select[name=health_worker_id] option[value="%d"]')`, worker.ID))
	e.startFull(addr)

	// A visit the server refuses (an unknown kind): its observation is blocked, kept,
	// and shown so; nothing of either is stored.
	badVisit := newUUID()
	evalJS[bool](t, ctx, `meshOffline.db().then(d => d.put('outbox', `+string(mustJSONString(map[string]any{
		"id": badVisit, "type": "visit", "state": "waiting", "user": mentor, "saved_at": time.Now().UnixMilli(), "label": "bad",
		"data": map[string]any{"id": badVisit, "facility_id": fac.ID, "date": today, "kind": "picnic", "status": "done"}}))+`)).then(() => true)`)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/observe?visit="+badVisit), chromedp.WaitVisible(`#imci-form`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the staff for the refused visit", fmt.Sprintf(`!!document.querySelector('#imci-form select[name=health_worker_id] option[value="%d"]')`, worker.ID))
	blockedID := evalJS[string](t, ctx, `document.querySelector('#imci-form input[name=id]').value`)
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](fillForm(form)),
		chromedp.Click(chromedp.CSS(`#imci-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#offline-result.offline-feedback`)),
	); err != nil {
		t.Fatal(err)
	}
	evalJS[bool](t, ctx, `meshOffline.flush().then(() => true)`)
	states := evalJS[string](t, ctx, `meshOffline.all().then(l => l.sort((a, b) => a.saved_at - b.saved_at).map(r => r.type + ':' + r.state).join(','))`)
	if states != "visit:rejected,observation:blocked" {
		t.Fatalf("after the visit was refused the outbox holds %s", states)
	}
	if _, err := e.db.FindObservationByID(bg, blockedID); err == nil {
		t.Error("the blocked observation was stored")
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/outbox"),
		chromedp.WaitVisible(`#outbox-list li[data-state="blocked"][data-id="`+blockedID+`"]`)); err != nil {
		t.Fatal(err)
	}
	item := evalJS[string](t, ctx, `document.querySelector('#outbox-list li[data-state="blocked"]').textContent`)
	if !strings.Contains(item, "Blocked") || !strings.Contains(item, "resolve the visit first") {
		t.Errorf("the blocked observation is shown as %q", item)
	}
	// Sending again does not send it, and it stays.
	evalJS[bool](t, ctx, `meshOffline.flush().then(() => true)`)
	if st := evalJS[string](t, ctx, `meshOffline.db().then(d => d.get('outbox', '`+blockedID+`')).then(r => r ? r.state : 'gone')`); st != "blocked" {
		t.Errorf("the blocked observation is %s after another send", st)
	}
}
