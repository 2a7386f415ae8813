"""Questions in the editor: the list, the form, preview, versions and restore."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from quizapp.admin import bp
from quizapp.admin.conflicts import choose, conflict_rows, merge_notice
from quizapp.admin.duplicate_notices import duplicate_notices, lint_notices
from quizapp.admin.forms import QuestionForm, RestoreForm, over_limit, status_label, type_label
from quizapp.admin.question_form import (
    edit_lists,
    field_problems,
    form_data,
    posted_base_version,
    raw_question,
    version_id,
)
from quizapp.answer_form import answer_options, response_messages
from quizapp.auth.access import staff_required
from quizapp.domain.anchoring import AnchorError, Selector
from quizapp.domain.banks import STATUSES, check_question
from quizapp.domain.numbers import whole_number
from quizapp.domain.presentation import question_view, review
from quizapp.domain.question_types import REGISTRY, ResponseError
from quizapp.domain.sources import SourceCatalog
from quizapp.errors import expired_form_page
from quizapp.extensions import db
from quizapp.i18n import LANGUAGES, current_language, pick
from quizapp.models import Bank, Passage, Question, Source
from quizapp.services import learning
from quizapp.services.banks import bank_by_slug
from quizapp.services.catalog import configured_catalog, configured_tags
from quizapp.services.question_list import QuestionFilter, history, question_query, tags_in_use
from quizapp.services.versions import (
    EditConflict,
    KeyTaken,
    Saved,
    UnknownVersion,
    create_question,
    restore_version,
    save_question,
    version_of,
)

PER_PAGE = 25


@bp.get("/questions")
@staff_required("teacher", "admin")
def questions():
    """Every question, found by text in either language and filtered, a page at a time."""
    args = request.args
    chosen = QuestionFilter(
        text=args.get("q", "")[:200],
        bank=args.get("bank", ""),
        type=args.get("type", "") if args.get("type") in REGISTRY else "",
        tag=args.get("tag", "")[:64],
        difficulty=args.get("difficulty", type=whole_number),
        status=args.get("status", "") if args.get("status") in STATUSES else "",
    )
    number = args.get("page", 1, type=whole_number)
    page = db.paginate(question_query(chosen), page=number, per_page=PER_PAGE, error_out=False)
    banks = db.session.scalars(select(Bank).order_by(Bank.slug)).all()
    return render_template(
        "admin/questions.html",
        page=page,
        chosen=chosen,
        banks=banks,
        tags=tags_in_use(),
        types=[(name, type_label(name)) for name in REGISTRY],
        statuses=[(name, status_label(name)) for name in STATUSES],
    )


def _catalog() -> SourceCatalog:
    catalog, _problems = configured_catalog()
    return catalog


def _doc_choices(catalog: SourceCatalog) -> list[tuple[str, str]]:
    return [
        (doc.id, f"{pick(doc.outlet)} · {doc.published} · {pick(doc.title)}")
        for doc in sorted(catalog.docs.values(), key=lambda doc: (doc.published, doc.id))
    ]


def _build_form(catalog: SourceCatalog, data: dict | None = None) -> QuestionForm:
    """The form from the request (``data`` None) or from ``data``, with its choices set."""
    form = QuestionForm() if data is None else QuestionForm(formdata=None, data=data)
    docs = [SelectChoice(value, label) for value, label in _doc_choices(catalog)]
    for entry in form.sources.entries:
        entry.form.doc.choices = docs
    vocabulary, _problems = configured_tags()
    language = current_language()
    form.objective.choices = [SelectChoice("", _("none"))] + [
        SelectChoice(objective, vocabulary.objective_label(objective, language))
        for objective in vocabulary.objectives
    ]
    return form


def _contexts(form: QuestionForm, catalog: SourceCatalog) -> list:
    """Each passage row's quote highlighted in its article, or why it does not anchor.

    Nothing is anchored in a form refused for an input over its limit.
    """
    if over_limit(form):
        return [None] * len(form.sources.entries)
    shown = []
    for entry in form.sources.entries:
        doc = catalog.get(entry.form.doc.data or "")
        exact = (entry.form.exact.data or "").strip()
        if doc is None or not exact:
            shown.append(None)
            continue
        selector = Selector(
            exact, entry.form.prefix_text.data or None, entry.form.suffix_text.data or None
        )
        try:
            shown.append(doc.quote_in_context(selector))
        except AnchorError as error:
            shown.append(str(error))
    return shown


class _PreviewQuote:
    """A cited passage in a preview: the quote, its source and, if stored, its passage."""

    def __init__(self, exact: str, source: Source, passage: Passage | None, gloss: dict | None):
        self.exact, self.source, self.passage, self.gloss = exact, source, passage, gloss


def _preview(spec, language: str, values: list[str]) -> Markup:
    """The question as a learner sees it in ``language``, and its feedback for ``values``."""
    content = spec.content
    view = question_view(content, None)
    quotes = []
    for citation in spec.citations:
        passage = db.session.scalar(
            select(Passage).filter_by(
                source_id=citation.doc, start=citation.anchor.start, end=citation.anchor.end
            )
        )
        source = db.session.get(Source, citation.doc)
        if source is not None:
            quotes.append(_PreviewQuote(citation.selector.exact, source, passage, citation.gloss))
    with force_locale(LANGUAGES[language]):
        options = answer_options(view)
        marked, error = None, None
        if values:
            kind = REGISTRY[content["type"]]
            try:
                response = kind.read_response(values, content)
            except ResponseError as refused:
                error = response_messages()[refused.code]
            else:
                fraction = kind.grade(content["answer"], response)
                marked = review(content, None, response, fraction)
        html = render_template(
            "admin/_preview.html",
            view=view,
            options=options,
            values=values,
            review=marked,
            answer={"fraction": marked.fraction if marked else 0, "confidence": None},
            quotes=quotes,
            error=error,
            preview_language=language,
        )
    return Markup(html)


def _new_question_data(catalog: SourceCatalog) -> dict:
    first_doc = _doc_choices(catalog)[0][0] if catalog.docs else ""
    return {
        "type": "single",
        "status": "draft",
        "difficulty": "1",
        "choices": [
            {"id": "a", "correct": True},
            {"id": "b"},
        ],
        "sources": [{"doc": first_doc}],
    }


def _render_editor(bank, question, form, catalog, status=200, **extra):
    return (
        render_template(
            "admin/edit_question.html",
            bank=bank,
            question=question,
            form=form,
            contexts=_contexts(form, catalog),
            problems=extra.pop("problems", {}),
            conflict_rows=conflict_rows(question, form),
            **extra,
        ),
        status,
    )


def _carried(form: QuestionForm, conflicts: list[str] | None = None) -> dict:
    """What a round trip of the form keeps besides the question: the version it is
    based on, an edit conflict's state (with ``conflicts`` still to choose) and the
    preview's language."""
    return {
        "base_version": form.base_version.data,
        "merge_base": form.merge_base.data,
        "conflicts": form.conflicts.data if conflicts is None else " ".join(conflicts),
        "preview_language": form.preview_language.data,
    }


