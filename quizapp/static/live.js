/* Live pages (a student's screen, the projector view): conditional polling.
 *
 * A student's screen asks for its own live part (?part=live&wait=1) with
 * If-None-Match: "<version>", and the server holds the request until the
 * session moves on (or twenty seconds pass, then an empty 304): the new
 * part comes back in the same request. The next one goes out as soon as
 * one is answered, or a second after the last one went out if it came
 * back at once. The projector asks the state URL once a second (a 304
 * while nothing changed) and then fetches its live part. Either way the
 * live region is swapped in place: focus and open <details> kept, the
 * change announced to screen readers, a form the student is filling in
 * never replaced by the same question. No sound, no animation.
 *
 * In a teacher-paced session the answer form is sent from here too
 * (data-live-submit): the reply is the screen's next live part, so the
 * answer costs one request; a second click waits for the first. Without
 * this script the form posts and the page reloads, as any form.
 * Also: keys 1–9 choose an answer.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-state]");
  if (!root) return;
  var announcer = document.getElementById("live-announcer");
  var interval = parseInt(root.dataset.liveInterval, 10) || 1000;
  var held = root.dataset.liveWait === "1";
  var busy = false;

  function older(version) {
    // An answer's reply overtaken by a poll's newer part is dropped.
    var shown = root.dataset.liveVersion;
    return /^\d+$/.test(version) && /^\d+$/.test(shown) && parseInt(version, 10) < parseInt(shown, 10);
  }

  function showNotices(page) {
    Array.prototype.forEach.call(document.querySelectorAll(".flash"), function (f) { f.remove(); });
    var main = document.getElementById("main");
    if (!main || !page) return;
    var anchor = main.firstChild;
    Array.prototype.forEach.call(page.querySelectorAll(".flash"), function (f) {
      main.insertBefore(document.importNode(f, true), anchor);
    });
  }

  function swap(page, force) {
    var fresh = page.querySelector("[data-live-state]");
    if (!fresh) { window.location.reload(); return; }
    if (older(fresh.dataset.liveVersion)) return;
    document.title = page.title;
    var focusedId = document.activeElement && document.activeElement.id;
    var opened = Array.prototype.map.call(root.querySelectorAll("details[open][id]"), function (d) { return d.id; });
    var keepBefore = root.dataset.liveKeep;
    var announceBefore = root.dataset.liveAnnounce;
    root.dataset.liveVersion = fresh.dataset.liveVersion;
    if (!force && keepBefore && keepBefore === fresh.dataset.liveKeep) return;  // same open question: keep the answer being typed
    root.replaceChildren.apply(root, Array.prototype.map.call(fresh.childNodes, function (n) { return document.importNode(n, true); }));
    root.dataset.liveKeep = fresh.dataset.liveKeep || "";
    root.dataset.liveAnnounce = fresh.dataset.liveAnnounce || "";
    opened.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
    showNotices(page);
    if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
    if (announcer && fresh.dataset.liveAnnounce !== announceBefore) {
      var heading = root.querySelector("h1");
      announcer.textContent = heading ? heading.textContent.trim() : "";
    }
    startTimers();
  }

  function take(asked, force) {
    // A live part (a form's reply may be 400 or 422 and still one), or 304: nothing new.
    return asked.then(function (response) {
      if (response.status === 304) return null;
      if (response.redirected || !(response.ok || response.status === 400 || response.status === 422)) {
        window.location.reload();
        return null;
      }
      return response.text().then(function (html) {
        swap(new DOMParser().parseFromString(html, "text/html"), force);
      });
    });
  }

  function partUrl(base, wait) {
    // Only the live region is needed: ?part=live leaves out the page around it.
    var url = new URL(base);
    url.searchParams.set("part", "live");
    if (wait) url.searchParams.set("wait", "1");
    return url.href;
  }

  function get(url, headers) {
    return fetch(url, { credentials: "same-origin", cache: "no-cache", headers: headers || {} });
  }

  function unlessVersion() {
    return { "If-None-Match": '"' + root.dataset.liveVersion + '"' };
  }

  function askState() {
    var headers = unlessVersion();
    headers.Accept = "application/json";
    return get(root.dataset.liveState, headers)
      .then(function (response) { return response.status === 200 ? response.json() : null; })
      .then(function (state) {
        if (!state || state.version === root.dataset.liveVersion) return null;
        return take(get(partUrl(window.location.href, false)), false);
      });
  }

  function poll() {
    if (busy) return;
    busy = true;
    var sent = Date.now();
    var asked = held ? take(get(partUrl(window.location.href, true), unlessVersion()), false) : askState();
    asked
      .catch(function () { /* offline for a moment (a phone in a lift): try again next time */ })
      .then(function () {
        busy = false;
        if (held) setTimeout(poll, Math.max(0, interval - (Date.now() - sent)));
      });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-live-submit")) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button && button.disabled) return;  // a double click: the first is on its way
    if (button) button.disabled = true;
    take(fetch(partUrl(form.action, false), { method: "POST", body: new FormData(form), credentials: "same-origin" }), true)
      .catch(function () {
        // Not sent (or no reply): say so, keep the answer, let the student send it again.
        if (button) button.disabled = false;
        var notice = document.createElement("p");
        notice.className = "flash flash-error";
        notice.setAttribute("role", "alert");
        notice.textContent = form.dataset.liveOffline || "";
        showNotices(null);
        form.insertBefore(notice, form.firstChild);
      });
  });

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
