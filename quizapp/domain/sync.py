"""Three-way sync between bank files and the database, as git merges.

Each bank remembers its *base*: the questions and fields its file held at
the last sync (an import from the questions folder or a write-back to it).
A file downloaded from the editor names its own base instead (the bank
revision it came from). Comparing file, database and base question by
question says who changed what since:

========================  =================  ===============================
file vs base              database vs base   outcome
========================  =================  ===============================
same                      same               ``SAME``: nothing to do
same                      changed            ``DATABASE``: the database stands
changed                   same               ``FILE``: the file's change applies
changed                   changed, equal     ``BOTH``: the same change, agreed
changed                   changed, differ    ``CONFLICT``: nothing applied
========================  =================  ===============================

A question's *state* is its content digest, or ``None`` where it is absent
or retired: a file that drops a question and a database that retires it
say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from quizapp.domain.export import content_digest

SAME = "same"
DATABASE = "database"
FILE = "file"
BOTH = "both"
CONFLICT = "conflict"

#: ``--prefer`` choices: which side wins a conflict.
PREFERENCES = ("file", "database")


@dataclass(frozen=True)
class FileBase:
    """The base a bank file names: revision ``revision`` of the bank ``uid``."""

    uid: str
    revision: int

    def as_document(self) -> dict:
        """The ``base:`` mapping written into an exported file."""
        return {"revision": self.revision, "bank_uid": self.uid}


def question_state(content: dict | None) -> str | None:
    """What sync compares for a question: its digest, or None if absent or retired."""
    if content is None:
        return None
    return stored_state(content.get("status"), content_digest(content))


def stored_state(status: str | None, digest: str) -> str | None:
    """:func:`question_state` of a stored version, from its status and stored digest
    (no need to hash its content again)."""
    return None if status == "retired" else digest


def reconcile(file, base, database) -> str:
    """The outcome for one question or field, from its three states (see the table)."""
    if file == base:
        return SAME if database == base else DATABASE
    if database == base:
        return FILE
    return BOTH if file == database else CONFLICT


def resolve(outcome: str, prefer: str | None) -> str:
    """A conflict resolved by ``prefer`` ("file" or "database"); other outcomes unchanged."""
    if outcome != CONFLICT or prefer is None:
        return outcome
    return FILE if prefer == "file" else DATABASE
