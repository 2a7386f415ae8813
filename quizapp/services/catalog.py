"""Loading the configured sources and banks, and storing sources."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from quizapp.domain.banks import CheckResult, check_files
from quizapp.domain.sources import SourceCatalog, load_catalog
from quizapp.extensions import db
from quizapp.models import Source
from quizapp.models.content import utcnow


def configured_catalog() -> tuple[SourceCatalog, list]:
    """The source catalogue from ``QUIZ_SEEDS_DIR``, with any problems in it.

    The editor asks for it on every check, preview and picker request; the
    seeds are read, hashed and folded again only when a file in the folder
    changed (its size or modification time), which a ``stat`` per file tells.
    """
    config = current_app.config
    seeds = Path(config["QUIZ_SEEDS_DIR"])
    files = sorted(seeds.iterdir()) if seeds.is_dir() else []
    signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _load_catalog(seeds, config["QUIZ_MAX_BANK_BYTES"], signature)


@lru_cache(maxsize=4)
def _load_catalog(seeds: Path, max_bytes: int, signature: tuple) -> tuple[SourceCatalog, list]:
    # ``signature`` is only part of the cache key; the catalogue is read-only.
    return load_catalog(seeds, max_bytes)


def check_banks(paths: list[Path] | None = None) -> tuple[SourceCatalog, CheckResult]:
    """Check the catalogue and the bank files (default: ``QUIZ_QUESTIONS_DIR``)."""
    catalog, problems = configured_catalog()
    paths = paths or [Path(current_app.config["QUIZ_QUESTIONS_DIR"])]
    result = check_files(paths, catalog, current_app.config["QUIZ_MAX_BANK_BYTES"])
    result.problems[:0] = problems
    return catalog, result


def store_sources(catalog: SourceCatalog) -> int:
    """Insert or update every catalogue document; return how many changed.

    Runs inside the caller's transaction. Passages keep their own copy of
    the quoted text, so updating a source never loses what was cited.
    """
    existing = {source.id: source for source in db.session.scalars(select(Source))}
    changed = 0
    for doc in catalog.docs.values():
        values = {
            "file_name": doc.file,
            "sha256": doc.sha256,
            "outlet": doc.outlet,
            "title": doc.title,
            "authors": doc.authors,
            "published": doc.published,
            "date_note": doc.date_note,
            "language": doc.language,
            "copy_note": doc.copy_note,
            "text": doc.text,
            "article_start": doc.display.article_start,
            "article_end": doc.display.article_end,
            "noise_pattern": doc.display.noise,
            "join_broken_lines": doc.display.join_broken_lines,
        }
        source = existing.get(doc.id)
        if source is None:
            db.session.add(Source(id=doc.id, **values))
            changed += 1
        elif any(getattr(source, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(source, key, value)
            source.updated_at = utcnow()
            changed += 1
    return changed