def _editor(bank: Bank, question: Question | None):
    catalog = _catalog()
    if request.method == "GET":
        if question is None:
            data = _new_question_data(catalog)
        else:
            data = form_data(question.key, question.current_version.content)
            data["base_version"] = str(question.current_version_id)
        return _render_editor(bank, question, _build_form(catalog, data), catalog)
    form = _build_form(catalog)
    too_long = over_limit(form)
    if too_long:  # refused before anything is done with what was typed
        return _render_editor(bank, question, form, catalog, 422, problems=too_long)
    key = question.key if question is not None else (form.key.data or "").strip()
    raw = raw_question(form, key)
    action = request.form.get("action", "save")
    try:
        pending = choose(question, form, raw, action)
    except UnknownVersion:
        abort(400)
    if pending is not None or edit_lists(raw, action):
        data = form_data(key, raw) | _carried(form, pending)
        form = _build_form(catalog, data)
        return _render_editor(bank, question, form, catalog, all_chosen=pending == [])
    if not form.validate():
        problems = {name: list(errors) for name, errors in form.errors.items()}
        return _render_editor(bank, question, form, catalog, 422, problems=problems)
    vocabulary, _problems = configured_tags()
    spec, problems = check_question(raw, catalog, vocabulary)
    if problems:
        return _render_editor(bank, question, form, catalog, 422, problems=field_problems(problems))
    if action == "preview":
        preview = _preview(spec, form.preview_language.data, request.form.getlist("answer"))
        return _render_editor(bank, question, form, catalog, preview=preview)
    if action == "check":
        notices = duplicate_notices(spec, question.id if question else None)
        notices += lint_notices(spec, catalog)
        return _render_editor(bank, question, form, catalog, checked=True, notices=notices)
    return _save(bank, question, form, spec, catalog, vocabulary)


def _save(bank: Bank, question: Question | None, form: QuestionForm, spec, catalog, vocabulary):
    """Save the checked form: a new question, or the next version, merged if need be."""
    try:
        if question is None:
            saved = Saved(create_question(bank, spec, catalog, current_user), created=True)
        else:
            base = version_id(form.base_version.data)
            if base is None:
                abort(400)
            saved = save_question(question, spec, catalog, current_user, base, vocabulary)
        db.session.commit()
    except UnknownVersion:
        db.session.rollback()
        abort(400)
    except KeyTaken:
        db.session.rollback()
        taken = _("A question with this id is already in the bank. Choose another id.")
        return _render_editor(bank, question, form, catalog, 422, problems={"key": [taken]})
    except EditConflict as conflict:
        return _conflict_form(bank, question, form, catalog, conflict)
    if saved.merged_with is not None:
        flash(merge_notice(saved), "success")
    elif saved.created:
        flash(_("Saved as version %(number)d.", number=saved.version.number), "success")
    else:
        flash(_("Nothing had changed, so no new version was made."), "info")
    if question is None:  # warnings only: the new question is saved either way
        notices = duplicate_notices(spec, saved.version.question_id) + lint_notices(spec, catalog)
        for category, notice in notices:
            flash(notice, category)
    return redirect(url_for(".question", question_id=saved.version.question_id))


