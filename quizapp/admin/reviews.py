"""Reading proposals: the admins' list, one's own, a proposal's page, the decision.

A proposal's page shows what it changes in the version it was written on
and, if the question was saved again since, how it differs from the
current version, with the admins' Publish and Decline (and its author's
own buttons). See :mod:`quizapp.admin.proposals` for writing one.

Publishing makes a version with the status the proposal carries, and a
teacher may leave a new question's status at "draft". So the page says,
beside the button, whether learners will get the version, the button is
"Publish" only if they will (otherwise "Save as version N (draft)"), and
neither the notice afterwards nor the teacher's list says "published" for
a version learners do not get.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from quizapp.admin import bp
from quizapp.admin.conflicts import field_label, merge_notice
from quizapp.admin.proposals import ProposalActionForm
from quizapp.admin.questions import _catalog
from quizapp.auth.access import staff_required
from quizapp.domain.versions import changes
from quizapp.extensions import db
from quizapp.fields import PageForm
from quizapp.models import Proposal
from quizapp.services import proposals as service
from quizapp.services.catalog import configured_tags
from quizapp.services.versions import EditConflict, KeyTaken, Saved


class PublishForm(PageForm):
    """Publish the proposal as the page showed it (``seen``: its content's fingerprint)."""

    seen = HiddenField(validators=[DataRequired()])


class DeclineForm(PublishForm):
    """Decline the proposal as the page showed it, with a note for its author."""

    note = TextAreaField(
        _l("Note for the teacher (optional)"), validators=[Length(max=service.NOTE_LENGTH)]
    )


@bp.context_processor
def proposal_counts() -> dict:
    """The number of proposals waiting, for the admin pages that show it (counted there)."""
    return {"open_proposal_count": service.open_count}


def _visible(proposal_id: int) -> Proposal:
    """The proposal if the current user may see it; 404 otherwise."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not service.may_see(current_user, proposal):
        abort(404)
    return proposal


@bp.get("/proposals")
@staff_required("admin")
def proposals():
    """Every proposal waiting for an admin, oldest first."""
    return render_template(
        "admin/proposal_list.html", proposals=service.open_proposals(), mine=False
    )


@bp.get("/proposals/mine")
@staff_required("teacher", "admin")
def my_proposals():
    """The user's own proposals and what became of them."""
    return render_template(
        "admin/proposal_list.html", proposals=service.own_proposals(current_user), mine=True
    )


def _proposal_page(proposal: Proposal, status: int = 200, **extra):
    """The proposal as a diff against its base and, if the question moved on, its current."""
    base = proposal.base_version
    question = proposal.question
    undecided = proposal.status in service.UNDECIDED
    current = question.current_version if question is not None else None
    seen = service.digest(proposal)
    return render_template(
        "admin/proposal.html",
        proposal=proposal,
        proposed=changes(base.content if base else None, proposal.content),
        current=current,
        against_current=(
            changes(current.content, proposal.content)
            if undecided and service.moved_on(proposal)
            else None
        ),
        # Not from the request: after a refused POST, the page shows the proposal as it is now.
        publish_form=PublishForm(formdata=None, seen=seen),
        decline_form=extra.pop("decline_form", None) or DeclineForm(formdata=None, seen=seen),
        action_form=ProposalActionForm(),
        prospect=service.prospect(proposal) if undecided else None,
        may_decide=service.may_decide(current_user, proposal),
        may_change=service.may_change(current_user, proposal),
        **extra,
    ), status


@bp.get("/proposals/<int:proposal_id>")
@staff_required("teacher", "admin")
def proposal(proposal_id: int):
    """One proposal: what it changes, what became of it, and its buttons."""
    return _proposal_page(_visible(proposal_id))


def _changed_meanwhile(proposal_id: int):
    """Back to the proposal (or the list, if it is no longer shown) after a stale decision."""
    flash(
        _(
            "The proposal was changed, withdrawn or decided since you opened it; "
            "nothing was done. Read it again."
        ),
        "error",
    )
    still = db.session.get(Proposal, proposal_id)
    if still is not None and service.may_see(current_user, still):
        return redirect(url_for(".proposal", proposal_id=proposal_id))
    return redirect(url_for(".proposals"))


@bp.post("/proposals/<int:proposal_id>/publish")
@staff_required("admin")
def publish_proposal(proposal_id: int):
    """Make the proposal a version of its question (or a new question)."""
    proposal = _visible(proposal_id)
    form = PublishForm()
    if not form.validate():
        abort(400)
    try:
        vocabulary = configured_tags()[0]
        saved = service.publish(proposal, current_user, _catalog(), form.seen.data, vocabulary)
        db.session.commit()
    except service.ProposalChanged:
        return _changed_meanwhile(proposal_id)
    except service.ProposalInvalid as invalid:
        return _proposal_page(proposal, 422, invalid=invalid.problems)
    except KeyTaken:
        return _proposal_page(proposal, 409, key_taken=True)
    except EditConflict as conflict:
        both = [
            field_label(field) for field in (conflict.merge.conflicts if conflict.merge else ())
        ]
        return _proposal_page(proposal, 409, conflict=conflict, both_changed=both)
    _say_published(saved)
    return redirect(url_for(".proposals"))


def _say_published(saved: Saved) -> None:
    """Flash what publishing made, and whether learners get it: "published" only if so."""
    version = saved.version
    key, number, status = version.question.key, version.number, version.status
    if saved.merged_with is None and saved.created:
        flash(_saved_as(key, number, status), "success")
        return
    if saved.merged_with is not None:
        flash(merge_notice(saved), "success")
    elif status == "published":
        flash(
            _("Published: the question already had this content, so no version was added."),
            "info",
        )
    else:
        flash(
            _("Accepted: the question already had this content, so no version was added."),
            "info",
        )
    if status != "published":
        flash(_not_offered(number, status), "info")


def _saved_as(key: str, number: int, status: str) -> str:
    """That question ``key`` is now at version ``number``, of ``status``."""
    if status == "published":
        return _("Published: %(key)s is now at version %(number)d.", key=key, number=number)
    if status == "draft":
        return _(
            "Saved as a draft: %(key)s is now at version %(number)d. "
            "Learners will not get it until it is published.",
            key=key,
            number=number,
        )
    return _(
        "Saved as retired: %(key)s is now at version %(number)d. Learners do not get it.",
        key=key,
        number=number,
    )


def _not_offered(number: int, status: str) -> str:
    """That version ``number``, of ``status``, is not offered to learners."""
    if status == "draft":
        return _(
            "Version %(number)d is a draft: learners will not get it until it is published.",
            number=number,
        )
    return _("Version %(number)d is retired: learners do not get it.", number=number)


@bp.post("/proposals/<int:proposal_id>/decline")
@staff_required("admin")
def decline_proposal(proposal_id: int):
    """Turn the proposal down, with an optional note for its author."""
    proposal = _visible(proposal_id)
    form = DeclineForm()
    if not form.seen.data:
        abort(400)
    if not form.validate():
        return _proposal_page(proposal, 422, decline_form=form)
    try:
        service.decline(proposal, current_user, form.note.data or "", form.seen.data)
        db.session.commit()
    except service.ProposalChanged:
        return _changed_meanwhile(proposal_id)
    flash(_("Declined. The teacher sees your note with the proposal."), "success")
    return redirect(url_for(".proposals"))
