// sw.js: the MESH service worker, served at /sw.js by web/offline.go, which writes
// VERSION (a hash of the shell files) and SHELL (their versioned URLs) above this line.
//
// - The app shell (CSS, scripts, icon, the wasm engine) is cached at install in a
//   cache named by VERSION; a new version fills its own cache before the old one is
//   dropped, so an update never leaves a page without its files.
// - Pages (GET navigations) are network-first: the newest page when the server can be
//   reached, else the copy saved the last time it was opened; an observation form
//   never opened (/observe?visit=ID, /visits/ID/observe) gets the one form for any
//   visit (/observe), which offline.js fills from the device.
// - Any other GET of this origin (a versioned static file not in the shell) is
//   cache-first: its URL changes with its content.
// - POSTs and the API are never touched: the outbox lives in IndexedDB (offline.js),
//   which this worker never clears, so an update cannot lose an unsent record.
// - Background Sync ("mesh-outbox", registered by offline.js after queuing): with a
//   page open, the page sends; with none, the worker sends the signed-in user's
//   waiting records itself, deleting each only after the server acknowledged it.
/* global VERSION, SHELL, IDB, idb */
"use strict";

importScripts(IDB);

const SHELL_CACHE = "mesh-shell-" + VERSION;
// Pages are not versioned: a deployment must not drop the pages a mentor opened while
// online (they are refreshed on the next visit). offline.js deletes this cache at
// sign-out, so a shared phone does not show one mentor's pages to the next.
const PAGE_CACHE = "mesh-pages";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(SHELL);
    // The outbox page is drawn from IndexedDB; keep a copy for a cold start offline.
    // Best effort: it needs a session, and a redirect to the login page is not kept.
    try {
      const resp = await fetch("/outbox", { credentials: "same-origin" });
      if (resp.ok && !resp.redirected) {
        await (await caches.open(PAGE_CACHE)).put("/outbox", resp);
      }
    } catch (e) { /* offline at install: the page is cached on its first visit */ }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("mesh-shell-") && name !== SHELL_CACHE) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") { return; }
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/") || url.pathname === "/sw.js") { return; }
  if (req.mode === "navigate") {
    event.respondWith(networkFirst(req));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(req));
  }
});

async function networkFirst(req) {
  try {
    const resp = await fetch(req);
    // Keep only real pages: not an error, not the login page a redirect led to.
    if (resp.ok && !resp.redirected) {
      const copy = resp.clone();
      caches.open(PAGE_CACHE).then((c) => c.put(req, copy)).catch(() => {});
    }
    return resp;
  } catch (err) {
    // Pages carry Vary: Cookie, which a worker's requests cannot match: ignore it.
    const hit = await caches.match(req, { ignoreVary: true });
    if (hit) { return hit; }
    // The observation form for any visit: one copy (/observe), filled on the phone
    // from the visit in the outbox or the scope (offline.js).
    const path = new URL(req.url).pathname;
    if (path === "/observe" || /^\/visits\/[0-9a-fA-F-]{36}\/observe$/.test(path)) {
      const form = await caches.match("/observe", { ignoreVary: true });
      if (form) { return form; }
    }
    const outbox = new URL(req.url).pathname === "/outbox" ? null : await caches.match("/outbox", { ignoreVary: true });
    if (outbox) { return outbox; }
    throw err;
  }
}

async function cacheFirst(req) {
  const hit = await caches.match(req, { ignoreVary: true });
  if (hit) { return hit; }
  const resp = await fetch(req);
  if (resp.ok) {
    const copy = resp.clone();
    caches.open(SHELL_CACHE).then((c) => c.put(req, copy)).catch(() => {});
  }
  return resp;
}

self.addEventListener("sync", (event) => {
  if (event.tag === "mesh-outbox") { event.waitUntil(syncOutbox().then(() => note("ok"), (e) => note(String(e)).then(() => { throw e; }))); }
});

// note keeps the last background send's outcome (meta "bgsync"), for the outbox page
// and the tests; best effort.
async function note(result) {
  try {
    const d = await idb.openDB("mesh");
    if (d.objectStoreNames.contains("meta")) { await d.put("meta", { k: "bgsync", at: Date.now(), result: result }); }
    d.close();
  } catch (e) { /* nothing to note it in */ }
}

async function syncOutbox() {
  // A page open: it sends (and answers when done). No answer in 5 s (a frozen or
  // closing page): the worker sends itself; a record sent twice is already_stored.
  const wins = await self.clients.matchAll({ type: "window" });
  if (wins.length) {
    const asked = wins.map((c) => new Promise((done) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => done(true);
      c.postMessage("mesh-flush", [ch.port2]);
    }));
    const answered = await Promise.race([Promise.any(asked), new Promise((done) => setTimeout(() => done(false), 5000))]);
    if (answered) { return; }
  }
  // The same lock as the pages: one sender at a time.
  return self.navigator.locks ? self.navigator.locks.request("mesh-outbox", sendOutbox) : sendOutbox();
}

async function sendOutbox() {
  // No version: never an upgrade here; offline.js owns the schema.
  const d = await idb.openDB("mesh");
  try {
    if (!d.objectStoreNames.contains("outbox") || !d.objectStoreNames.contains("meta")) { return; }
    const who = await d.get("meta", "user");
    if (!who || !who.user) { return; }
    const all = await d.getAll("outbox");
    // An observation waits behind its visit: not sent while the visit is refused or
    // in conflict (the page marks it blocked).
    const stuck = new Set(all.filter((r) => r.type === "visit" && r.state !== "waiting").map((r) => r.id));
    const recs = all.filter((r) => r.user === who.user && r.state === "waiting" &&
      !(r.type === "observation" && stuck.has((r.data || {}).visit_id)))
      .sort((a, b) => (a.saved_at || 0) - (b.saved_at || 0)).slice(0, 50);
    if (!recs.length) { return; }
    const resp = await fetch("/api/v1/sync", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ records: recs.map((r) => ({ type: r.type, id: r.id, version: r.version, data: r.data })) })
    });
    if (!resp.ok) { throw new Error("sync: " + resp.status); } // the browser retries later
    const results = (await resp.json()).results || [];
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i], res = results[i];
      if (!res || res.id !== rec.id) { continue; }
      if (res.status === "stored" || res.status === "already_stored") {
        const tx = d.transaction(["outbox", "sent"], "readwrite");
        tx.objectStore("outbox").delete(rec.id);
        tx.objectStore("sent").put({ id: rec.id, type: rec.type, label: rec.label || "", url: rec.url || "",
          saved_at: rec.saved_at, sent_at: Date.now(), version: res.version || 0 });
        await tx.done;
        if (rec.type === "visit" && rec.data && d.objectStoreNames.contains("scope")) {
          // As offline.js does: a sent visit stays known, for its next observations.
          await d.put("scope", { key: "visit:" + rec.id, type: "visit", id: rec.id, version: res.version || 0, data: rec.data });
        }
      } else if (res.status === "conflict" || res.status === "invalid") {
        rec.state = res.status === "conflict" ? "conflict" : "rejected";
        rec.errors = (res.errors || []).map((e) => (e.field ? e.field + ": " : "") + (e.message || e.code));
        await d.put("outbox", rec);
      }
    }
  } finally {
    d.close();
  }
}
