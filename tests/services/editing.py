"""Shared set-up of the editor's service tests: an admin, a small bank, form data."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.domain.banks import check_documents, check_question
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services.imports import import_banks
from tests.conftest import dump, make_bank, make_question


def make_admin(name: str = "ada") -> User:
    """An admin account (a dummy hash: nobody logs in here)."""
    admin = User(name=name, role="admin", password_hash="not-a-real-hash")
    db.session.add(admin)
    db.session.commit()
    return admin


def import_bank(catalog, document: dict | None = None) -> None:
    """Import one bank document from the command line (no author) and commit."""
    result = check_documents([("bank.yaml", dump(document or make_bank()).encode())], catalog)
    assert result.ok, result.problems
    import_banks(catalog, result.banks)
    db.session.commit()


def make_spec(catalog, **overrides):
    """The editor's valid form data for question q1, with ``overrides``."""
    spec, problems = check_question(make_question(**overrides), catalog)
    assert problems == []
    return spec


def admin() -> User:
    """The admin made by :func:`make_admin`."""
    return db.session.scalar(select(User).filter_by(name="ada"))
