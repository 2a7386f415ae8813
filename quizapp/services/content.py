"""Read-side queries: bank listings and source pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from quizapp.domain.display import ArticleLayout, lay_out
from quizapp.domain.sources import DisplayRules
from quizapp.extensions import db
from quizapp.models import (
    Bank,
    Citation,
    Passage,
    Question,
    QuestionVersion,
    SessionItem,
    Source,
)
from quizapp.services.catalog import configured_catalog


@dataclass
class BankSummary:
    """A bank and how many questions learners are offered from it."""

    bank: Bank
    published: int
    #: Every question offered is an item of a form of the before/after check.
    check_form: bool = False


def bank_overview() -> list[BankSummary]:
    """Every active bank with its count of questions learners are offered, in one query.

    The first bank for newcomers (``QUIZ_FIRST_BANK``) comes first, the forms of
    the before/after check last (a learner who just presses Start should not
    use up the check), the others by id.
    """
    published = (
        select(
            Question.bank_id,
            func.count().label("n"),
            func.count(QuestionVersion.content["form"].as_string()).label("forms"),
        )
        .join(QuestionVersion, QuestionVersion.id == Question.live_version_id)
        .group_by(Question.bank_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Bank, func.coalesce(published.c.n, 0), func.coalesce(published.c.forms, 0))
        .outerjoin(published, published.c.bank_id == Bank.id)
        .where(Bank.status == "active")
        .order_by(Bank.slug)
    )
    first = current_app.config.get("QUIZ_FIRST_BANK")
    summaries = [BankSummary(bank, count, 0 < forms == count) for bank, count, forms in rows]
    return sorted(summaries, key=lambda s: (s.check_form, s.bank.slug != first))


def offered_banks() -> list[BankSummary]:
    """The banks learners, sessions and assignments are offered: active, with at
    least one published question, and not a form of the before/after check.

    A bank with nothing to draw from (just created, or every question a
    draft or retired) would only lead to an empty quiz, so it is not listed.
    The check's forms are kept for the check: a student who practised form
    B, with its answers shown, before taking it as the check-out would make
    the class's change mean nothing.
    """
    return [s for s in bank_overview() if s.published and not s.check_form]


def _cited_passage_ids():
    """Ids of passages cited by the version of a question learners are offered."""
    return select(Citation.passage_id).join(
        Question, Question.live_version_id == Citation.version_id
    )


def cited_passages(source_id: str) -> list[Passage]:
    """The cited passages of ``source_id``, in text order."""
    query = (
        select(Passage)
        .where(Passage.source_id == source_id, Passage.id.in_(_cited_passage_ids()))
        .order_by(Passage.start)
    )
    return list(db.session.scalars(query))


def source_overview() -> list[tuple[Source, int]]:
    """Every source with the number of distinct passages its questions cite."""
    counts = (
        select(Passage.source_id, func.count().label("n"))
        .where(Passage.id.in_(_cited_passage_ids()))
        .group_by(Passage.source_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Source, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.source_id == Source.id)
        .order_by(Source.published, Source.id)
    )
    return list(rows)


@dataclass
class SourcePage:
    """What the source viewer shows."""

    source: Source
    layout: ArticleLayout
    target: Passage | None
    #: The project's English of each article paragraph, by the offset where
    #: the paragraph starts (see domain.translations); empty if there is none.
    english: dict[int, str] = field(default_factory=dict)


def source_page(source: Source, target_id: int | None) -> SourcePage:
    """Lay out ``source`` with its cited passages marked and ``target_id`` highlighted.

    The target is shown even if no current question cites it any more, so
    links from old results keep working.
    """
    passages = {p.id: (p.start, p.end) for p in cited_passages(source.id)}
    target = db.session.get(Passage, target_id) if target_id is not None else None
    if target is not None and target.source_id != source.id:
        target = None
    if target is not None:
        passages[target.id] = (target.start, target.end)
    rules = DisplayRules(
        source.article_start, source.article_end, source.noise_pattern, source.join_broken_lines
    )
    translation = configured_catalog()[0].translations.get((source.id, "en"))
    english = translation.paragraphs if translation is not None else {}
    return SourcePage(source, lay_out(source.text, rules, passages), target, english)


@dataclass
class Quote:
    """A passage a question version cites, with the words its author quoted."""

    passage: Passage
    exact: str
    #: The project's English of the quote, ``{"en": ...}``, if the author gave one.
    gloss: dict | None = None

    @property
    def source(self) -> Source:
        """The article the passage is in."""
        return self.passage.source


def quotes_of(version: QuestionVersion) -> list[Quote]:
    """The passages ``version`` cites, in the order its author listed them.

    The quoted words come from the version's own selectors (as the author
    wrote them, tidy), the range from the stored passage.
    """
    return quotes_for(version.id, version.content)


def quotes_for(version_id: int, content: dict) -> list[Quote]:
    """:func:`quotes_of` by the version's id and content: passages and their
    sources in one query."""
    # The source's text (the whole article) stays in the database: a quote
    # shows who reported it and links to it. A closed question is rendered
    # for every phone of a class at once.
    passages = db.session.scalars(
        select(Passage)
        .join(Citation, Citation.passage_id == Passage.id)
        .options(joinedload(Passage.source).defer(Source.text))
        .where(Citation.version_id == version_id)
        .order_by(Citation.position)
    ).all()
    selectors = content.get("sources", ())
    return [
        Quote(passage, selector["exact"], selector.get("gloss"))
        for passage, selector in zip(passages, selectors, strict=False)
    ]


def published_by_bank() -> dict[int, list[QuestionVersion]]:
    """The live versions of every active bank's questions, by bank id, in bank order."""
    rows = db.session.execute(
        select(Question.bank_id, QuestionVersion)
        .join(Question, Question.live_version_id == QuestionVersion.id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Bank.status == "active")
        .order_by(Question.bank_id, Question.position)
    )
    grouped: dict[int, list[QuestionVersion]] = {}
    for bank_id, version in rows:
        grouped.setdefault(bank_id, []).append(version)
    return grouped


