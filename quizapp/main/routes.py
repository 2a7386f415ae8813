"""Routes of the main area."""

from flask import redirect, render_template, request

from quizapp.i18n import LANGUAGE_COOKIE
from quizapp.learners import learner_key
from quizapp.main import bp
from quizapp.main.forms import LanguageForm
from quizapp.services.attempts import settle_expired_tests
from quizapp.services.content import offered_banks, source_overview
from quizapp.services.progress import last_scores, latest_unfinished
from quizapp.study.reviews import review_context
from quizapp.urls import safe_next

ONE_YEAR = 365 * 24 * 3600


@bp.app_context_processor
def language_switch() -> dict:
    """Give every page the language switch form, returning to the same page.

    A function, called by base.html only (see logout_button).
    """
    # Not bound to the request (see logout_button): only the page's own forms read the body.
    return {
        "language_form": lambda: LanguageForm(formdata=None, next=request.full_path.rstrip("?"))
    }


@bp.get("/")
def home():
    """The banks with question counts and the learner's last scores, the
    reviews due, and the sources."""
    learner = learner_key()
    settle_expired_tests(learner)  # a test whose time ran out is not "under way"
    return render_template(
        "main/home.html",
        banks=offered_banks(),
        sources=source_overview(),
        scores=last_scores(learner),
        unfinished=latest_unfinished(learner),
        **review_context(learner),
    )


@bp.post("/language")
def set_language():
    """Remember the chosen interface language and go back to the page."""
    form = LanguageForm()
    response = redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        chosen = "zh" if form.zh.data else "en"
        response.set_cookie(
            LANGUAGE_COOKIE, chosen, max_age=ONE_YEAR, samesite="Lax", httponly=True
        )
    return response
