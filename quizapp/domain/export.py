"""Writing banks as YAML in the bank format, in a stable canonical layout.

Export is the inverse of :func:`quizapp.domain.banks.read_bank`: reading an
exported file gives back the same canonical content, so an export followed
by an import changes nothing. Field order, quoting and line breaks are
fixed so that exports diff cleanly in version control.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from quizapp.domain.sync import FileBase

QUESTION_ORDER = (
    "id",
    "type",
    "status",
    "difficulty",
    "objective",
    "form",
    "time_limit",
    "tags",
    "prompt",
    "choices",
    "answer",
    "explanation",
    "wrong_feedback",
    "sources",
)


def content_digest(content: dict) -> str:
    """A stable fingerprint of a question's canonical content."""
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def question_document(key: str, content: dict) -> dict:
    """A question as written in a bank file: ``id`` first, defaults omitted."""
    merged = {"id": key, **content}
    document = {name: merged[name] for name in QUESTION_ORDER if name in merged}
    # A field this list does not know yet is written after the others, never dropped.
    document.update({name: value for name, value in merged.items() if name not in document})
    if document.get("status") == "published":
        del document["status"]
    if not document.get("tags"):
        document.pop("tags", None)
    sources = document.pop("sources", [])
    # One passage is written as `source:`, the common case; several as
    # `sources:`; none (a draft not yet cited) not at all.
    if sources:
        document["source" if len(sources) == 1 else "sources"] = (
            sources[0] if len(sources) == 1 else sources
        )
    return document


def bank_document(
    slug: str,
    title: dict,
    description: dict,
    questions: list[tuple[str, dict]],
    status: str = "active",
    base: FileBase | None = None,
) -> dict:
    """A whole bank file's data, ready for :func:`dump_bank`."""
    document = {"bank": slug, "title": title, "description": description}
    # Like a question's status, the bank's is written only when not the default.
    if status != "active":
        document["status"] = status
    if base is not None:
        document["base"] = base.as_document()
    document["questions"] = [question_document(key, content) for key, content in questions]
    return document


class _BankDumper(yaml.SafeDumper):
    """Safe dumper writing multi-line text as literal blocks."""


def _represent_text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BankDumper.add_representer(str, _represent_text)


def dump_bank(document: dict) -> str:
    """The YAML text of a bank document."""
    header = "# Exported by quizapp. Format: questions/README.md\n"
    body = yaml.dump(
        document,
        Dumper=_BankDumper,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
        default_flow_style=False,
    )
    return header + body
