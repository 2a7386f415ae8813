"""Teachers' proposals in the editor: writing one, and its author's buttons.

A teacher proposes in the same question form an admin edits in, with
"Save draft" and "Submit for review" for "Save"; an admin then reads the
proposal as a diff and publishes or declines it (:mod:`quizapp.admin.reviews`).
A proposal is its author's alone to change, and shown only to its author
and, once submitted, to admins: to anyone else its address does not exist
(404), so its id tells nothing.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.admin import bp
from quizapp.admin.duplicate_notices import duplicate_notices
from quizapp.admin.forms import over_limit
from quizapp.admin.question_form import (
    edit_lists,
    field_problems,
    form_data,
    raw_question,
    version_id,
)
from quizapp.admin.questions import (
    _build_form,
    _carried,
    _catalog,
    _new_question_data,
    _preview,
    _render_editor,
)
from quizapp.auth.access import staff_required
from quizapp.domain.banks import check_question
from quizapp.extensions import db
from quizapp.fields import PageForm
from quizapp.i18n import pick
from quizapp.models import Bank, Proposal, Question, QuestionVersion
from quizapp.services import proposals as service
from quizapp.services.banks import bank_by_slug
from quizapp.services.catalog import configured_tags
from quizapp.services.versions import KeyTaken, UnknownVersion, base_version


class ProposalActionForm(PageForm):
    """The author's submit, withdraw or delete: a button and its CSRF token."""


def _own(proposal_id: int) -> Proposal:
    """The current user's own proposal; 404 for anyone else's."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.author_id != current_user.id:
        abort(404)
    return proposal


def _base(question: Question, posted: str | None) -> QuestionVersion:
    """The version of ``question`` the form was opened on (400 if it is not one)."""
    number = version_id(posted)
    if number is None:
        abort(400)
    try:
        return base_version(question, number)
    except UnknownVersion:
        abort(400)


def _render(bank, question, proposal, form, catalog, status=200, **extra):
    if question is not None:
        heading = _("Propose an edit of %(key)s", key=question.key)
    else:
        heading = _("Propose a new question in %(bank)s", bank=pick(bank.title))
    return _render_editor(
        bank, question, form, catalog, status, mode="propose", heading=heading, **extra
    )


def _first_data(bank: Bank, question: Question | None, proposal: Proposal | None, catalog):
    """The form's fields on opening: the proposal, the current version, or a new question."""
    if proposal is not None:
        data = form_data(proposal.key, proposal.content)
        data["base_version"] = str(proposal.base_version_id or "")
    elif question is not None:
        data = form_data(question.key, question.current_version.content)
        data["base_version"] = str(question.current_version_id)
    else:
        data = _new_question_data(catalog)
    return data


def _propose(bank: Bank, question: Question | None, proposal: Proposal | None):
    """The question form for a proposal: the editor's steps, then a draft or a submission."""
    catalog = _catalog()
    if request.method == "GET":
        data = _first_data(bank, question, proposal, catalog)
        return _render(bank, question, proposal, _build_form(catalog, data), catalog)
    form = _build_form(catalog)
    too_long = over_limit(form)
    if too_long:  # refused before anything is done with what was typed
        return _render(bank, question, proposal, form, catalog, 422, problems=too_long)
    key = question.key if question is not None else (form.key.data or "").strip()
    raw = raw_question(form, key)
    action = request.form.get("action", "")
    if edit_lists(raw, action):
        data = form_data(key, raw) | _carried(form)
        return _render(bank, question, proposal, _build_form(catalog, data), catalog)
    if action not in ("check", "preview", "draft", "submit"):
        abort(400)
    if not form.validate():
        problems = {name: list(errors) for name, errors in form.errors.items()}
        return _render(bank, question, proposal, form, catalog, 422, problems=problems)
    spec, problems = check_question(raw, catalog, configured_tags()[0])
    if problems:
        problems = field_problems(problems)
        return _render(bank, question, proposal, form, catalog, 422, problems=problems)
    if action == "preview":
        preview = _preview(spec, form.preview_language.data, request.form.getlist("answer"))
        return _render(bank, question, proposal, form, catalog, preview=preview)
    if action == "check":
        notices = duplicate_notices(spec, question.id if question else None)
        return _render(bank, question, proposal, form, catalog, checked=True, notices=notices)
    base = _base(question, form.base_version.data) if question and not proposal else None
    try:
        saved = service.save_proposal(
            current_user,
            spec,
            bank=bank,
            question=question,
            base=base,
            proposal=proposal,
            submit=action == "submit",
        )
        db.session.commit()
    except KeyTaken:
        db.session.rollback()
        taken = _("A question with this id is already in the bank. Choose another id.")
        return _render(bank, question, proposal, form, catalog, 422, problems={"key": [taken]})
    except service.NothingProposed:
        db.session.rollback()
        same = _("This changes nothing in the question yet. Make your change, then save.")
        return _render(bank, question, proposal, form, catalog, 422, problems={"": [same]})
    except service.ProposalChanged:
        flash(
            _("An admin decided on this proposal meanwhile; your changes were not saved."), "error"
        )
        return redirect(url_for(".proposal", proposal_id=proposal.id))
    if action == "submit":
        flash(_("Submitted for review. An admin will publish or decline it."), "success")
    else:
        flash(_("Draft saved. Only you can see it until you submit it."), "success")
    return redirect(url_for(".proposal", proposal_id=saved.id))


