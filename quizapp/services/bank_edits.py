"""Creating banks and changing their titles, descriptions and status from the editor.

A bank's own fields have no versions (its questions do); each change is
written to the audit log with the values before and after, and carries
the bank's ``revision`` so that two admins cannot overwrite each other.
"""

from __future__ import annotations

from sqlalchemy import update

from quizapp.extensions import db
from quizapp.models import Bank, User
from quizapp.models.content import utcnow
from quizapp.services.audit import record
from quizapp.services.banks import bank_by_slug, bank_fields, bump_revision, record_state


class BankExists(Exception):
    """A new bank was given the id of an existing one."""


class BankConflict(Exception):
    """The bank was changed by someone else since the form was opened."""

    def __init__(self, bank: Bank):
        super().__init__(f"bank {bank.slug} is at revision {bank.revision}")
        self.bank = bank


def create_bank(slug: str, title: dict, description: dict, author: User) -> Bank:
    """A new, empty, active bank."""
    if bank_by_slug(slug) is not None:
        raise BankExists(slug)
    bank = Bank(
        slug=slug,
        title=title,
        description=description,
        status="active",
        revision=1,
        content_revision=1,
    )
    db.session.add(bank)
    db.session.flush()
    record_state(bank, 1)
    record(author, "bank.create", bank=bank, detail={"after": bank_fields(bank)})
    return bank


def change_bank(bank: Bank, fields: dict, expected_revision: int, author: User) -> bool:
    """Set ``fields`` (title, description, status) if the bank is still at ``expected_revision``.

    Returns False when nothing differs. Raises :class:`BankConflict` when
    someone changed the bank in between; one conditional UPDATE decides.
    """
    before = bank_fields(bank)
    after = {**before, **fields}
    if after == before:
        return False
    result = db.session.execute(
        update(Bank)
        .where(Bank.id == bank.id, Bank.revision == expected_revision)
        .values(**fields, revision=Bank.revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(bank)
        raise BankConflict(bank)
    db.session.refresh(bank)
    record_state(bank, bump_revision(bank))
    if before["status"] != after["status"]:
        action = "bank.retire" if after["status"] == "retired" else "bank.reactivate"
    else:
        action = "bank.edit"
    record(author, action, bank=bank, detail={"before": before, "after": after})
    return True
