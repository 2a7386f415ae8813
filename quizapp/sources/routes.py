"""Routes of the source viewer."""

from flask import Response, render_template, request

from quizapp.domain.numbers import whole_number
from quizapp.extensions import db
from quizapp.i18n import current_language
from quizapp.models import Source
from quizapp.services.content import source_overview, source_page
from quizapp.sources import bp


@bp.get("/")
def index():
    """The list of source articles."""
    return render_template("sources/index.html", sources=source_overview())


@bp.get("/<source_id>")
def show(source_id: str):
    """An article as readable paragraphs; ``?passage=ID`` highlights a passage."""
    source = db.get_or_404(Source, source_id)
    target = request.args.get("passage", type=whole_number)
    # The project's English beside each paragraph: shown by default to
    # readers of the English interface, on request (?english=1) to others.
    wanted = request.args.get("english")
    english = current_language() == "en" if wanted not in ("0", "1") else wanted == "1"
    return render_template(
        "sources/show.html", page=source_page(source, target), show_english=english
    )


@bp.get("/<source_id>/original")
def original(source_id: str):
    """The stored copy exactly as collected, as plain UTF-8 text."""
    source = db.get_or_404(Source, source_id)
    return Response(source.text, content_type="text/plain; charset=utf-8")
