"""What the editor's search and tag filter match a question version against.

JSON columns store Chinese as ``\\uXXXX`` escapes, so SQL ``LIKE`` cannot
search them; each version therefore keeps its words in plain columns,
computed here once when the version is made.
"""

from __future__ import annotations


def search_text(content: dict) -> str:
    """Every word a reader could search for, both languages, case-folded."""
    parts = [content.get("prompt"), content.get("explanation"), content.get("wrong_feedback")]
    parts += [choice.get("text") for choice in content.get("choices", ())]
    parts += [choice.get("feedback") for choice in content.get("choices", ())]
    words = [text for part in parts if part for text in part.values()]
    words += [source.get("exact", "") for source in content.get("sources", ())]
    words += content.get("tags") or []
    return "\n".join(words).casefold()


def tag_text(tags: list[str] | None) -> str:
    """The tags as `` a b c ``: a tag filter is then ``LIKE '% a %'``."""
    return " " + " ".join(tags or ()) + " "


def search_pattern(query: str) -> str:
    """A ``LIKE`` pattern for ``query`` (escaped with backslash), case-folded."""
    escaped = query.strip().casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