# --- rows that never change, kept per application ----------------------------
#
# A question version is never updated (an edit makes a new version) and a
# session's questions are fixed when it is created; every answer of a lesson
# reads both. Each worker keeps what it has read, in its application (a
# test's fresh database comes with a fresh application). This is not live
# state: phases, rounds, players and answers are read from the database on
# every request. The content dicts are shared: callers only read them.
# (A finished session's results are kept too, under its revision: see
# quizapp.services.session_reports.finished_results.)

IMMUTABLE_LIMIT = 4096
_VERSION_AT = select(SessionItem.question_version_id).where(
    SessionItem.session_id == bindparam("session_id"),
    SessionItem.position == bindparam("position"),
)
_CONTENT_OF = select(QuestionVersion.content).where(QuestionVersion.id == bindparam("id"))


def _immutable() -> dict:
    cache = current_app.extensions.setdefault("quizapp.immutable", {})
    if len(cache) > IMMUTABLE_LIMIT:
        cache.clear()
    return cache


def kept(key: tuple, load):
    """The value kept under ``key``, or ``load()``'s (kept unless None)."""
    cache = _immutable()
    if key not in cache:
        value = load()
        if value is None:
            return None
        cache[key] = value
    return cache[key]


def version_content(version_id: int) -> dict | None:
    """The content of question version ``version_id`` (read-only)."""
    return kept(("version", version_id), lambda: db.session.scalar(_CONTENT_OF, {"id": version_id}))


def item_content(session_id: int, position: int) -> dict | None:
    """The content of the question at ``position`` of session ``session_id`` (read-only)."""
    version_id = kept(
        ("item", session_id, position),
        lambda: db.session.scalar(_VERSION_AT, {"session_id": session_id, "position": position}),
    )
    return None if version_id is None else version_content(version_id)
