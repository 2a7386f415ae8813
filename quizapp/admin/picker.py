"""The passage picker: an article to select a quote in, and the quote for a selection.

The question form opens an article (``picker``), in which every visible
piece of text carries its offsets in the stored copy. A mouse selection is
sent back as offsets (``quote``) and answered with the selector that
anchors there, with the least prefix and suffix that make it unique;
``widen=sentence`` first widens the selection to the sentences it touches,
and a selection too short to be a citation (see
:mod:`quizapp.domain.quotes`) is refused as the bank format would. The
search (``find``) lets the keyboard do the same, and ``context`` shows a
typed or picked quote highlighted in its article before saving. All are
read-only GETs of public articles, so teachers writing a proposal in the
same form use them too.
"""

from __future__ import annotations

from flask import abort, jsonify, render_template, request
from flask_babel import gettext as _

from quizapp.admin import bp
from quizapp.auth.access import staff_required
from quizapp.domain.anchoring import (
    AnchorError,
    Selector,
    find_quotes,
    in_context,
    selector_for,
)
from quizapp.domain.numbers import whole_number
from quizapp.domain.quotes import MIN_QUOTE_CHARS, sentence_around, too_short
from quizapp.extensions import db
from quizapp.models import Source
from quizapp.services.catalog import configured_catalog
from quizapp.services.content import source_page

#: The longest quote the picker accepts (the bank format allows long ones,
#: but a passage supporting an answer is a sentence or two).
MAX_QUOTE = 600


def _doc(source_id: str):
    catalog, _problems = configured_catalog()
    return catalog.get(source_id) or abort(404)


@bp.get("/sources/<source_id>/picker")
@staff_required("teacher", "admin")
def picker(source_id: str):
    """An article laid out for picking a quote (an HTML fragment for the question form)."""
    source = db.get_or_404(Source, source_id)
    return render_template("admin/_picker.html", page=source_page(source, None))


@bp.get("/sources/<source_id>/quote")
@staff_required("teacher", "admin")
def quote(source_id: str):
    """The selector for the characters ``start`` to ``end`` of the stored copy."""
    doc = _doc(source_id)
    start = request.args.get("start", type=whole_number)
    end = request.args.get("end", type=whole_number)
    # Each refusal carries a sentence for the person picking, shown in the picker.
    if (
        start is None
        or end is None
        or not 0 <= start < end <= len(doc.text)
        or not doc.text[start:end].strip()
    ):
        message = _("Select some words of the article first.")
        return jsonify(error="bad_range", message=message), 400
    if request.args.get("widen") == "sentence":
        start, end = sentence_around(doc.text, start, end)
    if end - start > MAX_QUOTE:
        message = _(
            "That selection is too long: a quote has at most %(limit)d characters.",
            limit=MAX_QUOTE,
        )
        return jsonify(error="too_long", limit=MAX_QUOTE, message=message), 422
    try:
        selector = selector_for(doc.folded, doc.text, start, end)
    except AnchorError:
        message = _("That selection occurs too often to be told apart. Select more words.")
        return jsonify(error="not_unique", message=message), 422
    # The same rule as the bank format, on the range the quote anchors at (no white space).
    anchor = doc.locate(selector)
    if too_short(doc.text, selector.exact, anchor.start, anchor.end):
        message = _(
            "That selection is too short to show the evidence: a quote is at least a clause "
            "(%(limit)d characters) or a whole sentence or line. Select more words, "
            "or choose “Use the whole sentence”.",
            limit=MIN_QUOTE_CHARS,
        )
        return jsonify(error="too_short", limit=MIN_QUOTE_CHARS, message=message), 422
    return jsonify(exact=selector.exact, prefix=selector.prefix or "", suffix=selector.suffix or "")


@bp.get("/sources/<source_id>/find")
@staff_required("teacher", "admin")
def find(source_id: str):
    """Where the text ``q`` occurs in the article, with context, for picking by keyboard."""
    doc = _doc(source_id)
    query = request.args.get("q", "")[:MAX_QUOTE]
    found = []
    for anchor in find_quotes(doc.folded, doc.text, query):
        shown = in_context(doc.text, anchor, 30)
        found.append(
            {
                "start": anchor.start,
                "end": anchor.end,
                "before": shown.before,
                "quote": shown.quote,
                "after": shown.after,
            }
        )
    return jsonify(results=found)


@bp.get("/sources/<source_id>/context")
@staff_required("teacher", "admin")
def context(source_id: str):
    """A quote (``exact``, ``prefix``, ``suffix``) highlighted in its article, or why not."""
    doc = _doc(source_id)
    args = request.args
    selector = Selector(
        args.get("exact", "")[:20_000], args.get("prefix") or None, args.get("suffix") or None
    )
    try:
        shown = doc.quote_in_context(selector)
    except AnchorError as error:
        return render_template("admin/_context.html", error=str(error)), 422
    return render_template("admin/_context.html", shown=shown)
