"""How well the banks cover the sources, and whether they meet the content bar.

Read from checked bank files (no database), so ``flask quiz coverage`` and
the test that guards the shipped banks measure exactly what ``check``
accepts. Only published questions count: drafts and retired questions are
not offered to learners.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from quizapp.domain.banks import BankSpec
from quizapp.domain.display import lay_out
from quizapp.domain.sources import SourceCatalog


@dataclass(frozen=True)
class Thresholds:
    """The content bar for the shipped banks."""

    questions: int = 150
    per_bank: int = 15
    per_source: int = 20
    passages: int = 60
    #: The share of true/false items whose answer is "true" must lie in
    #: [true_share_min, 1 - true_share_min], so doubting everything cannot win.
    true_share_min: float = 0.35


@dataclass
class SourceCoverage:
    """One source: who cites it and how much of it."""

    source_id: str
    questions: int = 0
    passages: int = 0
    paragraphs: int = 0
    paragraphs_cited: int = 0

    @property
    def paragraph_share(self) -> float:
        """Share of the article's paragraphs that some cited passage touches."""
        return self.paragraphs_cited / self.paragraphs if self.paragraphs else 0.0


@dataclass
class BankCoverage:
    """One bank: its published questions by type, difficulty and tag."""

    slug: str
    questions: int = 0
    types: Counter = field(default_factory=Counter)
    difficulties: Counter = field(default_factory=Counter)
    tags: Counter = field(default_factory=Counter)
    true_statements: int = 0
    false_statements: int = 0
    unpublished: int = 0


@dataclass
class Coverage:
    """The whole picture, and what falls short of the thresholds."""

    sources: list[SourceCoverage]
    banks: list[BankCoverage]
    passages: int

    @property
    def questions(self) -> int:
        """Published questions over all banks."""
        return sum(bank.questions for bank in self.banks)

    @property
    def true_statements(self) -> int:
        """True/false items whose answer is true, over all banks."""
        return sum(bank.true_statements for bank in self.banks)

    @property
    def false_statements(self) -> int:
        """True/false items whose answer is false, over all banks."""
        return sum(bank.false_statements for bank in self.banks)

    def shortfalls(self, bar: Thresholds) -> list[str]:
        """Each threshold not met, in words; empty when all are met."""
        missing = []
        if self.questions < bar.questions:
            missing.append(f"{self.questions} questions, fewer than {bar.questions}")
        for bank in self.banks:
            if bank.questions < bar.per_bank:
                missing.append(f"bank {bank.slug}: {bank.questions} questions (< {bar.per_bank})")
        for source in self.sources:
            if source.questions < bar.per_source:
                missing.append(
                    f"source {source.source_id}: cited by {source.questions} questions "
                    f"(< {bar.per_source})"
                )
        if self.passages < bar.passages:
            missing.append(f"{self.passages} distinct passages cited (< {bar.passages})")
        statements = self.true_statements + self.false_statements
        if statements:
            share = self.true_statements / statements
            if not bar.true_share_min <= share <= 1 - bar.true_share_min:
                missing.append(
                    f"true/false balance {self.true_statements} true : "
                    f"{self.false_statements} false is lopsided"
                )
        return missing


def _article_paragraphs(doc) -> list[list[tuple[int, int]]]:
    """The character ranges of each paragraph of the article proper."""
    article = lay_out(doc.text, doc.display, {}).region("article")
    return [[(span.start, span.end) for span in p.spans] for p in article.paragraphs]


def measure(banks: list[BankSpec], catalog: SourceCatalog) -> Coverage:
    """Coverage of ``catalog`` by the published questions of ``banks``."""
    citing: dict[str, set[tuple[str, str]]] = {doc_id: set() for doc_id in catalog.docs}
    ranges: dict[str, set[tuple[int, int]]] = {doc_id: set() for doc_id in catalog.docs}
    bank_rows = []
    for bank in banks:
        row = BankCoverage(bank.slug)
        for question in bank.questions:
            content = question.content
            if content["status"] != "published":
                row.unpublished += 1
                continue
            row.questions += 1
            row.types[content["type"]] += 1
            row.difficulties[content["difficulty"]] += 1
            row.tags.update(content["tags"])
            if content["type"] == "true_false":
                if content["answer"]:
                    row.true_statements += 1
                else:
                    row.false_statements += 1
            for citation in question.citations:
                citing[citation.doc].add((bank.slug, question.key))
                ranges[citation.doc].add((citation.anchor.start, citation.anchor.end))
        bank_rows.append(row)
    source_rows = []
    for doc_id, doc in sorted(catalog.docs.items()):
        paragraphs = _article_paragraphs(doc)
        cited = sum(
            any(s < pe and ps < e for s, e in paragraph for ps, pe in ranges[doc_id])
            for paragraph in paragraphs
        )
        source_rows.append(
            SourceCoverage(doc_id, len(citing[doc_id]), len(ranges[doc_id]), len(paragraphs), cited)
        )
    passages = sum(len(found) for found in ranges.values())
    return Coverage(source_rows, bank_rows, passages)


def report(coverage: Coverage, bar: Thresholds) -> list[str]:
    """The coverage as lines of text for people."""
    lines = ["Sources (questions citing it, distinct passages, article paragraphs cited):"]
    for s in coverage.sources:
        lines.append(
            f"  {s.source_id:<22} {s.questions:>4} questions  {s.passages:>4} passages  "
            f"{s.paragraphs_cited:>3}/{s.paragraphs:<3} paragraphs ({s.paragraph_share:.0%})"
        )
    lines.append("Banks (published questions):")
    for b in coverage.banks:
        types = ", ".join(f"{name} {n}" for name, n in sorted(b.types.items()))
        levels = ", ".join(f"{level}: {n}" for level, n in sorted(b.difficulties.items()))
        tags = ", ".join(f"{tag} {n}" for tag, n in b.tags.most_common())
        extra = f" (+{b.unpublished} draft or retired)" if b.unpublished else ""
        lines += [
            f"  {b.slug}: {b.questions} questions{extra}",
            f"    types: {types}",
            f"    difficulty: {levels}",
            f"    true/false: {b.true_statements} true, {b.false_statements} false",
            f"    tags: {tags}",
        ]
    lines.append(
        f"Overall: {coverage.questions} questions, {coverage.passages} distinct passages, "
        f"true/false {coverage.true_statements} true : {coverage.false_statements} false"
    )
    shortfalls = coverage.shortfalls(bar)
    lines.append(
        f"Thresholds (≥{bar.questions} questions, ≥{bar.per_bank} per bank, "
        f"≥{bar.per_source} questions per source, ≥{bar.passages} passages, "
        f"true share {bar.true_share_min:.0%}–{1 - bar.true_share_min:.0%}): "
        + ("all met" if not shortfalls else f"{len(shortfalls)} not met")
    )
    lines += [f"  not met: {line}" for line in shortfalls]
    return lines