def _conflict_form(bank, question: Question, form: QuestionForm, catalog, conflict):
    """The form back with a 409 after an edit conflict: merged wherever the two edits
    did not touch the same field, the admin's own text in those that did."""
    merge = conflict.merge
    content = merge.content if merge else raw_question(form, question.key)
    data = form_data(question.key, content) | _carried(form, list(merge.conflicts if merge else ()))
    # Based on their version from now on: the next save is made knowingly over it.
    data["base_version"] = str(conflict.theirs.id)
    data["merge_base"] = str(conflict.base.id) if conflict.base else ""
    form = _build_form(catalog, data)
    return _render_editor(bank, question, form, catalog, 409, conflict=conflict)


@bp.route("/banks/<slug>/questions/new", methods=["GET", "POST"])
@staff_required("admin")
def new_question(slug: str):
    """A new question in bank ``slug``."""
    bank = bank_by_slug(slug) or abort(404)
    return _editor(bank, None)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@staff_required("admin")
def edit_question(question_id: int):
    """Edit a question: a save makes a new version."""
    question = db.get_or_404(Question, question_id)
    return _editor(question.bank, question)


@bp.errorhandler(CSRFError)
def expired_form(error):
    """A question form whose security check expired: show it again, nothing typed lost."""
    if request.endpoint not in ("admin.edit_question", "admin.new_question"):
        return expired_form_page()
    # The token is checked before the role: only an admin gets the form back.
    if not (current_user.is_authenticated and current_user.is_admin):
        return expired_form_page()
    args = request.view_args or {}
    question = db.session.get(Question, args.get("question_id") or 0)
    bank = question.bank if question is not None else bank_by_slug(args.get("slug", ""))
    if bank is None:  # no form to give back (abort here, in an error handler, was a 500)
        return expired_form_page()
    catalog = _catalog()
    posted = _build_form(catalog)
    key = question.key if question is not None else (posted.key.data or "").strip()
    data = form_data(key, raw_question(posted, key)) | _carried(posted)
    form = _build_form(catalog, data)
    message = _(
        "This page was open so long that its security check expired. "
        "Everything you typed is still here: check it and save again."
    )
    return _render_editor(bank, question, form, catalog, 400, problems={"": [message]})


def _version_page(question: Question, number: int | None):
    version = question.current_version if number is None else version_of(question, number)
    if version is None:
        abort(404)
    catalog = _catalog()
    contexts = []
    for source in version.content.get("sources", ()):
        doc = catalog.get(source["doc"])
        selector = Selector(source["exact"], source.get("prefix"), source.get("suffix"))
        try:
            shown = doc.quote_in_context(selector) if doc is not None else None
        except AnchorError:
            # An old version may quote a copy since changed: show its quote as saved.
            shown = None
        contexts.append((source, shown))
    restore = RestoreForm(base_version=str(question.current_version_id))
    return render_template(
        "admin/question.html",
        question=question,
        version=version,
        contexts=contexts,
        restore_form=restore,
        type_label=type_label,
        status_label=status_label,
        statistics=learning.item_flags(question) if number is None else None,
    )


@bp.get("/questions/<int:question_id>")
@staff_required("teacher", "admin")
def question(question_id: int):
    """A question's current version in full, with its answer and passages."""
    return _version_page(db.get_or_404(Question, question_id), None)


@bp.get("/questions/<int:question_id>/versions/<int:number>")
@staff_required("teacher", "admin")
def version(question_id: int, number: int):
    """One version of a question, exactly as it was saved."""
    return _version_page(db.get_or_404(Question, question_id), number)


@bp.get("/questions/<int:question_id>/history")
@staff_required("teacher", "admin")
def question_history(question_id: int):
    """Every version with its author, time and what it changed."""
    question = db.get_or_404(Question, question_id)
    return render_template(
        "admin/history.html",
        question=question,
        entries=history(question),
        restore_form=RestoreForm(base_version=str(question.current_version_id)),
        status_label=status_label,
    )


@bp.post("/questions/<int:question_id>/versions/<int:number>/restore")
@staff_required("admin")
def restore(question_id: int, number: int):
    """Make an old version current again, as a new version."""
    question = db.get_or_404(Question, question_id)
    old = version_of(question, number) or abort(404)
    base = posted_base_version()
    try:
        saved = restore_version(question, old, current_user, base)
        db.session.commit()
    except EditConflict as conflict:
        flash(
            _(
                "Version %(number)d was saved by someone else since you opened this page; "
                "nothing was restored. Look at the history again before restoring.",
                number=conflict.current.number,
            ),
            "error",
        )
        return redirect(url_for(".question_history", question_id=question.id))
    if saved.created:
        flash(
            _(
                "Version %(old)d restored as version %(new)d.",
                old=number,
                new=saved.version.number,
            ),
            "success",
        )
    else:
        flash(_("That version is already the current one."), "info")
    return redirect(url_for(".question_history", question_id=question.id))
