/* Self-study from the keyboard: 1–9 choose an answer, then 1–3 how sure;
   Enter submits, and on the feedback page Enter goes on.

   Every page works without this script (plain forms and links, the focus
   put on the question by `autofocus`); it only adds the shortcuts and
   shows their hint. Digits act on the group the focus is in: the answers,
   or the confidence once an answer is chosen (the focus moves there). */
(function () {
  "use strict";

  var form = document.querySelector("form.question-form");
  var next = document.querySelector("[data-next]");
  var hint = document.querySelector("[data-key-hint]");
  if (hint && (form || next)) hint.hidden = false;

  function inputs(selector) {
    return form ? Array.prototype.slice.call(form.querySelectorAll(selector)) : [];
  }
  var answers = inputs("fieldset.choices input");
  var textAnswer = form && form.querySelector("input[type=text][name=answer]");
  var confidence = inputs("fieldset.confidence input");

  function checked(group) {
    return group.filter(function (input) { return input.checked; });
  }
  function focusConfidence() {
    (checked(confidence)[0] || confidence[0]).focus();
  }

  function enter(event, target) {
    if (target.closest("a, button, summary, textarea")) return;  // their own Enter
    if (!form) {
      if (next && !target.closest("form, input")) { event.preventDefault(); next.click(); }
      return;
    }
    var inForm = target.closest("form");
    if (inForm && inForm !== form) return;  // another form (the language switch)
    var answered = textAnswer ? textAnswer.value.trim() !== "" : checked(answers).length > 0;
    if (answered && confidence.length && !checked(confidence).length) {
      event.preventDefault();
      focusConfidence();  // the one thing missing: the next key picks it
      return;
    }
    if (target === textAnswer) return;  // the browser submits (and checks) it
    event.preventDefault();
    if (!answered) { (answers[0] || textAnswer).focus(); return; }
    form.requestSubmit();
  }

  function digit(event, target, number) {
    if (!form || target === textAnswer || target.closest("textarea, select")) return;
    var inConfidence = !!target.closest("fieldset.confidence");
    var group = inConfidence ? confidence : answers;
    var choice = group[number - 1];
    if (!choice) return;
    event.preventDefault();
    choice.focus();
    if (choice.type === "checkbox") choice.checked = !choice.checked;
    else choice.checked = true;
    if (!inConfidence && choice.type === "radio" && confidence.length) focusConfidence();
    keep();  // set by script: no change event tells the keeper
  }

  // `autofocus` puts the focus on the question (or the feedback) as the page
  // loads; when the browser skipped it, the focus is put there now.
  var start = document.querySelector("main [autofocus]");
  if (start && (!document.activeElement || document.activeElement === document.body)) start.focus();

  // --- What was typed and chosen outlives a reload or a language switch ---
  // Until the answer is sent, what the form holds is kept in this tab for
  // this page (each change, and as the language switch, its own form, goes
  // to the server) and put back when the page comes again without it.
  // Sending the answer forgets it: the server has it from then on.
  var KEPT = "quizapp.kept:" + location.pathname;
  var languageForm = document.querySelector("form.language-switch");
  if (form) {
    var keep = function () {
      var kept = { text: textAnswer ? textAnswer.value : null, checked: [] };
      form.querySelectorAll("input:checked").forEach(function (input) {
        kept.checked.push(input.name + "=" + input.value);
      });
      try { sessionStorage.setItem(KEPT, JSON.stringify(kept)); } catch (e) { /* storage off: nothing kept */ }
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    if (languageForm) languageForm.addEventListener("submit", keep);
    form.addEventListener("submit", function () {
      try { sessionStorage.removeItem(KEPT); } catch (e) { /* nothing was kept */ }
    });
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(KEPT) || "null"); } catch (e) { saved = null; }
    // A page that already shows an answer (a test's saved one) keeps it.
    var shown = (textAnswer && textAnswer.value.trim() !== "") || form.querySelector("fieldset.choices input:checked");
    if (saved && !shown) {
      if (textAnswer && saved.text && !textAnswer.value) textAnswer.value = saved.text;
      form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (input) {
        if (saved.checked.indexOf(input.name + "=" + input.value) !== -1) input.checked = true;
      });
      // Where the keys left off: a number now says how sure, not another answer.
      var given = textAnswer ? textAnswer.value.trim() !== "" : checked(answers).length > 0;
      if (given && confidence.length && !checked(confidence).length) focusConfidence();
      else if (given) form.querySelector("button[type=submit]").focus();
    }
  }

  // --- A test's time limit -------------------------------------------------
  // Counts down from the seconds left when the page was made (the server's
  // clock, not this device's). When it runs out, an answer changed on this
  // page is saved; otherwise the page goes to the results, and the server
  // submits the test as it stands either way (and refuses anything later).
  // A page left untouched never saves: in a second tab it would put back
  // an answer the learner has changed since in the first.
  var timer = document.querySelector("[data-deadline-in]");
  if (timer) {
    var value = timer.querySelector("[data-timer-value]");
    var announce = document.querySelector("[data-timer-announce]");
    var ends = Date.now() + 1000 * parseInt(timer.getAttribute("data-deadline-in"), 10);
    var changed = false;
    if (form) {
      form.addEventListener("input", function () { changed = true; });
      form.addEventListener("change", function () { changed = true; });
    }
    var warned = {};
    var remaining = function () { return Math.max(0, Math.round((ends - Date.now()) / 1000)); };
    // A mark already passed when the page loads is not announced again.
    [300, 60].forEach(function (mark) { if (remaining() <= mark) warned[mark] = true; });
    var tick = function () {
      var left = remaining();
      value.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      timer.classList.toggle("test-timer-low", left <= 60);
      [300, 60].forEach(function (mark) {
        if (left <= mark && left > 0 && !warned[mark] && announce) {
          warned[mark] = true;
          announce.textContent = timer.textContent.replace(/\s+/g, " ").trim();
        }
      });
      if (left > 0) return;
      clearInterval(running);
      var save = form && form.querySelector("button[name=go][value=review]");
      if (save && changed) form.requestSubmit(save);
      else location.assign(timer.getAttribute("data-results"));
    };
    var running = setInterval(tick, 1000);
    tick();
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target instanceof Element ? event.target : document.body;
    // A typed answer: typing where the focus starts (the question) goes into
    // the answer box, first key included.
    // With a Chinese input method the key is "Process" (composing): the
    // answer box takes the focus, and the input method goes on there.
    var typing = (event.key.length === 1 && event.key !== " ") || event.key === "Process" || event.isComposing;
    if (textAnswer && typing && !target.closest("input, textarea, select, button, a, summary")) {
      textAnswer.focus();
      return;
    }
    if (event.key === "Enter") { enter(event, target); return; }
    var number = parseInt(event.key, 10);
    if (number >= 1 && number <= 9) digit(event, target, number);
  });
})();
