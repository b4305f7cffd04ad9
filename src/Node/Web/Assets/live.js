// EventSwarm's web view: its one script (issue 17). A page of now follows the swarm's event stream (/live) and, on
// each message, asks for itself again and brings its <main> to the new one in place (scroll kept, no reload); a page of the past
// (?at=) does not follow. Operator forms are posted in the background and the answer swapped in the same way. The
// time slider travels on release. The logs section loads the service's logs tail.
(function () {
  "use strict";
  var body = document.body;
  var busy = false, again = false, liveState = "";

  function showLiveState() {
    var s = document.getElementById("live-state");
    if (s) s.textContent = liveState;
  }

  function editing() {
    var a = document.activeElement;
    var main = document.querySelector("main");
    return a && main && main.contains(a) && (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA") && a.type !== "range";
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var next = doc.querySelector("main"), main = document.querySelector("main");
    if (!next || !main) return;
    var logs = main.querySelector("#logs pre"), nextLogs = next.querySelector("#logs pre");
    if (logs && nextLogs) nextLogs.textContent = logs.textContent;
    var x = window.scrollX, y = window.scrollY;
    morph(main, next);
    body.dataset.index = doc.body.dataset.index;
    document.title = doc.title;
    window.scrollTo(x, y);
    window.__swaps = (window.__swaps || 0) + 1;
    showLiveState();
    loadLogs();
  }

  // Brings the page's DOM to the new one touching only what differs (a row whose count changed, not the 1,000 rows
  // around it): the browser then lays out little, and what the user was doing elsewhere on the page is left alone.
  function morph(old, next) {
    if (old.isEqualNode(next)) return;
    if (old.nodeType === 3 && next.nodeType === 3) { old.nodeValue = next.nodeValue; return; }
    if (old.nodeType !== 1 || old.nodeName !== next.nodeName || old.childNodes.length !== next.childNodes.length) {
      old.replaceWith(document.importNode(next, true));
      return;
    }
    var i, a;
    for (i = old.attributes.length - 1; i >= 0; i--) {
      a = old.attributes[i];
      if (!next.hasAttribute(a.name)) old.removeAttribute(a.name);
    }
    for (i = 0; i < next.attributes.length; i++) {
      a = next.attributes[i];
      if (old.getAttribute(a.name) === a.value) continue;
      old.setAttribute(a.name, a.value);
      // A field's shown value follows its attribute only until it is touched: the slider's must move with the log.
      if (a.name === "value" && old.tagName === "INPUT" && old !== document.activeElement) old.value = a.value;
    }
    var olds = Array.prototype.slice.call(old.childNodes), nexts = Array.prototype.slice.call(next.childNodes);
    for (i = 0; i < olds.length; i++) morph(olds[i], nexts[i]);
  }

  function refresh() {
    if (busy || editing()) { again = true; return; }
    busy = true;
    fetch(location.href, { credentials: "same-origin", headers: { "X-EventSwarm-Live": "1" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () { })
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }

  function flash(text) {
    var f = document.getElementById("flash");
    if (f) f.textContent = text;
  }

  function loadLogs() {
    var section = document.getElementById("logs");
    if (!section || !section.dataset.src) return;
    fetch(section.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (text) { var pre = section.querySelector("pre"); if (pre) pre.textContent = text; })
      .catch(function () { });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post" || form.dataset.leave) return;
    e.preventDefault();
    if (document.activeElement) document.activeElement.blur();
    fetch(form.action, { method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)) })
      .then(function (r) { return r.text().then(function (text) { return { ok: r.ok, status: r.status, text: text }; }); })
      .then(function (a) {
        if (a.ok) { swap(a.text); flash(""); }
        else flash("refused (" + a.status + "): " + a.text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 300));
      })
      .catch(function (err) { flash("the action failed: " + err); });
  });

  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "at-slider") e.target.form.submit();
  });
  document.addEventListener("input", function (e) {
    var t = document.querySelector("#instant b");
    if (e.target && e.target.id === "at-slider" && t) t.textContent = e.target.value;
  });
  document.addEventListener("focusout", function () {
    if (again && !busy) setTimeout(function () { if (!editing()) { again = false; refresh(); } }, 0);
  });

  if (body.dataset.live === "1" && window.EventSource) {
    var source = new EventSource("/live?after=" + encodeURIComponent(body.dataset.index || "0"));
    var state = function (text) { liveState = text; showLiveState(); };
    source.onopen = function () { state("(following)"); };
    source.onerror = function () { state("(reconnecting)"); };
    source.onmessage = function () { refresh(); };
  }
  loadLogs();
})();
