// offline.js: the offline field app (docs/offline.md). Loaded (defer) on every page.
// - registers the service worker (/sw.js) and asks for persistent storage;
// - keeps an IndexedDB outbox of records (keyed by their UUID) until the server has
//   acknowledged each one; shows the unsent count in the header and lists the
//   outbox on /outbox;
// - when the case-observation form cannot reach the server, builds the observation
//   with the WebAssembly engine (the server's own Go code), queues it, and shows the
//   feedback scored on the phone; fills the observation form for any visit
//   (/observe?visit=ID) from the outbox and the downloaded scope, so a visit
//   captured offline can be observed before it is sent (it is sent first);
// - when the anonymous mentee-feedback form cannot reach the server, queues the
//   answer (type mentee_feedback, with the visit's code and no user's name);
// - sends the outbox to POST /api/v1/sync on load, when the browser comes online,
//   on demand and after queuing, retrying with back-off;
// - warns before signing out with unsent records.
// Pages work without it; nothing here is needed while the server can be reached.
/* global idb, Go, meshObservationFromForm, meshScore */
(function () {
  "use strict";
  if (typeof idb === "undefined" || !window.indexedDB) { return; }

  var BATCH = 50; // records per sync request (the server takes up to 500)
  var MAX_DELAY = 5 * 60 * 1000;
  var SENT_KEEP = 30; // how many sent records the outbox page keeps listing
  var script = document.currentScript;
  var userLink = document.getElementById("outbox-link");
  var user = userLink ? userLink.getAttribute("data-user") : "";

  var dbp = null;
  function db() {
    if (!dbp) {
      // Upgrades only ever add stores: the outbox of version 1 is kept as it is
      // (TestOfflineUpdateKeepsOutbox).
      dbp = idb.openDB("mesh", 2, {
        upgrade: function (d) {
          // By name, not by oldVersion: a database opened empty elsewhere (the service
          // worker opens it without a version) still gets its stores.
          if (!d.objectStoreNames.contains("outbox")) {
            // outbox: records not yet acknowledged. sent: a short log of acknowledged
            // ids (no content), so the outbox page can show what went.
            d.createObjectStore("outbox", { keyPath: "id" });
          }
          if (!d.objectStoreNames.contains("sent")) { d.createObjectStore("sent", { keyPath: "id" }); }
          if (!d.objectStoreNames.contains("scope")) {
            // scope: the signed-in user's reference data and open records from
            // GET /api/v1/sync/changes ("type:id" → {type, id, version, data}).
            // meta: the download cursor, and who is signed in (for Background Sync).
            d.createObjectStore("scope", { keyPath: "key" }).createIndex("type", "type");
          }
          if (!d.objectStoreNames.contains("meta")) { d.createObjectStore("meta", { keyPath: "k" }); }
        },
        // Another tab (an older page) wants a newer version: let it go ahead.
        blocking: function () { if (dbp) { dbp.then(function (x) { x.close(); }); dbp = null; } }
      });
    }
    return dbp;
  }

  function labels(el) {
    try { return JSON.parse(el.getAttribute("data-offline-labels") || "{}"); } catch (e) { return {}; }
  }

  // offlineCatalog reads the coaching catalog the server put on the observation form
  // (web/offline.go): {text: key → text in the page's language, urgent: [codes]}.
  function offlineCatalog(f) {
    var c = {};
    try { c = JSON.parse(f.getAttribute("data-offline-catalog") || "{}") || {}; } catch (e) { c = {}; }
    return { text: c.text || {}, urgent: c.urgent || [] };
  }

  // sprintf fills catalog text as Go's fmt does for the verbs the catalogs use: %s,
  // %d and %v take the next argument, %[n]s the n-th (and the next verb goes on from
  // there), %% is a percent sign.
  function sprintf(format, args) {
    var i = 0;
    return format.replace(/%(?:\[(\d+)\])?([sdv%])/g, function (m, n, verb) {
      if (verb === "%" && !n) { return "%"; }
      if (n) { i = parseInt(n, 10) - 1; }
      var v = args[i++];
      return v === undefined || v === null ? m : String(v);
    });
  }

  // coachingText writes one coaching point in the page's language from its message
  // key and arguments, with the same rules as feedbackText in web/feedback.go: codes
  // become their names, numbers stay numbers, and a key the catalog does not know (a
  // newer engine) falls back to the engine's English message.
  function coachingText(C, p, expected) {
    var T = C.text;
    var key = "feedback." + String(p.message_key || "").replace(/^observation\.feedback\./, "");
    if (!p.message_key || !Object.prototype.hasOwnProperty.call(T, key)) { return p.message; }
    var a = p.args || {};
    function tr(k) {
      var t = Object.prototype.hasOwnProperty.call(T, k) ? T[k] : k;
      var rest = Array.prototype.slice.call(arguments, 1);
      return rest.length ? sprintf(t, rest) : t;
    }
    function code(prefix, c) {
      c = c || "";
      return c && Object.prototype.hasOwnProperty.call(T, prefix + c) ? T[prefix + c] : c;
    }
    function className(c) { return c === "LOW_OXYGEN_SATURATION" ? tr("imci.warning.LOW_OXYGEN_SATURATION") : code("imci.class.", c); }
    function cls(name) { return className(a[name]); }
    function treat(name) { return code("imci.treat.", a[name]); }
    function given() {
      var g = a.given || "";
      return g === "" || g === "nothing" || g === "none" ? tr("feedback.nothing_written") : g;
    }
    function band() { return a.min === a.max || !a.max ? (a.min || "") : a.min + "\u2013" + a.max; }
    function unit() { return code("imci.unit.", a.unit); }
    function names(codes) { return codes.filter(function (c) { return c; }).map(className).join(", "); }
    var text;
    switch (key.slice("feedback.".length)) {
      case "classification.missed_pink":
        text = tr(key, cls("classification"));
        if (a.given) { text += " " + tr("feedback.wrote_instead", cls("given")); }
        text += " " + tr(C.urgent.indexOf(a.classification) >= 0 ? "feedback.action.urgent" : "feedback.action.treat_now");
        break;
      case "referral.missed":
        text = tr(key, names(expected.referral_reasons || []));
        break;
      case "classification.under": case "classification.over":
        text = tr(key, cls("given"), cls("classification"));
        break;
      case "classification.missed": case "classification.extra":
        text = tr(key, cls("classification"));
        break;
      case "treatment.not_indicated": case "treatment.extra": case "counselling.first_dose":
        text = tr(key, treat("treatment"));
        break;
      case "treatment.missed":
        text = tr(key, treat("treatment"), names(String(a["for"] || "").split(",")));
        break;
      case "dose.out_of_band":
        text = tr(key, treat("treatment"), given(), band(), unit());
        break;
      case "dose.not_recorded":
        text = tr(key, treat("treatment"), band(), unit());
        break;
      case "dose.frequency": case "dose.duration":
        text = tr(key, treat("treatment"), band(), given());
        break;
      case "follow_up.days":
        text = tr(key, a.days || "", given());
        break;
      default:
        text = tr(key);
    }
    return text;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // The device's clock with its UTC offset: the wasm runtime has no time zone, and
  // observed_at must say the local time the server would have written.
  function nowRFC3339() {
    var d = new Date(), off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    function p(n) { return (n < 10 ? "0" : "") + n; }
    off = Math.abs(off);
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" +
      p(d.getMinutes()) + ":" + p(d.getSeconds()) + sign + p(Math.floor(off / 60)) + ":" + p(off % 60);
  }

  // ---- the outbox ----

  async function all() { return (await db()).getAll("outbox"); }

  async function updateBadge() {
    var badge = document.getElementById("outbox-count");
    if (!badge) { return; }
    var n = await (await db()).count("outbox");
    badge.textContent = String(n);
    badge.hidden = n === 0;
  }

  async function put(rec) {
    await (await db()).put("outbox", rec);
    await updateBadge();
  }

  // acknowledge moves an acknowledged record out of the outbox in one transaction:
  // it is deleted only now, after the server said stored or already_stored.
  async function acknowledge(rec, version) {
    var d = await db();
    var tx = d.transaction(["outbox", "sent", "scope"], "readwrite");
    tx.objectStore("outbox").delete(rec.id);
    if (rec.type === "visit" && rec.data) {
      // The visit stays known to the phone, so the next child of a visit sent during
      // a moment of signal can still be observed offline (the next download brings
      // the server's copy).
      tx.objectStore("scope").put({ key: "visit:" + rec.id, type: "visit", id: rec.id, version: version || 0, data: rec.data });
    }
    tx.objectStore("sent").put({ id: rec.id, type: rec.type, label: rec.label || "",
      url: rec.url || (rec.type === "observation" ? "/observations/" + rec.id : ""),
      saved_at: rec.saved_at, sent_at: Date.now(), version: version || 0 });
    await tx.done;
    var sent = await d.getAll("sent");
    if (sent.length > SENT_KEEP) {
      sent.sort(function (a, b) { return a.sent_at - b.sent_at; });
      for (var i = 0; i < sent.length - SENT_KEEP; i++) { await d.delete("sent", sent[i].id); }
    }
  }

  var flushing = null, retryTimer = null, failures = 0;

  function bySaved(a, b) { return (a.saved_at || 0) - (b.saved_at || 0); }

  // flush sends the current user's waiting records in batches. Records of another
  // user on a shared phone wait for that user: the server would file them under the
  // wrong account. Conflicts and rejections stay until someone looks at them.
  function flush() {
    if (flushing) { return flushing; }
    var run = function () { return user ? doFlush() : doFlushAnonymous(); };
    // One tab at a time sends (a second would only get already_stored answers).
    flushing = (navigator.locks ? navigator.locks.request("mesh-outbox", run) : run())
      .catch(function () { /* scheduled for retry below */ })
      .then(function () { flushing = null; return updateBadge(); })
      .then(renderOutbox).then(renderConflicts);
    return flushing;
  }

  // settleBlocked holds back an observation whose visit is in the outbox rejected or
  // in conflict ("blocked": the server cannot store it before its visit), and lets it
  // go again once the visit is waiting or gone. An observation the server refused
  // for want of its visit becomes blocked too; other refusals stay refusals.
  async function settleBlocked() {
    var list = await all(), visits = {};
    list.forEach(function (r) { if (r.type === "visit") { visits[r.id] = r; } });
    for (var i = 0; i < list.length; i++) {
      var r = list[i];
      if (r.type !== "observation") { continue; }
      var v = visits[(r.data || {}).visit_id], stuck = !!v && (v.state === "rejected" || v.state === "conflict");
      var forVisit = r.state === "rejected" && (r.errors || []).some(function (m) { return /^visit_id\b/.test(m); });
      if (stuck && (r.state === "waiting" || forVisit)) {
        r.state = "blocked";
        await put(r);
      } else if (!stuck && r.state === "blocked") {
        r.state = "waiting";
        delete r.errors;
        await put(r);
      }
    }
  }

  async function doFlush() {
    await settleBlocked();
    // Anonymous feedback belongs to no account (it carries its visit's code): any
    // signed-in user of the device may send it.
    var recs = (await all()).filter(function (r) {
      return (r.user === user || r.type === "mentee_feedback") && r.state === "waiting";
    }).sort(bySaved); // in the order captured: a check before the stock-outs it opens
    for (var i = 0; i < recs.length; i += BATCH) {
      var batch = recs.slice(i, i + BATCH);
      var resp;
      try {
        resp = await fetch("/api/v1/sync", {
          method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ records: batch.map(function (r) { return { type: r.type, id: r.id, version: r.version, data: r.data }; }) })
        });
      } catch (e) {
        return retryLater(); // no connection: nothing was acknowledged, all stay
      }
      if (resp.status === 401) { return; } // signed out: wait for a sign-in
      if (!resp.ok) { return retryLater(); }
      var body = await resp.json();
      var results = body.results || [];
      for (var j = 0; j < batch.length; j++) {
        var rec = batch[j], res = results[j];
        if (!res || res.id !== rec.id) { continue; } // never guess: resend next time
        if (res.status === "stored" || res.status === "already_stored") {
          await acknowledge(rec, res.version);
        } else if (res.status === "conflict" || res.status === "invalid") {
          rec.state = res.status === "conflict" ? "conflict" : "rejected";
          rec.errors = (res.errors || []).map(function (e) { return (e.field ? e.field + ": " : "") + (e.message || e.code); });
          if (rec.state === "conflict") {
            // Both versions are kept: ours in the outbox, the server's copied beside
            // it, so the conflicts page can show them side by side offline too.
            rec.server = await serverVersion(rec);
          }
          await put(rec);
        }
      }
      await settleBlocked(); // a visit refused in this batch holds back its observations
    }
    failures = 0;
    if (scopeReady) { await download().catch(function () { /* next time */ }); }
  }

  // doFlushAnonymous sends anonymous feedback when nobody is signed in, through the
  // form it came from (POST /feedback/{code} needs no session; the id makes a
  // repeat harmless). Other records wait for their author.
  async function doFlushAnonymous() {
    var recs = (await all()).filter(function (r) { return r.type === "mentee_feedback" && r.state === "waiting"; });
    for (var i = 0; i < recs.length; i++) {
      var rec = recs[i], d = rec.data || {}, body = new URLSearchParams(), resp;
      body.set("id", rec.id);
      body.set("comment", d.comment || "");
      Object.keys(d.ratings || {}).forEach(function (k) { body.set("rating." + k, String(d.ratings[k])); });
      try {
        resp = await fetch("/feedback/" + encodeURIComponent(d.code || ""), { method: "POST", body: body, credentials: "same-origin" });
      } catch (e) {
        return retryLater();
      }
      if (resp.status >= 500) { return retryLater(); }
      if (resp.ok && resp.redirected) {
        await acknowledge(rec, 0);
      } else {
        rec.state = "rejected";
        rec.errors = [String(resp.status)];
        await put(rec);
      }
    }
    failures = 0;
  }

  function retryLater() {
    failures++;
    var delay = Math.min(MAX_DELAY, 5000 * Math.pow(2, failures - 1)) * (0.75 + Math.random() / 2);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, delay);
  }

  // ---- the WebAssembly engine ----

  var enginePromise = null;
  // engine loads wasm_exec.js and mesh.wasm once (from the service worker's cache when
  // offline) and resolves when the Go program has registered its functions.
  function engine() {
    if (enginePromise) { return enginePromise; }
    enginePromise = new Promise(function (resolve, reject) {
      if (typeof meshScore === "function") { resolve(); return; }
      var s = document.createElement("script");
      s.src = script.getAttribute("data-wasm-exec");
      s.onerror = function () { reject(new Error("wasm_exec.js not available")); };
      s.onload = function () {
        var go = new Go();
        window.meshEngineReady = resolve;
        WebAssembly.instantiateStreaming(fetch(script.getAttribute("data-wasm")), go.importObject)
          .then(function (r) { go.run(r.instance); })
          .catch(reject);
      };
      document.head.appendChild(s);
    });
    enginePromise.catch(function () { enginePromise = null; });
    return enginePromise;
  }

  // ---- the observation form ----

  var form = document.querySelector("form[data-offline='observation']");
  var result = document.getElementById("offline-result");

  // freshID gives a form a new id when its page came from the cache carrying the id
  // of a record already queued from it (the next child, visit or check needs its
  // own, or the server would see a conflict). The submit handlers are attached
  // before this runs: a quick tap must never post natively past them.
  async function freshID(f) {
    var idInput = f.elements.id, d = await db();
    if (idInput && (await d.get("outbox", idInput.value) || await d.get("sent", idInput.value))) {
      idInput.value = uuid();
    }
  }

  function setupForm() {
    form.addEventListener("submit", onSubmit);
    freshID(form);
    if (form.hasAttribute("data-any-visit")) { fillAnyVisit().catch(function () { unknownVisit(); }); }
    // Load the engine once the page is idle, so it is ready (and cached) before the
    // connection goes; the form works without it.
    var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 1500); };
    idle(function () { engine().catch(function () { /* loaded again on demand */ }); });
  }

  async function onSubmit(ev) {
    if (form.getAttribute("data-native") === "1") { return; }
    ev.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (form.hasAttribute("data-any-visit") && !anyVisit) { return; } // no visit: nothing to save it under
    // A visit still in the outbox is not on the server yet: the observation waits
    // behind it in the outbox (the sync sends the visit first).
    if (!(anyVisit && anyVisit.pending) && await sentOnline(form, body)) { return; }
    await queueObservation(body);
  }

  // ---- the observation form for any visit ----

  // The form for any visit (GET /observe, docs/offline.md) is one page kept by the
  // service worker for every visit; it is shown at /observe?visit=ID and, offline, at
  // /visits/ID/observe. The visit comes from the device: the outbox (a visit captured
  // offline, not yet sent) or the downloaded scope (a planned visit); its facility and
  // the staff in post there from the scope.
  var anyVisit = null;

  function anyVisitID() {
    var m = location.pathname === "/observe" ? /[?&]visit=([0-9a-fA-F-]{36})(?:&|$)/.exec(location.search)
      : /^\/visits\/([0-9a-fA-F-]{36})\/observe$/.exec(location.pathname);
    return m && UUID_RE.test(m[1].toLowerCase()) ? m[1].toLowerCase() : "";
  }

  // draftKey is imci-form.js's key for this page's draft: one per visit.
  function draftKey() {
    var id = anyVisitID();
    return "mesh.draft:" + (id ? "/visits/" + id + "/observe" : location.pathname);
  }

  // deviceVisit finds a visit on the device: {data, pending} (pending: in the outbox).
  async function deviceVisit(id) {
    var d = await db();
    var o = await d.get("outbox", id);
    if (o && o.type === "visit") { return { data: o.data || {}, pending: true }; }
    var sc = await d.get("scope", "visit:" + id);
    return sc ? { data: sc.data || {}, pending: false } : null;
  }

  function unknownVisit() {
    var u = document.getElementById("observe-unknown");
    if (u) { u.hidden = false; }
    form.hidden = true;
  }

  // inPost says whether a downloaded health worker is posted at facility fid on day.
  function inPost(h, fid, day) {
    var ps = h.postings && h.postings.length ? h.postings : [{ facility_id: h.facility_id, start_on: h.start_on, end_on: h.end_on }];
    return ps.some(function (p) {
      return Number(p.facility_id) === fid && (!p.start_on || p.start_on <= day) && (!p.end_on || p.end_on >= day);
    });
  }

  async function fillAnyVisit() {
    var id = anyVisitID(), v = id ? await deviceVisit(id) : null;
    if (!v) { unknownVisit(); return; }
    var x = v.data, fid = Number(x.facility_id), date = String(x.date || "");
    form.action = "/visits/" + id + "/observe";
    form.setAttribute("data-visit-id", id);
    form.setAttribute("data-visit-date", date);
    var fac = await (await db()).get("scope", "place:" + fid);
    document.getElementById("observe-where").textContent = (fac ? fac.data.name : "") + " · " + date;
    var cancel = document.getElementById("observe-cancel");
    if (cancel && !v.pending) { cancel.href = "/visits/" + id; }
    var risk = form.elements["setting.malaria_risk"];
    if (risk && !risk.value && fac && fac.data.malaria_risk) { risk.value = fac.data.malaria_risk; }
    var day = nowRFC3339().slice(0, 10), trained = {}, sel = form.elements.health_worker_id;
    var staff = (await scopeOf("health_worker")).map(function (r) { return r.data; })
      .filter(function (h) { return inPost(h, fid, day); })
      .sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; });
    staff.forEach(function (h) {
      sel.appendChild(new Option(h.name, String(h.id)));
      trained[String(h.id)] = h.imci_trained_on || "";
    });
    form.setAttribute("data-trained-on", JSON.stringify(trained));
    document.getElementById("observe-no-workers").hidden = staff.length > 0;
    // imci-form.js restored the draft before the staff were listed: the worker now.
    try {
      var dr = JSON.parse(localStorage.getItem(draftKey()) || "null");
      if (dr && dr.health_worker_id && dr.health_worker_id[0]) { sel.value = dr.health_worker_id[0]; }
    } catch (e) { /* no draft */ }
    anyVisit = { id: id, pending: v.pending };
  }

  // sentOnline posts a form's body; true when the server answered (and the page has
  // moved on), false when it could not be reached and the record is to be queued.
  async function sentOnline(f, body) {
    var resp = null;
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, 20000) : null;
    try {
      resp = await fetch(f.action, { method: "POST", body: body, credentials: "same-origin", signal: ctl && ctl.signal });
    } catch (e) {
      resp = null; // unreachable or too slow: save on the phone (the UUID makes a late duplicate harmless)
    }
    clearTimeout(timer);
    if (resp && resp.status < 500) {
      if (resp.redirected) { location.assign(resp.url); return true; }
      // The server answered with the form and its errors: post natively so the
      // browser shows that page as usual (nothing was saved, so posting again is safe).
      f.setAttribute("data-native", "1");
      HTMLFormElement.prototype.submit.call(f);
      return true;
    }
    return false;
  }

  async function queueObservation(body) {
    var L = labels(form);
    try {
      await engine();
    } catch (e) {
      showMessage(L.engine_missing, []);
      return;
    }
    var id = (form.elements.id && form.elements.id.value || "").toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) { id = uuid(); }
    var built = JSON.parse(meshObservationFromForm(body.toString(), form.getAttribute("data-visit-id"), "",
      form.getAttribute("data-visit-date") || "", nowRFC3339()));
    if (built.errors && built.errors.length) { showMessage(L.errors, built.errors); return; }
    var trained = {};
    try { trained = JSON.parse(form.getAttribute("data-trained-on") || "{}") || {}; } catch (e) { trained = {}; }
    var scored = JSON.parse(meshScore(JSON.stringify(built.observation), trained[body.get("health_worker_id")] || ""));
    if (scored.errors && scored.errors.length) { showMessage(L.errors, scored.errors); return; }
    var place = document.getElementById("observe-where") || document.querySelector("main p.muted");
    await put({ id: id, type: "observation", data: built.observation, state: "waiting", user: user,
      saved_at: Date.now(), label: place ? place.textContent : "", url: "/observations/" + id, score: scored.score });
    persist();
    // The draft is now in the outbox: the next child starts from an empty form, as
    // after a save on the server.
    try { localStorage.removeItem(draftKey()); } catch (e) { /* ignore */ }
    showFeedback(L, scored);
    flush();
  }

  function showMessage(text, errs) {
    result.textContent = "";
    result.appendChild(el("p", "alert", text));
    if (errs.length) {
      var ul = el("ul", "offline-errors");
      errs.forEach(function (e) { ul.appendChild(el("li", "", (e.field ? e.field + ": " : "") + (e.message || e.code))); });
      result.appendChild(ul);
    }
    result.hidden = false;
    result.scrollIntoView();
  }

  // showFeedback draws the score made on the phone: the five checks, the tasks and
  // the coaching points (in the engine's English; the full, translated feedback
  // page is on the server once the record is sent).
  function showFeedback(L, scored) {
    var sc = scored.score;
    var C = offlineCatalog(form);
    result.textContent = "";
    result.className = "offline-feedback feedback-summary";
    result.appendChild(el("p", "notice", L.queued));
    result.appendChild(el("h2", "", L["feedback.title"]));
    result.appendChild(el("p", "hint", L["feedback.note"]));
    result.appendChild(el("p", "", sc.correctly_managed ? L["feedback.correct"] : L["feedback.not_correct"]));
    var checks = el("ul", "checks");
    [["classification", sc.classification_correct], ["treatment", sc.treatment_correct], ["referral", sc.referral_correct],
      ["follow_up", sc.follow_up_correct], ["counselling", sc.counselling_complete]].forEach(function (c) {
      checks.appendChild(el("li", c[1] ? "ok" : "not-ok", L["check." + c[0]] + ": " + (c[1] ? L["feedback.ok"] : L["feedback.not_ok"])));
    });
    result.appendChild(checks);
    var req = (sc.tasks_required || []).length;
    result.appendChild(el("p", "", L["feedback.tasks"] + ": " + (req - (sc.tasks_missed || []).length) + " / " + req));
    if ((sc.feedback || []).length) {
      result.appendChild(el("h3", "", L["feedback.points"]));
      var ol = el("ol", "points");
      sc.feedback.forEach(function (p) {
        ol.appendChild(el("li", "severity-" + p.severity, (L["severity." + p.severity] || p.severity) + ": " +
          coachingText(C, p, scored.expected || {})));
      });
      result.appendChild(ol);
    }
    var again = el("a", "button primary", L["feedback.another"]);
    again.href = location.pathname + location.search;
    result.appendChild(el("p", "actions")).appendChild(again);
    form.hidden = true;
    result.hidden = false;
    window.scrollTo(0, 0);
  }

  // ---- the anonymous feedback form ----

  var voiceForm = document.querySelector("form[data-offline='feedback']");

  function setupVoiceForm() {
    voiceForm.addEventListener("submit", onVoiceSubmit);
    freshID(voiceForm);
  }

  async function onVoiceSubmit(ev) {
    if (voiceForm.getAttribute("data-native") === "1") { return; }
    ev.preventDefault();
    var body = new URLSearchParams(new FormData(voiceForm));
    if (await sentOnline(voiceForm, body)) { return; }
    var ratings = {}, n = 0;
    body.forEach(function (v, k) {
      if (k.indexOf("rating.") === 0) { ratings[k.slice(7)] = parseInt(v, 10); n++; }
    });
    var msg = document.getElementById("offline-result");
    msg.textContent = "";
    msg.hidden = false;
    if (n === 0) {
      msg.appendChild(el("p", "alert", voiceForm.getAttribute("data-offline-empty")));
      msg.scrollIntoView();
      return;
    }
    var id = (body.get("id") || "").toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) { id = uuid(); }
    // No label, no place, no user's name: the record is as anonymous as the answer.
    await put({ id: id, type: "mentee_feedback", state: "waiting", user: user, saved_at: Date.now(), label: "", url: "",
      data: { id: id, code: voiceForm.getAttribute("data-code"), ratings: ratings, comment: body.get("comment") || "",
        language: document.documentElement.lang || "" } });
    if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
    msg.appendChild(el("p", "notice", voiceForm.getAttribute("data-offline-queued")));
    voiceForm.hidden = true;
    window.scrollTo(0, 0);
    flush();
  }

  // ---- the outbox page ----

  var outboxEl = document.getElementById("outbox");

  async function renderOutbox() {
    if (!outboxEl) { return; }
    var L = labels(outboxEl);
    var list = document.getElementById("outbox-list");
    var recs = await all();
    var sent = await (await db()).getAll("sent");
    recs.sort(function (a, b) { return a.saved_at - b.saved_at; });
    sent.sort(function (a, b) { return b.sent_at - a.sent_at; });
    list.textContent = "";
    recs.forEach(function (r) {
      var state = r.user !== user && r.type !== "mentee_feedback" ? "other_user" : r.state;
      var li = el("li", "outbox-item state-" + r.state);
      li.setAttribute("data-id", r.id);
      li.setAttribute("data-state", r.state);
      li.appendChild(el("strong", "", L["outbox.type." + r.type] || r.type));
      li.appendChild(document.createTextNode(" · " + (r.label || "") + " · " + L["outbox.saved"] + " " + new Date(r.saved_at).toLocaleString()));
      li.appendChild(el("p", "state", L["state." + state] || state));
      if (r.state === "blocked") { li.appendChild(el("p", "error", L.blocked)); }
      (r.errors || []).forEach(function (m) { li.appendChild(el("p", "error", m)); });
      if (r.type === "visit" && r.state === "waiting" && state === "waiting") {
        var obs = el("a", "observe-link", L["observe.link"]);
        obs.href = "/observe?visit=" + r.id;
        li.appendChild(document.createTextNode(" "));
        li.appendChild(obs);
      }
      if (r.state === "conflict" || r.state === "rejected") {
        var rm = el("button", "link", L["outbox.remove"]);
        rm.type = "button";
        rm.addEventListener("click", async function () {
          if (!window.confirm(L["outbox.remove_confirm"])) { return; }
          await (await db()).delete("outbox", r.id);
          await updateBadge();
          renderOutbox();
        });
        li.appendChild(rm);
      }
      list.appendChild(li);
    });
    sent.forEach(function (s) {
      var li = el("li", "outbox-item state-sent");
      li.setAttribute("data-id", s.id);
      li.setAttribute("data-state", "sent");
      var a = el("a", "", L["outbox.type." + s.type] || s.type);
      if (s.url) { a.href = s.url; }
      li.appendChild(a);
      li.appendChild(document.createTextNode(" · " + (s.label || "") + " · " + new Date(s.sent_at).toLocaleString()));
      li.appendChild(el("p", "state", L["state.sent"]));
      list.appendChild(li);
    });
    document.getElementById("outbox-empty").hidden = recs.length > 0;
    var st = document.getElementById("outbox-storage");
    if (navigator.storage && navigator.storage.persisted) {
      st.textContent = (await navigator.storage.persisted()) ? L["outbox.persisted"] : L["outbox.not_persisted"];
      st.hidden = false;
    }
  }

  // ---- the mentor's scope, downloaded for offline use ----

  // What the phone keeps of the server's data: the places and health workers of the
  // user's area, planned visits (the observation forms to cache) and open stock-outs
  // (so an offline readiness check opens or closes them as the server would).
  var SCOPE_TYPES = "place,health_worker,visit,stock_event";
  var SCOPE_PAGE = 500; // changes per request (the server allows 1000)
  var SCOPE_EVERY = 60 * 1000; // at most one check for changes a minute, unless asked
  var WARM_MAX = 120; // pages fetched for offline use after a download
  var WARM_DAYS = 14; // how far ahead planned visits get their forms cached
  var WARM_PARALLEL = 4; // pages fetched at once
  var RECENT_DAYS = 7; // visits done this long ago are still kept, for their observations

  var downloading = null, scopeReady = false;
  var SCOPE_DELAY = 5000; // ms after the page's load event

  // download pages through GET /api/v1/sync/changes from the stored cursor, each page
  // stored with its cursor in one transaction: a download cut off (page closed, signal
  // lost) goes on from the last page stored. Resolves to the number of changes.
  function download(force) {
    if (!user || !navigator.onLine && !force) { return Promise.resolve(0); }
    if (downloading) { return downloading; }
    var run = function () { return doDownload(force); };
    downloading = (navigator.locks ? navigator.locks.request("mesh-scope", run) : run())
      .then(function (n) { downloading = null; return n; }, function (e) { downloading = null; throw e; });
    return downloading;
  }

  async function doDownload(force) {
    var d = await db();
    var m = await d.get("meta", "scope");
    if (m && m.user !== user) {
      // Another user's data: not for this one.
      await d.clear("scope");
      m = null;
    }
    if (!force && m && m.complete && Date.now() - m.at < SCOPE_EVERY) { return 0; }
    var cursor = m ? m.cursor : "", n = 0, t0 = Date.now(), pages = 0;
    for (;;) {
      var resp = await fetch("/api/v1/sync/changes?types=" + SCOPE_TYPES + "&limit=" + SCOPE_PAGE +
        "&since=" + encodeURIComponent(cursor), { credentials: "same-origin" });
      if (!resp.ok) { throw new Error("sync/changes: " + resp.status); }
      var body = await resp.json();
      var tx = d.transaction(["scope", "meta"], "readwrite");
      var st = tx.objectStore("scope");
      (body.changes || []).forEach(function (c) {
        var key = c.type + ":" + c.id, x = c.data || {};
        var gone = c.deleted || (c.type === "visit" && !keptVisit(x)) || (c.type === "stock_event" && x.ended_on);
        if (gone) { st.delete(key); } else { st.put({ key: key, type: c.type, id: c.id, version: c.version, data: x }); }
      });
      tx.objectStore("meta").put({ k: "scope", user: user, cursor: body.cursor, at: Date.now(), complete: !body.more });
      await tx.done;
      n += (body.changes || []).length;
      pages++;
      cursor = body.cursor;
      if (!body.more) { break; }
    }
    var t1 = Date.now(), warmed = 0;
    if (n > 0 || force) { warmed = await warmPages(); }
    // For the 2G measurement (TestOfflineInitialSync2G) and anyone curious.
    window.meshOffline.lastDownload = { changes: n, requests: pages, data_ms: t1 - t0, pages: warmed, pages_ms: Date.now() - t1 };
    return n;
  }

  // keptVisit says which visits the phone keeps: planned ones (their pages are kept
  // for offline use) and those of the last RECENT_DAYS not cancelled (observed on the
  // form for any visit, e.g. the next child after a moment of signal).
  function keptVisit(x) {
    if (x.status === "planned") { return true; }
    var since = new Date(Date.now() - RECENT_DAYS * 864e5).toISOString().slice(0, 10);
    return x.status !== "cancelled" && String(x.date || "") >= since;
  }

  async function scopeOf(type) { return (await db()).getAllFromIndex("scope", "type", type); }

  // warmPages keeps, for use offline, the forms the scope makes possible: a new visit,
  // each planned visit and its observation form, each facility's readiness check.
  // Only pages not yet kept are fetched (an opened page refreshes itself).
  async function warmPages() {
    if (!window.caches) { return 0; }
    // One observation form for every visit (/observe, filled on the phone from the
    // scope or the outbox); the service worker shows it for /observe?visit=ID and
    // /visits/ID/observe.
    var urls = ["/visits/new", "/outbox", "/conflicts", "/observe"];
    // Planned visits of the coming fortnight, the nearest first (later visits are
    // fetched by later downloads).
    var horizon = new Date(Date.now() + WARM_DAYS * 864e5).toISOString().slice(0, 10);
    (await scopeOf("visit"))
      .filter(function (v) { return v.data.status === "planned" && String(v.data.date || "") <= horizon; })
      .sort(function (a, b) { return a.data.date < b.data.date ? -1 : a.data.date > b.data.date ? 1 : 0; })
      .forEach(function (v) { urls.push("/visits/" + v.id); });
    (await scopeOf("place")).forEach(function (p) {
      if (p.data.type === "facility") { urls.push("/facilities/" + p.id + "/readiness/new"); }
    });
    var cache = await caches.open("mesh-pages"), fetched = 0, next = 0, lost = false;
    urls = urls.slice(0, WARM_MAX);
    // A few at a time: on 2G each page waits mostly on the round trip, not the bytes.
    async function worker() {
      while (!lost && next < urls.length) {
        var u = urls[next++];
        if (await cache.match(u, { ignoreVary: true })) { continue; }
        try {
          var resp = await fetch(u, { credentials: "same-origin" });
          if (resp.ok && !resp.redirected) { await cache.put(u, resp); fetched++; }
        } catch (e) { lost = true; } // offline again: the rest next time
      }
    }
    var workers = [];
    for (var w = 0; w < WARM_PARALLEL; w++) { workers.push(worker()); }
    await Promise.all(workers);
    return fetched;
  }

  // ---- visits and readiness checks offline ----

  var UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  // derivedUUID is web/facility.go's derivedUUID: the same stock-out event id from the
  // same check and item, so the server and the phone never open one twice.
  async function derivedUUID(parts) {
    var sum = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\u0000"))));
    var b = sum.slice(0, 16);
    b[6] = (b[6] & 0x0f) | 0x80; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function formID(f) {
    var id = (f.elements.id && f.elements.id.value || "").toLowerCase();
    return UUID_RE.test(id) ? id : uuid();
  }

  function integer(v) {
    v = String(v || "").trim();
    return v === "" ? 0 : (/^\d+$/.test(v) ? parseInt(v, 10) : v); // a non-number goes as it is: the server names the field
  }

  // visitRecord is what POST /visits/new would save (web/visits.go createVisit).
  function visitRecord(f, body, id) {
    var fac = f.elements.facility_id, opt = fac && fac.selectedIndex >= 0 ? fac.options[fac.selectedIndex] : null;
    return { id: id, type: "visit", url: "/visits/" + id,
      label: (opt && opt.value ? opt.textContent.trim() : "") + " · " + (body.get("date") || ""),
      data: { id: id, facility_id: integer(body.get("facility_id")), date: body.get("date") || "",
        kind: body.get("kind") || "", status: body.get("status") || "", activities: body.getAll("activities"),
        teaching_topic: body.get("teaching_topic") || "", teaching_attendees: integer(body.get("teaching_attendees")),
        notes: body.get("notes") || "" } };
  }

  // readinessRecords is what POST /facilities/{id}/readiness/new would save
  // (web/facility.go readinessCreate): the check, then the stock-out events it opens
  // (an item out of stock with no open event in the scope) or closes (an item back
  // in stock whose open event started before the check).
  async function readinessRecords(f, body, id) {
    var fid = parseInt(f.getAttribute("data-facility-id"), 10), date = body.get("date") || "";
    var answers = [];
    Array.prototype.slice.call(f.querySelectorAll("select[name^='a_']"))
      .sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; })
      .forEach(function (sel) {
        var code = sel.name.slice(2), v = sel.value;
        if (!v) { return; }
        var opts = Array.prototype.map.call(sel.options, function (o) { return o.value; }), a = { item: code };
        if (opts.indexOf("in") >= 0) { // tracer commodity
          a.in_stock = v === "in";
          if (v === "out" && body.get("since_" + code)) { a.out_since = body.get("since_" + code); }
        } else if (opts.indexOf("ok") >= 0) { // equipment
          a.present = v !== "absent";
          a.functional = v === "ok";
        } else {
          a.present = v === "present";
        }
        answers.push(a);
      });
    var name = document.querySelector("main h1");
    var label = (name ? name.textContent.replace(/^[^:]*:\s*/, "") : "") + " · " + date;
    var out = [{ id: id, type: "readiness_check", label: label, url: "/facilities/" + fid + "/systems",
      data: { id: id, facility_id: fid, visit_id: body.get("visit_id") || "", date: date, answers: answers, notes: body.get("notes") || "" } }];
    var open = {};
    (await scopeOf("stock_event")).forEach(function (e) {
      var x = e.data;
      if (x.facility_id === fid && !x.ended_on && (!open[x.commodity] || x.started_on < open[x.commodity].data.started_on)) { open[x.commodity] = e; }
    });
    for (var i = 0; i < answers.length; i++) {
      var a = answers[i], e = open[a.item];
      if (a.in_stock === false && !e) {
        var sid = await derivedUUID([id, a.item]);
        out.push({ id: sid, type: "stock_event", label: a.item + " · " + label, url: "/stockouts",
          data: { id: sid, facility_id: fid, commodity: a.item, started_on: a.out_since || "", check_id: id } });
      } else if (a.in_stock === true && e && date > e.data.started_on) {
        var x = e.data;
        out.push({ id: x.id, type: "stock_event", version: e.version, label: a.item + " · " + label, url: "/stockouts",
          data: { id: x.id, facility_id: x.facility_id, commodity: x.commodity, started_on: x.started_on,
            ended_on: date, check_id: x.check_id || "", notes: x.notes || "" } });
      }
    }
    return out;
  }

  function setupRecordForm(f) {
    freshID(f);
    f.addEventListener("submit", async function (ev) {
      if (f.getAttribute("data-native") === "1") { return; }
      ev.preventDefault();
      var body = new URLSearchParams(new FormData(f));
      if (await sentOnline(f, body)) { return; }
      await queueRecordForm(f, body);
    });
  }

  async function queueRecordForm(f, body) {
    var L = labels(f), type = f.getAttribute("data-offline-record"), id = formID(f);
    var msg = document.getElementById("offline-result");
    if (!msg) {
      msg = el("div", "");
      msg.id = "offline-result";
      msg.setAttribute("role", "status");
      f.parentNode.insertBefore(msg, f);
    }
    var missing = (f.getAttribute("data-offline-required") || "").split(" ").filter(function (k) { return k && !body.get(k); });
    if (missing.length) {
      showMessageIn(msg, L.errors_record, missing.map(function (k) {
        var lab = f.querySelector("label[for='" + k + "']");
        return { field: lab ? lab.textContent.trim() : k, message: L.required };
      }));
      return;
    }
    var recs = type === "visit" ? [visitRecord(f, body, id)] : await readinessRecords(f, body, id);
    var now = Date.now();
    for (var i = 0; i < recs.length; i++) {
      // In order: a check goes before the stock-outs it opens.
      recs[i].state = "waiting"; recs[i].user = user; recs[i].saved_at = now + i;
      await put(recs[i]);
    }
    persist();
    try { localStorage.removeItem("mesh.draft:" + location.pathname); } catch (e) { /* ignore */ }
    msg.textContent = "";
    msg.className = "offline-queued";
    msg.appendChild(el("p", "notice", L.record_queued));
    var a = el("a", "button", L["outbox.title"]);
    a.href = "/outbox";
    var acts = msg.appendChild(el("p", "actions"));
    if (type === "visit") {
      // The visit is on the phone only: its observations are captured on the form
      // for any visit and wait behind it in the outbox.
      var obs = el("a", "button primary observe-link", L["observe.link"]);
      obs.href = "/observe?visit=" + id;
      acts.appendChild(obs);
      acts.appendChild(document.createTextNode(" "));
    }
    acts.appendChild(a);
    msg.hidden = false;
    f.hidden = true;
    window.scrollTo(0, 0);
    flush();
  }

  function showMessageIn(box, text, errs) {
    box.textContent = "";
    box.appendChild(el("p", "alert", text));
    var ul = el("ul", "offline-errors");
    errs.forEach(function (e) { ul.appendChild(el("li", "", (e.field ? e.field + ": " : "") + (e.message || e.code))); });
    box.appendChild(ul);
    box.hidden = false;
    box.scrollIntoView();
  }

  function persist() {
    if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
    // Background Sync: the browser wakes the service worker to send when the
    // connection is back, even with every page closed (where supported; the
    // triggers above work without it).
    if (navigator.serviceWorker && navigator.serviceWorker.ready) {
      navigator.serviceWorker.ready.then(function (r) { return r.sync && r.sync.register("mesh-outbox"); }).catch(function () {});
    }
  }

  // ---- conflicts ----

  var apiPaths = { visit: "/api/v1/visits/", observation: "/api/v1/observations/", readiness_check: "/api/v1/readiness-checks/" };

  // serverVersion fetches the server's copy of a record in conflict (stock-outs from
  // the scope); null when it cannot be had now (it is fetched again on the page).
  async function serverVersion(rec) {
    try {
      if (apiPaths[rec.type]) {
        var resp = await fetch(apiPaths[rec.type] + rec.id, { credentials: "same-origin" });
        if (resp.ok) { var x = await resp.json(); return { version: x.version, data: x }; }
        return null;
      }
      var s = await (await db()).get("scope", rec.type + ":" + rec.id);
      return s ? { version: s.version, data: s.data } : null;
    } catch (e) { return null; }
  }

  var conflictsEl = document.getElementById("conflicts");

  // Fields that say nothing about the content (or that the server fills in).
  var META = { id: 1, version: 1, created_at: 1, updated_at: 1, mentor_id: 1, result: 1, voided: 1 };

  function show(v) {
    if (v === undefined || v === null || v === "") { return "–"; }
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  async function renderConflicts() {
    if (!conflictsEl) { return; }
    var L = labels(conflictsEl), list = document.getElementById("conflicts-list");
    var recs = (await all()).filter(function (r) { return r.state === "conflict" && (r.user === user || !r.user); });
    list.textContent = "";
    document.getElementById("conflicts-empty").hidden = recs.length > 0;
    for (var i = 0; i < recs.length; i++) {
      var r = recs[i];
      if (!r.server && navigator.onLine) {
        r.server = await serverVersion(r);
        if (r.server) { await put(r); }
      }
      list.appendChild(conflictItem(L, r));
    }
  }

  function conflictItem(L, r) {
    var box = el("section", "conflict");
    box.setAttribute("data-id", r.id);
    box.appendChild(el("h2", "", (L["outbox.type." + r.type] || r.type) + (r.label ? " · " + r.label : "")));
    (r.errors || []).forEach(function (m) { box.appendChild(el("p", "hint", m)); });
    var mine = r.data || {}, theirs = r.server ? r.server.data || {} : null;
    var table = el("table", "conflict-table");
    var head = table.appendChild(el("thead")).appendChild(el("tr"));
    head.appendChild(el("th", "", L["conflicts.field"]));
    head.appendChild(el("th", "", L["conflicts.mine"]));
    head.appendChild(el("th", "", L["conflicts.server"] + (r.server ? " (v" + r.server.version + ")" : "")));
    var tbody = table.appendChild(el("tbody"));
    var keys = Object.keys(mine);
    if (theirs) { Object.keys(theirs).forEach(function (k) { if (keys.indexOf(k) < 0 && k in mine === false && !META[k]) { keys.push(k); } }); }
    keys.filter(function (k) { return !META[k]; }).forEach(function (k) {
      var a = show(mine[k]), b = theirs ? show(theirs[k]) : L["conflicts.server_unknown"];
      var tr = tbody.appendChild(el("tr", a !== b ? "differs" : ""));
      tr.appendChild(el("th", "", k));
      tr.appendChild(el("td", "mine", a));
      tr.appendChild(el("td", "server", b));
    });
    box.appendChild(table);
    var actions = box.appendChild(el("p", "actions"));
    var keep = actions.appendChild(el("button", "primary keep-mine", L["conflicts.keep_mine"]));
    keep.type = "button";
    keep.addEventListener("click", async function () {
      // Resend ours as an edit of the server's current version.
      var cur = await serverVersion(r);
      if (!cur) { window.alert(L["conflicts.need_connection"]); return; }
      r.version = cur.version; r.server = cur; r.state = "waiting"; delete r.errors;
      await put(r);
      failures = 0;
      await flush();
      renderConflicts();
    });
    var drop = actions.appendChild(el("button", "keep-server", L["conflicts.keep_server"]));
    drop.type = "button";
    drop.addEventListener("click", async function () {
      if (!window.confirm(L["conflicts.keep_server_confirm"])) { return; }
      await (await db()).delete("outbox", r.id);
      await updateBadge();
      renderConflicts();
    });
    return box;
  }

  // ---- sign-out on a shared phone ----

  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (!f.matches || !f.matches("form.logout") || f.getAttribute("data-checked") === "1") { return; }
    ev.preventDefault();
    db().then(function (d) { return d.count("outbox"); }).then(function (n) {
      var warn = f.getAttribute("data-unsent-warn") || "";
      if (n > 0 && !window.confirm(warn.replace("%d", String(n)))) { return; }
      // Pages saved for offline use show this user's data: drop them. The outbox
      // stays (its records belong to their author, who sends them at next sign-in).
      // The downloaded scope goes too (the next user downloads theirs).
      var drop = Promise.all([window.caches ? caches.delete("mesh-pages") : null,
        db().then(function (d) { var tx = d.transaction(["scope", "meta"], "readwrite");
          tx.objectStore("scope").clear(); tx.objectStore("meta").delete("scope"); tx.objectStore("meta").delete("user"); return tx.done; })]);
      drop.catch(function () {}).then(function () {
        f.setAttribute("data-checked", "1");
        HTMLFormElement.prototype.submit.call(f);
      });
    });
  }, true);

  // ---- start ----

  window.meshOffline = { engine: engine, flush: flush, all: all, db: db, updateBadge: updateBadge, download: download };

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no secure context */ });
    });
  }
  window.addEventListener("online", function () { failures = 0; flush(); });
  if (outboxEl) {
    document.getElementById("outbox-send").addEventListener("click", function () {
      failures = 0;
      clearTimeout(retryTimer);
      flush();
    });
  }
  if (form && result) { setupForm(); }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-record]"), setupRecordForm);
  if (user) {
    // Who is signed in, for the service worker's Background Sync: it sends only
    // this user's records.
    db().then(function (d) { return d.put("meta", { k: "user", user: user }); }).catch(function () {});
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (ev) {
      if (ev.data !== "mesh-flush") { return; }
      failures = 0;
      flush().then(function () { if (ev.ports && ev.ports[0]) { ev.ports[0].postMessage("sent"); } });
    });
  }
  if (voiceForm && document.getElementById("offline-result")) { setupVoiceForm(); }
  updateBadge().then(renderOutbox).then(renderConflicts).then(flush);
  // The scope downloads in the background, after the page itself: a first visit on
  // 2G shows the page before fetching data and forms for offline use.
  window.addEventListener("load", function () {
    setTimeout(function () {
      var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 0); };
      idle(function () { scopeReady = true; download().catch(function () { /* retried with the next flush */ }); });
    }, SCOPE_DELAY);
  });
})();
