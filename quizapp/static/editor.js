// The question editor's helpers. The form works without them (every list
// action and the check are server round trips); with them, only the fields
// of the chosen type are shown, quotes are picked in the article with the
// mouse or by search, and each quote is shown in context as it is typed.
// editor-round-trips.js replaces the form in place; it says so with an
// "editor:replaced" event, and the new form is set up again here.
(function () {
  "use strict";
  if (!document.getElementById("editor")) return;

  // The form is replaced by each round trip: always look it up afresh.
  function editorForm() {
    return document.getElementById("editor");
  }

  function url(name, source) {
    return editorForm().dataset[name].replace("SOURCE", encodeURIComponent(source));
  }

  // --- Fields by question type ------------------------------------------
  function showTypeFields() {
    var form = editorForm();
    var chosen = document.getElementById("type").value;
    form.querySelectorAll("[data-for-types]").forEach(function (section) {
      section.hidden = section.dataset.forTypes.split(" ").indexOf(chosen) === -1;
    });
  }

  // --- A passage row's inputs and its context ------------------------------
  function input(row, name) {
    return document.getElementById("sources-" + row + "-" + name);
  }
  var contextTimers = {};
  function refreshContext(row) {
    var box = editorForm().querySelector('[data-context="' + row + '"]');
    var exact = input(row, "exact").value.trim();
    if (!box) return;
    if (!exact) { box.textContent = ""; return; }
    var query = new URLSearchParams({
      exact: exact, prefix: input(row, "prefix_text").value, suffix: input(row, "suffix_text").value
    });
    fetch(url("contextUrl", input(row, "doc").value) + "?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { box.innerHTML = html; });
  }
  function watchSourceRow(fieldset) {
    var row = fieldset.dataset.sourceRow;
    ["exact", "prefix_text", "suffix_text", "doc"].forEach(function (name) {
      var el = input(row, name);
      if (!el) return;
      el.addEventListener(name === "doc" ? "change" : "input", function () {
        clearTimeout(contextTimers[row]);
        contextTimers[row] = setTimeout(function () { refreshContext(row); }, 300);
        if (name === "doc") {
          var link = editorForm().querySelector('[data-article-link="' + row + '"]');
          if (link) link.href = url("articleUrl", el.value);
        }
      });
    });
  }

  // Everything bound to the form's own elements: run on the first page and
  // again on each form a round trip brings ("editor:replaced").
  function setUp() {
    var form = editorForm();
    var typeSelect = document.getElementById("type");
    if (typeSelect) {
      typeSelect.addEventListener("change", showTypeFields);
      showTypeFields();
    }
    form.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    form.querySelectorAll("[data-source-row]").forEach(watchSourceRow);
    form.querySelectorAll("[data-open-picker]").forEach(function (button) {
      button.addEventListener("click", function () { open(button.dataset.openPicker, button); });
    });
  }

  // --- The picker (outside the form: set up once) ----------------------------
  var dialog = document.getElementById("picker");
  var article = document.getElementById("picker-article");
  var useButton = document.getElementById("picker-use");
  var search = document.getElementById("picker-search");
  var results = document.getElementById("picker-results");
  var message = document.getElementById("picker-message");
  var sentenceButton = document.getElementById("picker-sentence");
  // ``range``: what is selected in the article now. ``tried``: the last range
  // the server refused (a short selection, a short search result), kept so
  // that "Use the whole sentence" can still widen it: pressing a button may
  // clear the selection, and a search result is never selected at all.
  var current = { row: null, source: null, opener: null, range: null, tried: null };

  // The range "Use the whole sentence" widens: the selection, else the one refused.
  function sentenceRange() {
    return current.range || current.tried;
  }

  function updateButtons() {
    useButton.disabled = !current.range;
    if (sentenceButton) sentenceButton.disabled = !sentenceRange();
  }

  function say(text) {
    message.textContent = text || "";
    message.hidden = !text;
  }

  // The offset in the stored copy of a point (node, offset) in the article.
  function copyOffset(node, offset, atEnd) {
    var span = null;
    if (node.nodeType === Node.TEXT_NODE) {
      span = node.parentElement.closest("[data-start]");
      if (span) return Number(span.dataset.start) + offset;
    }
    // A point between elements: the nearest piece of text after (start) or before (end) it.
    var pieces = Array.prototype.slice.call(article.querySelectorAll("[data-start]"));
    var probe = document.createRange();
    probe.setStart(node, offset);
    var inside = pieces.filter(function (piece) {
      return probe.comparePoint(piece, 0) === (atEnd ? -1 : 1) || probe.comparePoint(piece, 0) === 0;
    });
    if (!inside.length) return null;
    span = atEnd ? inside[inside.length - 1] : inside[0];
    return Number(atEnd ? span.dataset.end : span.dataset.start);
  }

  function selectedRange() {
    var selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    if (!article.contains(range.commonAncestorContainer)) return null;
    var start = copyOffset(range.startContainer, range.startOffset, false);
    var end = copyOffset(range.endContainer, range.endOffset, true);
    if (start === null || end === null || end <= start) return null;
    return { start: start, end: end };
  }

  document.addEventListener("selectionchange", function () {
    if (!dialog.open) return;
    current.range = selectedRange();
    updateButtons();
  });

  function fill(data) {
    var row = current.row;
    input(row, "exact").value = data.exact;
    input(row, "prefix_text").value = data.prefix;
    input(row, "suffix_text").value = data.suffix;
    if (data.prefix || data.suffix) {
      input(row, "prefix_text").closest("details").open = true;
    }
    refreshContext(row);
  }

  function useRange(range) {
    var query = new URLSearchParams({ start: range.start, end: range.end });
    if (range.widen) query.set("widen", range.widen);
    fetch(url("quoteUrl", current.source) + "?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.error) {
          say(data.message || data.error);
          current.tried = { start: range.start, end: range.end };
          updateButtons();
          return;
        }
        fill(data);
        // Closing hands focus back to current.opener: the quote just filled in.
        current.opener = input(current.row, "exact");
        close();
      });
  }

  useButton.addEventListener("click", function () {
    if (current.range) useRange(current.range);
  });

  // Pressing a button may clear the article's selection on mousedown; the
  // selectionchange then disables the button before mouseup, and the click
  // never comes. Keeping the press from moving the selection keeps both
  // buttons working on the words still highlighted.
  [useButton, sentenceButton].forEach(function (button) {
    if (button) button.addEventListener("mousedown", function (event) { event.preventDefault(); });
  });

  // "Use the whole sentence": the server widens the range to the sentences
  // it touches (quizapp.domain.quotes.sentence_around).
  if (sentenceButton) {
    sentenceButton.addEventListener("click", function () {
      var range = sentenceRange();
      if (range) useRange({ start: range.start, end: range.end, widen: "sentence" });
    });
  }

  var searchTimer = null;
  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); runSearch(); }
  });
  function runSearch() {
    var text = search.value.trim();
    results.textContent = "";
    if (!text) return;
    var query = new URLSearchParams({ q: text });
    fetch(url("findUrl", current.source) + "?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        results.textContent = "";
        if (!data.results.length) {
          var none = document.createElement("li");
          none.textContent = document.getElementById("picker-none").innerHTML;
          results.appendChild(none);
          return;
        }
        data.results.forEach(function (found) {
          var item = document.createElement("li");
          var text = document.createElement("span");
          text.append("…" + found.before);
          var mark = document.createElement("mark");
          mark.textContent = found.quote;
          text.append(mark, found.after + "… ");
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = document.getElementById("picker-use-result").innerHTML;
          button.addEventListener("click", function () {
            useRange({ start: found.start, end: found.end });
          });
          item.append(text, button);
          results.appendChild(item);
        });
      });
  }

  function open(row, opener) {
    current.row = row;
    current.source = input(row, "doc").value;
    current.opener = opener;
    current.range = null;
    current.tried = null;
    updateButtons();
    search.value = "";
    results.textContent = "";
    say("");
    article.textContent = "";
    fetch(url("pickerUrl", current.source), { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { article.innerHTML = html; });
    dialog.showModal();
    search.focus();
  }

  function close() {
    if (dialog.open) dialog.close();
  }
  dialog.addEventListener("close", function () {
    if (current.opener && current.opener.isConnected) current.opener.focus();
  });
  document.getElementById("picker-close").addEventListener("click", close);

  document.addEventListener("editor:replaced", setUp);
  setUp();
})();
