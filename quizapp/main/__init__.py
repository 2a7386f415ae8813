"""The home page and the language switch."""

from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from quizapp.main import routes  # noqa: E402,F401


@bp.app_context_processor
def language_switch():
    """Give every page the language switch form, returning to the same page."""
    from flask import request

    from quizapp.main.forms import LanguageForm

    return {"language_form": LanguageForm(next=request.full_path.rstrip("?"))}