@bp.route("/banks/<slug>/propose", methods=["GET", "POST"])
@staff_required("teacher", "admin")
def propose_question(slug: str):
    """Propose a new question for bank ``slug``."""
    bank = bank_by_slug(slug) or abort(404)
    return _propose(bank, None, None)


@bp.route("/questions/<int:question_id>/propose", methods=["GET", "POST"])
@staff_required("teacher", "admin")
def propose_edit(question_id: int):
    """Propose an edit of a question, written against its current version."""
    question = db.get_or_404(Question, question_id)
    return _propose(question.bank, question, None)


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@staff_required("teacher", "admin")
def edit_proposal(proposal_id: int):
    """Change one's own proposal until an admin decides on it."""
    proposal = _own(proposal_id)
    if proposal.status not in service.UNDECIDED:
        flash(_("An admin has decided on this proposal; it can no longer be changed."), "info")
        return redirect(url_for(".proposal", proposal_id=proposal.id))
    return _propose(proposal.bank, proposal.question, proposal)


# The author's buttons on a proposal's page


def _author_action(proposal_id: int, act, done: str, refused: str, gone: bool = False):
    """Run ``act(proposal)`` on the user's own proposal, then say ``done`` (or ``refused``).

    ``gone``: the action deletes the proposal, so go back to the user's list.
    """
    proposal = _own(proposal_id)
    if not ProposalActionForm().validate():
        abort(400)
    try:
        act(proposal)
        db.session.commit()
    except service.ProposalChanged:
        flash(refused, "error")
        return redirect(url_for(".proposal", proposal_id=proposal_id))
    flash(done, "success")
    if gone:
        return redirect(url_for(".my_proposals"))
    return redirect(url_for(".proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/submit")
@staff_required("teacher", "admin")
def submit_proposal(proposal_id: int):
    """Send one's draft to the admins."""
    return _author_action(
        proposal_id,
        lambda proposal: service.submit(current_user, proposal),
        _("Submitted for review. An admin will publish or decline it."),
        _("Only a draft can be submitted; this proposal is not one now."),
    )


@bp.post("/proposals/<int:proposal_id>/withdraw")
@staff_required("teacher", "admin")
def withdraw_proposal(proposal_id: int):
    """Take one's submitted proposal back to a draft."""
    return _author_action(
        proposal_id,
        lambda proposal: service.withdraw(current_user, proposal),
        _("Withdrawn: the proposal is a draft again, seen only by you."),
        _("An admin has already decided on this proposal."),
    )


@bp.post("/proposals/<int:proposal_id>/delete")
@staff_required("teacher", "admin")
def delete_proposal(proposal_id: int):
    """Delete one's draft."""
    return _author_action(
        proposal_id,
        lambda proposal: service.discard(current_user, proposal),
        _("Draft deleted."),
        _("Only a draft can be deleted; this proposal is not one now."),
        gone=True,
    )
