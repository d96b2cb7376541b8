// imci-form.js: optional help for the IMCI form (the form works without it).
// It hides what does not apply — the other age group's boxes, and a symptom's
// questions until the symptom is present — and keeps a draft in localStorage so a
// reload or a lost connection does not lose what was typed. Hidden fields are kept
// (not disabled), so the server still receives and checks everything.
(function () {
  "use strict";
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  // A page shown after a successful save (the observation feedback) names the form
  // whose draft is now saved, so the next observation starts from an empty form.
  var done = document.querySelector("[data-draft-clear]");
  if (done && store) {
    try { store.removeItem("mesh.draft:" + done.getAttribute("data-draft-clear")); } catch (e) { /* ignore */ }
  }
  var form = document.getElementById("imci-form");
  if (!form) { return; }
  // One draft per visit: the form for any visit (/observe?visit=ID, docs/offline.md)
  // keeps it under the same key as /visits/ID/observe, which the feedback page clears.
  var any = location.pathname === "/observe" && /[?&]visit=([0-9a-fA-F-]{36})(?:&|$)/.exec(location.search);
  var key = "mesh.draft:" + (any ? "/visits/" + any[1].toLowerCase() + "/observe" : location.pathname);

  function value(name) {
    var els = form.elements[name];
    if (!els) { return ""; }
    if (els.length !== undefined && els.tagName === undefined) {
      for (var i = 0; i < els.length; i++) { if (els[i].checked) { return els[i].value; } }
      return "";
    }
    return els.value;
  }

  // Age group: under 60 days, or under 2 months, is a young infant.
  function group() {
    var raw = value("age").replace(",", ".");
    if (raw === "") { return ""; }
    var age = parseFloat(raw);
    if (isNaN(age)) { return ""; }
    var yi = value("age_unit") === "days" ? age <= 59 : age < 2;
    return yi ? "young_infant" : "child";
  }

  function update() {
    var g = group();
    var boxes = form.querySelectorAll("[data-group]");
    for (var i = 0; i < boxes.length; i++) {
      var b = boxes[i];
      var grp = b.getAttribute("data-group");
      var hide = g !== "" && grp !== "common" && grp !== g;
      var showIf = b.getAttribute("data-show-if");
      if (showIf && value(showIf) !== "yes") { hide = true; }
      b.hidden = hide;
    }
    var gated = form.querySelectorAll("[data-gate]");
    for (var j = 0; j < gated.length; j++) {
      gated[j].hidden = value(gated[j].getAttribute("data-gate")) !== "yes";
    }
  }

  function save() {
    if (!store) { return; }
    var data = {};
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || el.hasAttribute("data-no-draft")) { continue; }
      if ((el.type === "radio" || el.type === "checkbox")) {
        if (el.checked) { (data[el.name] = data[el.name] || []).push(el.value); }
      } else {
        data[el.name] = [el.value];
      }
    }
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* full or private mode */ }
  }

  function restore() {
    if (!store) { return; }
    var data;
    try { data = JSON.parse(store.getItem(key) || "null"); } catch (e) { data = null; }
    if (!data) { return; }
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || el.hasAttribute("data-no-draft") || !Object.prototype.hasOwnProperty.call(data, el.name)) { continue; }
      var vals = data[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = vals.indexOf(el.value) >= 0;
      } else {
        el.value = vals[0];
      }
    }
  }

  // The server says what to do with the draft: restore it into a fresh form, keep
  // saving over it while the server shows errors, or drop it after a result.
  var mode = form.getAttribute("data-draft");
  if (mode === "clear" && store) {
    try { store.removeItem(key); } catch (e) { /* ignore */ }
  } else if (mode === "restore") {
    restore();
  }
  update();
  form.addEventListener("change", function () { update(); save(); });
  form.addEventListener("input", function () { update(); save(); });
  var reset = form.querySelector("a[href='" + location.pathname + "']");
  if (reset) {
    reset.addEventListener("click", function () {
      if (store) { try { store.removeItem(key); } catch (e) { /* ignore */ } }
    });
  }
})();
