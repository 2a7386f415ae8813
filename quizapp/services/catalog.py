"""Loading the configured sources, tag vocabulary and banks, and storing sources."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from quizapp.domain.banks import CheckResult, check_files
from quizapp.domain.sources import SourceCatalog, load_catalog
from quizapp.domain.tags import OBJECTIVES_FILE, TAGS_FILE, TagVocabulary, load_vocabulary
from quizapp.domain.translations import TRANSLATIONS_DIR, load_translations
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
    translations = seeds / TRANSLATIONS_DIR
    if translations.is_dir():
        files += sorted(translations.iterdir())
    signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _load_catalog(seeds, config["QUIZ_MAX_BANK_BYTES"], signature)


@lru_cache(maxsize=4)
def _load_catalog(seeds: Path, max_bytes: int, signature: tuple) -> tuple[SourceCatalog, list]:
    # ``signature`` is only part of the cache key; the catalogue is read-only.
    catalog, problems = load_catalog(seeds, max_bytes)
    catalog.translations, more = load_translations(seeds, catalog)
    return catalog, problems + more


def configured_tags() -> tuple[TagVocabulary, list]:
    """The tag vocabulary, ``_tags.yaml`` in ``QUIZ_QUESTIONS_DIR``, with the learning
    objectives of ``_objectives.yaml`` beside it and any problems in them.

    Whichever bank files are checked, their tags are checked against this
    one vocabulary: it is the site's, the one imports and the editor use.
    Read again only when the file changed, as the catalogue is.
    """
    config = current_app.config
    folder = Path(config["QUIZ_QUESTIONS_DIR"])
    signature = tuple(
        (stat.st_mtime_ns, stat.st_size) if path.is_file() and (stat := path.stat()) else None
        for path in (folder / TAGS_FILE, folder / OBJECTIVES_FILE)
    )
    return _load_tags(folder, config["QUIZ_MAX_BANK_BYTES"], signature)


@lru_cache(maxsize=4)
def _load_tags(folder: Path, max_bytes: int, signature: tuple | None) -> tuple[TagVocabulary, list]:
    # As in _load_catalog, ``signature`` is only part of the cache key.
    return load_vocabulary(folder, max_bytes)


def check_banks(paths: list[Path] | None = None) -> tuple[SourceCatalog, CheckResult]:
    """Check the catalogue, the tag vocabulary and the bank files.

    The bank files are ``paths``, by default those in ``QUIZ_QUESTIONS_DIR``.
    """
    catalog, problems = configured_catalog()
    vocabulary, tag_problems = configured_tags()
    paths = paths or [Path(current_app.config["QUIZ_QUESTIONS_DIR"])]
    max_bytes = current_app.config["QUIZ_MAX_BANK_BYTES"]
    result = check_files(paths, catalog, max_bytes, vocabulary)
    result.problems[:0] = problems + tag_problems
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


def objective_names(language: str) -> dict[str, str]:
    """The declared learning objectives' names in ``language``, by id."""
    vocabulary, _problems = configured_tags()
    return {key: vocabulary.objective_label(key, language) for key in vocabulary.objectives}
