// The editor's round trips without leaving the page. Without this script
// each list action (add, move or delete a choice or a passage), the check,
// the preview and the choice between two admins' texts posts the form and
// the page comes back from its top (each button's formaction names the place
// to open it at). With it, the form is posted in the background, the
// answer's editor region replaces this one, the page stays where it was and
// the focus goes to what the action made, moved or showed. Save still leaves
// the page as before. Any answer that carries the editor is shown, errors
// too; anything else leaves the form as typed, with a note to try again.
(function () {
  "use strict";
  if (!document.getElementById("editor")) return;

  // The form is replaced by each round trip: always look it up afresh.
  function editorForm() {
    return document.getElementById("editor");
  }

  // The actions that only send the form back (Save leaves the page as before).
  var IN_PLACE = new RegExp(
    "^(add_choice|add_source|check|preview|(remove|up|down)_choice-\\d+|remove_source-\\d+|" +
      "(use_theirs|keep_mine)-[a-z_.]+)$"
  );
  var busy = false;

  function button(action) {
    return editorForm().querySelector('button[name="action"][value="' + action + '"]');
  }

  function byId(id) {
    return document.getElementById(id);
  }

  // Where the admin carries on after ``action``: what it added, the choice
  // it moved (on the button that moves it on), the row now in the place of
  // one deleted, the check's result or the preview beside the buttons.
  function focusAfter(action) {
    var form = editorForm();
    var parts = action.split("-");
    var name = parts[0];
    var index = Number(parts[1]);
    var choices = form.querySelectorAll(".choice-editor").length;
    var sources = form.querySelectorAll(".source-editor").length;
    switch (name) {
      case "add_choice":
        return byId("choices-" + (choices - 1) + "-text_zh");
      case "add_source":
        return byId("sources-" + (sources - 1) + "-exact");
      case "remove_choice":
        return choices ? byId("choices-" + Math.min(index, choices - 1) + "-id") : button("add_choice");
      case "remove_source":
        return sources ? byId("sources-" + Math.min(index, sources - 1) + "-doc") : button("add_source");
      case "up_choice":
        return button("up_choice-" + (index - 1)) || button("down_choice-" + (index - 1));
      case "down_choice":
        return button("down_choice-" + (index + 1)) || button("up_choice-" + (index + 1));
      case "preview":
        return byId("preview") || byId("check-result");
      case "use_theirs":
      case "keep_mine":
        return form.querySelector(".merge-row button") || byId("merge-done");
      default:
        return byId("check-result");
    }
  }

  // Scroll no more than needed to show ``el``: all of it if it is small, the
  // start of it if it is tall (a preview is read on by scrolling, as usual).
  function reveal(el) {
    var margin = 16;
    var box = el.getBoundingClientRect();
    var shown = Math.min(box.height, 160);
    if (box.top < margin) {
      window.scrollBy(0, box.top - margin);
    } else if (box.top + shown > window.innerHeight - margin) {
      window.scrollBy(0, box.top + shown - window.innerHeight + margin);
    }
  }

  // The page's notices about the answer (warnings of a check...) go beside
  // the buttons, where the admin is, in place of the ones shown before.
  function moveNotices(page) {
    document.querySelectorAll("main > .flash").forEach(function (old) { old.remove(); });
    var place = document.getElementById("check-result");
    page.querySelectorAll("main > .flash").forEach(function (notice) {
      if (place) place.appendChild(document.adoptNode(notice));
    });
  }

  // The new region in place of the old, the page scrolled as it was. A moved
  // choice is the exception: the page follows it, so that its button stays
  // under the pointer (``pressedAt``) and the next press moves it on again.
  function swap(page, action, pressedAt, typingIn) {
    var scrolled = window.scrollY;
    var region = page.getElementById("editor-region");
    document.getElementById("editor-region").replaceWith(document.adoptNode(region));
    moveNotices(page);
    document.dispatchEvent(new CustomEvent("editor:replaced"));
    window.scrollTo(window.scrollX, scrolled);
    // Enter in a text box checks (the form's first button): typing goes on there.
    var target = (typingIn && byId(typingIn.id)) || focusAfter(action);
    if (!target) return;
    target.focus({ preventScroll: true });
    if (typingIn) {
      // The caret where it was (a select or a checkbox has none).
      if (typeof typingIn.start === "number" && typeof target.setSelectionRange === "function") {
        target.setSelectionRange(typingIn.start, typingIn.end);
      }
      return;
    }
    if (/^(up|down)_choice-/.test(action)) {
      window.scrollBy(0, target.getBoundingClientRect().top - pressedAt);
    } else {
      reveal(target);
    }
  }

  // Nothing came back to show: say so beside the button, and leave the form as it is.
  function failed(pressed) {
    var hidden = pressed.classList.contains("visually-hidden");
    var place = hidden ? byId("check-result") : pressed.closest("p") || pressed;
    var note = place.nextElementSibling;
    if (!note || !note.classList.contains("editor-failed")) {
      note = document.createElement("p");
      note.className = "form-error editor-failed";
      note.setAttribute("role", "alert");
      place.after(note);
    }
    note.textContent = document.getElementById("editor-failed").content.textContent;
  }

  function send(action, pressed, typingIn) {
    var form = editorForm();
    var pressedAt = pressed.getBoundingClientRect().top;
    var data = new FormData(form);
    data.append("action", action);
    var typed = false;
    function noteTyping() { typed = true; }
    form.addEventListener("input", noteTyping);
    form.addEventListener("change", noteTyping);
    busy = true;
    form.setAttribute("aria-busy", "true");
    function done() {
      form.removeEventListener("input", noteTyping);
      form.removeEventListener("change", noteTyping);
      form.removeAttribute("aria-busy");
      busy = false;
    }
    // Not form.action: the buttons named "action" shadow that property.
    var target = new URL(form.getAttribute("action") || "", window.location.href);
    fetch(target.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        done();
        // Typed into while the answer was on its way: that answer would undo
        // the typing, so the action is sent again with the form as it is now.
        if (typed) { send(action, pressed, typingIn); return; }
        // Any answer that carries the editor is shown, errors too: a 422 has
        // the problems, a 400 the form with a fresh security token.
        var page = new DOMParser().parseFromString(html, "text/html");
        if (page.getElementById("editor-region")) swap(page, action, pressedAt, typingIn);
        else failed(pressed);
      })
      .catch(function () {
        done();
        failed(pressed);
      });
  }

  document.addEventListener("submit", function (event) {
    var pressed = event.submitter;
    if (event.target !== editorForm() || !pressed || pressed.name !== "action") return;
    if (!IN_PLACE.test(pressed.value)) return;
    event.preventDefault();
    var typingIn = null;
    var field = document.activeElement;
    if (pressed.classList.contains("visually-hidden") && field && field.id) {
      typingIn = { id: field.id, start: field.selectionStart, end: field.selectionEnd };
    }
    if (!busy) send(pressed.value, pressed, typingIn);
  });

})();
