/* Live pages (a student's screen, the projector view): conditional polling.
 *
 * Ask the state URL whether the page's version changed (If-None-Match; the
 * answer is an empty 304 while nothing did). A student's screen asks with
 * ?wait=1, and the server holds the question until something changes (or
 * twenty seconds pass): the next poll goes out as soon as one is answered,
 * or a second after the last one went out if it came back at once. The
 * projector polls once a second. When the version changed, fetch this
 * page's live part again and swap it in place, keep focus and open
 * <details>, and announce the change to screen readers. A form the student
 * is filling in is never replaced by the same question. No sound, no
 * animation. Also: keys 1–9 choose an answer.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-state]");
  if (!root) return;
  var announcer = document.getElementById("live-announcer");
  var interval = parseInt(root.dataset.liveInterval, 10) || 1000;
  var held = root.dataset.liveWait === "1";
  var busy = false;

  function swap(fresh) {
    var focusedId = document.activeElement && document.activeElement.id;
    var opened = Array.prototype.map.call(root.querySelectorAll("details[open][id]"), function (d) { return d.id; });
    var keepBefore = root.dataset.liveKeep;
    var announceBefore = root.dataset.liveAnnounce;
    root.dataset.liveVersion = fresh.dataset.liveVersion;
    if (keepBefore && keepBefore === fresh.dataset.liveKeep) return;  // same open question: keep the answer being typed
    root.replaceChildren.apply(root, Array.prototype.map.call(fresh.childNodes, function (n) { return document.importNode(n, true); }));
    root.dataset.liveKeep = fresh.dataset.liveKeep || "";
    root.dataset.liveAnnounce = fresh.dataset.liveAnnounce || "";
    opened.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
    Array.prototype.forEach.call(document.querySelectorAll(".flash"), function (f) { f.remove(); });
    if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
    if (announcer && fresh.dataset.liveAnnounce !== announceBefore) {
      var heading = root.querySelector("h1");
      announcer.textContent = heading ? heading.textContent.trim() : "";
    }
    startTimers();
  }

  function refresh() {
    // Only the live region is needed: ?part=live leaves out the page around it.
    var url = new URL(window.location.href);
    url.searchParams.set("part", "live");
    return fetch(url.href, { credentials: "same-origin", cache: "no-cache" })
      .then(function (response) {
        if (response.redirected || !response.ok) { window.location.reload(); return null; }
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-live-state]");
        if (!fresh) { window.location.reload(); return; }
        document.title = page.title;
        swap(fresh);
      });
  }

  function poll() {
    if (busy) return;
    busy = true;
    var sent = Date.now();
    fetch(root.dataset.liveState + (held ? "?wait=1" : ""), {
      credentials: "same-origin",
      cache: "no-cache",
      headers: { "If-None-Match": '"' + root.dataset.liveVersion + '"', "Accept": "application/json" }
    })
      .then(function (response) {
        if (response.status !== 200) return null;
        return response.json();
      })
      .then(function (state) {
        if (state && state.version !== root.dataset.liveVersion) return refresh();
      })
      .catch(function () { /* offline for a moment (a phone in a lift): try again next time */ })
      .then(function () {
        busy = false;
        if (held) setTimeout(poll, Math.max(0, interval - (Date.now() - sent)));
      });
  }

  var timerHandle = null;
  function startTimers() {
    if (timerHandle) clearInterval(timerHandle);
    var timer = root.querySelector("[data-closes-at]");
    if (!timer) return;
    var closesAt = Date.parse(timer.dataset.closesAt);  // ISO 8601 in UTC, "…Z"
    var countdown = timer.querySelector(".countdown");
    function tick() {
      var left = Math.max(0, Math.round((closesAt - Date.now()) / 1000));
      if (countdown) countdown.textContent = "(" + left + " s)";
      if (left === 0) { clearInterval(timerHandle); timerHandle = null; poll(); }
    }
    tick();
    timerHandle = setInterval(tick, 1000);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.tagName === "INPUT" && target.type === "text" || target.tagName === "TEXTAREA")) return;
    var digit = parseInt(event.key, 10);
    if (!(digit >= 1 && digit <= 9)) return;
    var inputs = root.querySelectorAll("[data-answer-keys] input");
    var input = inputs[digit - 1];
    if (!input) return;
    event.preventDefault();
    if (input.type === "checkbox") input.checked = !input.checked; else input.checked = true;
    input.focus();
  });

  startTimers();
  if (held) poll(); else setInterval(poll, interval);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
})();
