/* Live pages (phones, the teacher's console, the presenter).
 *
 * Polling: a phone asks for its live part (?part=live&wait=1, If-None-Match:
 * "<version>") and the server holds the request until the session moves on
 * (or 20 s, then a 304); the next goes out at once, or a second after the
 * last if that came back at once. Other pages ask the state URL once a
 * second (304 while nothing changed), then fetch their part. The region is
 * swapped in place: focus and open <details> kept, the change announced, a
 * form being filled in never replaced by the same question.
 *
 * Bad networks: each request has a deadline (held polls 30 s, others 10 s);
 * a failure, timeout or 5xx shows #connection-banner and polls retry after
 * 1, 2, 4, 8, then 10 s; the first success says so for 3 s, then hides it.
 *
 * Answers (data-live-submit) are sent from here: the reply is the next part,
 * one request; a double click sends once. A one-tap form (data-one-tap)
 * sends a tile's value when its undo bar runs out, or with the confidence
 * tap. Without this script forms post and the page reloads. Keys 1-9 choose.
 *
 * Also: the countdown ring (a poll at 0), counts that grew count up,
 * <time data-local> in the reader's zone and language, the fullscreen
 * button, and tones once [data-sound-toggle] turned them on. Reduced
 * motion: no count-up, the ring moves once a second.
 */
