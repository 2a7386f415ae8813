"""Routes of the source viewer."""

from flask import Response, render_template, request

from quizapp.domain.numbers import whole_number
from quizapp.extensions import db
from quizapp.i18n import current_language
from quizapp.learners import learner_key
from quizapp.models import Source
from quizapp.play.players import joined_sessions
from quizapp.services.attempts import test_in_progress
from quizapp.services.classroom import any_running
from quizapp.services.content import source_overview, source_page
from quizapp.sources import bp
from quizapp.urls import safe_next


@bp.get("/")
def index():
    """The list of source articles."""
    return render_template("sources/index.html", sources=source_overview())


def _answering_now() -> bool:
    """Whether this browser is in a test or a live session: while it is, the
    viewer does not mark which passages questions cite, which would narrow
    where the answers are."""
    return test_in_progress(learner_key()) or any_running(joined_sessions())


@bp.get("/<source_id>")
def show(source_id: str):
    """An article as readable paragraphs; ``?passage=ID`` highlights a passage.

    The cited passage stands out; the other citations are toned down (all
    marked alike with ``?all=1``), and not marked at all while this browser
    is answering (a revealed question's link still marks its own passage).
    ``?back=`` (a path on this site) is where "Back to the question" leads.
    """
    source = db.get_or_404(Source, source_id)
    hidden = _answering_now()
    target = request.args.get("passage", type=whole_number)
    # The project's English beside each paragraph: shown by default to
    # readers of the English interface, on request (?english=1) to others.
    wanted = request.args.get("english")
    english = current_language() == "en" if wanted not in ("0", "1") else wanted == "1"
    return render_template(
        "sources/show.html",
        page=source_page(source, target),
        show_english=english,
        marks_hidden=hidden,
        all_marked=request.args.get("all") == "1",
        back=safe_next(request.args.get("back"), fallback="") or None,
    )


@bp.get("/<source_id>/original")
def original(source_id: str):
    """The stored copy exactly as collected, as plain UTF-8 text."""
    source = db.get_or_404(Source, source_id)
    return Response(source.text, content_type="text/plain; charset=utf-8")
