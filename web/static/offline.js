// offline.js: the offline field app (docs/offline.md). Loaded (defer) on every page.
// - registers the service worker (/sw.js) and asks for persistent storage;
// - keeps an IndexedDB outbox of records (keyed by their UUID) until the server has
//   acknowledged each one; shows the unsent count in the header and lists the
//   outbox on /outbox;
// - when the case-observation form cannot reach the server, builds the observation
//   with the WebAssembly engine (the server's own Go code), queues it, and shows the
//   feedback scored on the phone;
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
      dbp = idb.openDB("mesh", 1, {
        upgrade: function (d) {
          // outbox: records not yet acknowledged. sent: a short log of acknowledged
          // ids (no content), so the outbox page can show what went.
          d.createObjectStore("outbox", { keyPath: "id" });
          d.createObjectStore("sent", { keyPath: "id" });
        }
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
    var tx = d.transaction(["outbox", "sent"], "readwrite");
    tx.objectStore("outbox").delete(rec.id);
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
      .then(renderOutbox);
    return flushing;
  }

  async function doFlush() {
    // Anonymous feedback belongs to no account (it carries its visit's code): any
    // signed-in user of the device may send it.
    var recs = (await all()).filter(function (r) {
      return (r.user === user || r.type === "mentee_feedback") && r.state === "waiting";
    });
    for (var i = 0; i < recs.length; i += BATCH) {
      var batch = recs.slice(i, i + BATCH);
      var resp;
      try {
        resp = await fetch("/api/v1/sync", {
          method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ records: batch.map(function (r) { return { type: r.type, id: r.id, data: r.data }; }) })
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
          await put(rec);
        }
      }
    }
    failures = 0;
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

  async function setupForm() {
    var idInput = form.elements.id;
    // A page served from the cache carries the id of an observation already queued
    // from it: the next child needs a new one, or the server would see a conflict.
    var d = await db();
    if (idInput && (await d.get("outbox", idInput.value) || await d.get("sent", idInput.value))) {
      idInput.value = uuid();
    }
    form.addEventListener("submit", onSubmit);
    // Load the engine once the page is idle, so it is ready (and cached) before the
    // connection goes; the form works without it.
    var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 1500); };
    idle(function () { engine().catch(function () { /* loaded again on demand */ }); });
  }

  async function onSubmit(ev) {
    if (form.getAttribute("data-native") === "1") { return; }
    ev.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (await sentOnline(form, body)) { return; }
    await queueObservation(body);
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
    var place = document.querySelector("main p.muted");
    await put({ id: id, type: "observation", data: built.observation, state: "waiting", user: user,
      saved_at: Date.now(), label: place ? place.textContent : "", url: "/observations/" + id, score: scored.score });
    if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
    // The draft is now in the outbox: the next child starts from an empty form, as
    // after a save on the server.
    try { localStorage.removeItem("mesh.draft:" + location.pathname); } catch (e) { /* ignore */ }
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
    again.href = location.pathname;
    result.appendChild(el("p", "actions")).appendChild(again);
    form.hidden = true;
    result.hidden = false;
    window.scrollTo(0, 0);
  }

  // ---- the anonymous feedback form ----

  var voiceForm = document.querySelector("form[data-offline='feedback']");

  async function setupVoiceForm() {
    var idInput = voiceForm.elements.id, d = await db();
    // A page from the cache carries the id of an answer already queued from it.
    if (idInput && (await d.get("outbox", idInput.value) || await d.get("sent", idInput.value))) {
      idInput.value = uuid();
    }
    voiceForm.addEventListener("submit", onVoiceSubmit);
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
      (r.errors || []).forEach(function (m) { li.appendChild(el("p", "error", m)); });
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
      var drop = window.caches ? caches.delete("mesh-pages") : Promise.resolve();
      drop.catch(function () {}).then(function () {
        f.setAttribute("data-checked", "1");
        HTMLFormElement.prototype.submit.call(f);
      });
    });
  }, true);

  // ---- start ----

  window.meshOffline = { engine: engine, flush: flush, all: all, db: db, updateBadge: updateBadge };

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
  if (voiceForm && document.getElementById("offline-result")) { setupVoiceForm(); }
  updateBadge().then(renderOutbox).then(flush);
})();