(function () {
  "use strict";
  var HELD_TIMEOUT = 30000;  // ms; the server holds a poll at most 20 s
  var TIMEOUT = 10000;
  var SOUNDS = "quizapp.sounds";
  // Notes: [frequency Hz, start after s, length s, loudness 0–1].
  var OPEN_TONE = [[523, 0, 0.3, 0.08]];
  var TICK = [[1046, 0, 0.05, 0.04]];
  var CHIME = [[659, 0, 0.35, 0.08], [880, 0.15, 0.6, 0.08]];
  var root = document.querySelector("[data-live-state]");
  var html = document.documentElement;
  var audio = null;

  function each(list, action) { Array.prototype.forEach.call(list, action); }
  function quiet(promise) { if (promise && promise.catch) promise.catch(function () {}); }

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  // --- page-wide: local times, sounds, fullscreen

  function localTimes(scope) {
    // The server wrote the time in UTC (the no-script fallback); show the reader's own.
    each(scope.querySelectorAll("time[data-local][datetime]"), function (time) {
      var when = new Date(time.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      var options = time.dataset.local === "datetime" ? { year: "numeric", month: "short", day: "numeric" } : {};
      options.hour = "numeric";
      options.minute = "2-digit";
      if (time.hasAttribute("data-seconds")) options.second = "2-digit";
      try {
        time.textContent = new Intl.DateTimeFormat(html.lang || undefined, options).format(when);
      } catch (e) { /* an unknown language tag: keep the server's text */ }
    });
  }

  function soundsOn() {
    try { return window.localStorage.getItem(SOUNDS) === "on"; } catch (e) { return false; }
  }

  function play(notes) {
    // Only after the toggle said so; no Web Audio, no sound, no error.
    if (!soundsOn()) return;
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      if (!audio) audio = new Context();
      if (audio.state === "suspended") quiet(audio.resume());
      notes.forEach(function (note) {
        var tone = audio.createOscillator(), gain = audio.createGain();
        var start = audio.currentTime + note[1], end = start + note[2];
        tone.frequency.value = note[0];
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(note[3], start + 0.02);  // a fade in: no click
        gain.gain.exponentialRampToValueAtTime(0.0001, end);
        tone.connect(gain);
        gain.connect(audio.destination);
        tone.start(start);
        tone.stop(end + 0.05);
      });
    } catch (e) { /* a sound is never worth an error */ }
  }

  function refresh(scope) {
    // What a page or a new live part needs from the script: run at load and after each swap.
    localTimes(scope);
    each(document.querySelectorAll("[data-sound-toggle]"), function (button) {
      button.setAttribute("aria-pressed", soundsOn() ? "true" : "false");
    });
    if (!html.requestFullscreen) each(document.querySelectorAll("[data-fullscreen]"), function (b) { b.hidden = true; });  // an iPhone
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    if (target.closest("[data-sound-toggle]")) {
      var on = !soundsOn();
      try { window.localStorage.setItem(SOUNDS, on ? "on" : "off"); } catch (e) { /* stays off */ }
      refresh(document);
      play(OPEN_TONE);  // a click is the gesture that lets audio start; it also says "sounds on"
    } else if (target.closest("[data-fullscreen]") && html.requestFullscreen) {
      quiet(document.fullscreenElement ? document.exitFullscreen() : html.requestFullscreen());
    }
  });
  refresh(document);

  if (!root) return;

  // --- requests and the connection banner

  var announcer = document.getElementById("live-announcer");
  var banner = document.getElementById("connection-banner");
  var interval = parseInt(root.dataset.liveInterval, 10) || 1000;
  var held = root.dataset.liveWait === "1";
  var busy = false, nextPoll = null, failures = 0, down = false, bannerTimer = null;

  function offline() {
    failures += 1;
    if (down || !banner) return;  // said once: an assertive region repeated every retry is noise
    down = true;
    clearTimeout(bannerTimer);
    banner.textContent = banner.dataset.offline || "";
    banner.classList.remove("online");
    banner.hidden = false;
  }

  function online() {
    failures = 0;
    if (!down) return;
    down = false;
    banner.textContent = banner.dataset.online || "";
    banner.classList.add("online");
    bannerTimer = setTimeout(function () { banner.hidden = true; }, 3000);
  }

  function send(url, options, ms) {
    // A phone whose Wi-Fi drops mid-request may never hear back: every request has a deadline.
    var controller = new AbortController();
    var deadline = setTimeout(function () { controller.abort(); }, ms);
    options.credentials = "same-origin";
    options.signal = controller.signal;
    return fetch(url, options)
      .then(function (response) {
        return response.text().then(function (text) {
          clearTimeout(deadline);
          if (response.status >= 500) throw new Error("server error " + response.status);
          online();
          return { status: response.status, ok: response.ok, redirected: response.redirected, text: text };
        });
      })
      .catch(function (error) {
        clearTimeout(deadline);
        offline();
        throw error;
      });
  }

  function older(version) {
    // An answer's reply overtaken by a poll's newer part is dropped.
    var shown = root.dataset.liveVersion;
    return /^\d+$/.test(version) && /^\d+$/.test(shown) && parseInt(version, 10) < parseInt(shown, 10);
  }

  function showNotices(page) {
    each(document.querySelectorAll(".flash"), function (f) { f.remove(); });
    var main = document.getElementById("main");
    if (!main || !page) return;
    var anchor = main.firstChild;
    each(page.querySelectorAll(".flash"), function (f) { main.insertBefore(document.importNode(f, true), anchor); });
  }

  function countUp(before) {
    // A count that grew runs up to its new value, so a change on the projector catches the eye.
    if (reducedMotion()) return;
    each(root.querySelectorAll("[data-count][id]"), function (element) {
      var from = before[element.id], raw = element.dataset.count, to = parseFloat(raw);
      if (!(to > from)) return;
      var text = element.textContent, at = text.lastIndexOf(raw), start = Date.now();
      function frame() {
        var done = Math.min(1, (Date.now() - start) / 400), eased = 1 - (1 - done) * (1 - done);
        var shown = Math.round(from + (to - from) * eased);
        element.textContent = done === 1 ? text : at < 0 ? String(shown) : text.slice(0, at) + shown + text.slice(at + raw.length);
        if (done < 1) window.requestAnimationFrame(frame);
      }
      frame();
    });
  }

  function swap(page, force) {
    var fresh = page.querySelector("[data-live-state]");
    if (!fresh) { window.location.reload(); return; }
    if (older(fresh.dataset.liveVersion)) return;
    document.title = page.title;
    var focusedId = document.activeElement && document.activeElement.id;
    var opened = [], counts = {};
    each(root.querySelectorAll("details[open][id]"), function (d) { opened.push(d.id); });
    each(root.querySelectorAll("[data-count][id]"), function (c) { counts[c.id] = parseFloat(c.dataset.count); });
    var keepBefore = root.dataset.liveKeep;
    var announceBefore = root.dataset.liveAnnounce || "";
    var announce = fresh.dataset.liveAnnounce || "";
    root.dataset.liveVersion = fresh.dataset.liveVersion;
    root.className = fresh.className;  // the phase's styles follow the screen
    if (!force && keepBefore && keepBefore === fresh.dataset.liveKeep) {
      // The same open question: keep the answer being typed, but take what
      // may have changed around it (more time given, a new nickname).
      each(root.querySelectorAll("[data-live-fresh][id]"), function (old) {
        var now = fresh.querySelector("#" + old.id);
        if (now) old.replaceWith(document.importNode(now, true));
      });
      startTimers();
      return;
    }
    root.replaceChildren.apply(root, Array.prototype.map.call(fresh.childNodes, function (n) { return document.importNode(n, true); }));
    root.dataset.liveKeep = fresh.dataset.liveKeep || "";
    root.dataset.liveAnnounce = announce;
    opened.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
    showNotices(page);
    if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
    if (announce !== announceBefore) {
      var heading = root.querySelector("h1");
      if (announcer) announcer.textContent = heading ? heading.textContent.trim() : "";
      if (/^open-/.test(announce)) play(OPEN_TONE);
      else if (/^closed-/.test(announce)) play(CHIME);
    }
    refresh(root);
    countUp(counts);
    startTimers();
  }

  function take(asked, force) {
    // A live part (a form's reply may be 400 or 422 and still one), or 304: nothing new.
    return asked.then(function (reply) {
      if (reply.status === 304) return;
      if (reply.redirected || !(reply.ok || reply.status === 400 || reply.status === 422)) {
        window.location.reload();
        return;
      }
      swap(new DOMParser().parseFromString(reply.text, "text/html"), force);
    });
  }

  function partUrl(base, wait) {
    // Only the live region is needed: ?part=live leaves out the page around it.
    var url = new URL(base);
    url.searchParams.set("part", "live");
    if (wait) url.searchParams.set("wait", "1");
    return url.href;
  }

  function unlessVersion() {
    return { "If-None-Match": '"' + root.dataset.liveVersion + '"' };
  }

  function askState() {
    var headers = unlessVersion();
    headers.Accept = "application/json";
    return send(root.dataset.liveState, { cache: "no-cache", headers: headers }, TIMEOUT).then(function (reply) {
      var state = reply.status === 200 ? JSON.parse(reply.text) : null;
      if (!state || state.version === root.dataset.liveVersion) return;
      return take(send(partUrl(window.location.href, false), { cache: "no-cache" }, TIMEOUT), false);
    });
  }

  function poll() {
    // One poll at a time, and one waiting at most: a poll asked for early replaces the waiting one.
    if (busy) return;
    busy = true;
    clearTimeout(nextPoll);
    var sent = Date.now();
    var asked = held
      ? take(send(partUrl(window.location.href, true), { cache: "no-cache", headers: unlessVersion() }, HELD_TIMEOUT), false)
      : askState();
    asked
      .catch(function () { /* counted by send(): the next try waits longer */ })
      .then(function () {
        busy = false;
        var wait = failures ? Math.min(10000, 1000 * Math.pow(2, failures - 1)) : interval - (Date.now() - sent);
        nextPoll = setTimeout(poll, Math.max(0, wait));
      });
  }

  // --- answers

  function sendForm(form, extra) {
    if (form.liveSending) return;  // a double click: the first is on its way
    form.liveSending = true;
    if (!form.hasAttribute("data-live-submit")) {
      // A student-paced form goes on to its feedback page: a plain post,
      // the chosen answer added as fields (submit() sends no button).
      Object.keys(extra).forEach(function (name) {
        var field = document.createElement("input");
        field.type = "hidden"; field.name = name; field.value = extra[name];
        form.appendChild(field);
      });
      form.submit();
      return;
    }
    var body = new FormData(form);
    Object.keys(extra).forEach(function (name) { body.append(name, extra[name]); });
    var buttons = Array.prototype.filter.call(form.querySelectorAll("button"), function (b) { return !b.disabled; });
    buttons.forEach(function (b) { b.disabled = true; });
    take(send(partUrl(form.action, false), { method: "POST", body: body }, TIMEOUT), true)
      .catch(function () {
        // Not sent (or no reply): say so, keep the answer, let the student send it again.
        var notice = document.createElement("p");
        notice.className = "flash flash-error";
        notice.setAttribute("role", "alert");
        notice.textContent = form.dataset.liveOffline || "";
        showNotices(null);
        form.insertBefore(notice, form.firstChild);
      })
      .then(function () {
        form.liveSending = false;
        buttons.forEach(function (b) { b.disabled = false; });
      });
  }

  var undo = null;  // the one-tap answer waiting for its undo window to run out

  function stopUndo() {
    if (!undo) return;
    clearTimeout(undo.sendTimer);
    clearInterval(undo.showTimer);
    undo.bar.hidden = true;
    undo = null;
  }

  function tiles(form) { return form.querySelectorAll("button[name=answer]"); }

  function choose(form, tile) {
    if (form.liveSending) return;
    each(tiles(form), function (t) { t.setAttribute("aria-pressed", t === tile ? "true" : "false"); });
    form.liveChoice = tile.value;
    var step = form.querySelector("[data-confidence-step]");
    if (step) {
      step.hidden = false;
      var first = step.querySelector("[data-confidence]");
      if (first) first.focus();
      return;
    }
    var bar = form.querySelector("[data-undo-bar]"), timer = root.querySelector("[data-closes-at]");
    stopUndo();
    var ends = Date.now() + 1000 * (parseFloat(form.dataset.undoS) || 3);
    // Near the close, a full undo window would land the answer too late: it ends half a second before.
    var closes = timer ? Date.parse(timer.dataset.closesAt) - 500 : NaN;
    if (closes < ends) ends = closes;
    if (!bar || ends <= Date.now()) { sendForm(form, { answer: tile.value }); return; }
    var label = bar.querySelector("[data-undo-seconds]");
    function show() { if (label) label.textContent = String(Math.max(0, Math.ceil((ends - Date.now()) / 1000))); }
    undo = {
      form: form, tile: tile, bar: bar,
      showTimer: setInterval(show, 250),
      sendTimer: setTimeout(function () { stopUndo(); sendForm(form, { answer: tile.value }); }, ends - Date.now())
    };
    show();
    bar.hidden = false;
  }

  root.addEventListener("click", function (event) {
    var target = event.target;
    var form = target.closest && target.closest("form[data-one-tap]");
    if (!form) return;
    var tile = target.closest("button[name=answer]");
    var confidence = target.closest("[data-confidence]");
    if (tile) {
      event.preventDefault();  // the tap chooses; the answer goes later (the no-script tap posts at once)
      choose(form, tile);
    } else if (confidence && form.liveChoice) {
      sendForm(form, { answer: form.liveChoice, confidence: confidence.dataset.confidence });
    } else if (target.closest("[data-undo]") && undo && undo.form === form) {
      var chosen = undo.tile;
      stopUndo();
      each(tiles(form), function (t) { t.setAttribute("aria-pressed", "false"); });
      form.liveChoice = null;
      chosen.focus();  // the Undo button just hid: focus goes back where the choice was made
    }
  });

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-live-submit")) return;
    event.preventDefault();
    if (!form.hasAttribute("data-one-tap")) sendForm(form, {});  // a one-tap form sends through its tiles
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.tagName === "INPUT" && target.type === "text" || target.tagName === "TEXTAREA")) return;
    var digit = parseInt(event.key, 10);
    if (!(digit >= 1 && digit <= 9)) return;
    var choices = root.querySelectorAll("[data-answer-keys] input, form[data-one-tap] button[name=answer]");
    var choice = choices[digit - 1];
    if (!choice) return;
    event.preventDefault();
    choice.focus();
    if (choice.tagName === "BUTTON") choose(choice.form, choice);
    else if (choice.type === "checkbox") choice.checked = !choice.checked;
    else choice.checked = true;
  });

  // --- countdown

  var ringTimer = null;
  function startTimers() {
    clearTimeout(ringTimer);
    var timer = root.querySelector("[data-closes-at]");
    if (!timer) return;
    var closesAt = Date.parse(timer.dataset.closesAt);  // ISO 8601 in UTC, "…Z"
    var duration = parseFloat(timer.dataset.durationS);
    var progress = timer.querySelector(".ring-progress");
    var seconds = timer.querySelector(".ring-seconds");
    var countdown = timer.querySelector(".countdown");
    var calm = reducedMotion(), last = null;
    if (calm && progress) progress.style.transition = "none";
    function tick() {
      var leftMs = Math.max(0, closesAt - Date.now()), left = Math.ceil(leftMs / 1000);
      if (progress && duration > 0) {
        progress.style.strokeDashoffset = String(Math.min(100, Math.max(0, 100 * (1 - leftMs / 1000 / duration))));
      }
      // Over 99 s as minutes and seconds ("9:41"), as the page was made.
      if (seconds) seconds.textContent = left > 99 ? Math.floor(left / 60) + ":" + String(100 + left % 60).slice(1) : String(left);
      if (countdown) countdown.textContent = "(" + left + " s)";
      if (seconds && last !== null && left !== last && left >= 1 && left <= 5) play(TICK);
      last = left;
      if (left === 0) { poll(); return; }
      // Reduced motion: one step a second, on the second.
      ringTimer = setTimeout(tick, calm ? leftMs % 1000 || 1000 : 250);
    }
    tick();
  }

  startTimers();
  if (held) poll(); else nextPoll = setTimeout(poll, interval);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
})();
