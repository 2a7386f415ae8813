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
    #: Questions that make the learner apply a skill or analyse two sources
    #: (difficulty 2 or 3: see questions/README.md), overall and per bank.
    skill_share: float = 0.5
    #: Banks for first-timers, exempt from the skill share.
    skill_exempt: tuple[str, ...] = ("starter",)
    #: Published questions per declared learning objective.
    per_objective: int = 8
    #: Items per parallel form of the before/after check (0: no forms needed).
    per_form: int = 16
    #: Every published question names an objective and glosses its passages.
    objectives_and_glosses: bool = True


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
    objectives: Counter = field(default_factory=Counter)
    #: Published questions at difficulty 2 or 3: applying a skill, analysing.
    skill: int = 0
    supported_claims: int = 0
    unsupported_claims: int = 0
    #: Cited passages without an English gloss.
    unglossed: int = 0

    @property
    def skill_share(self) -> float:
        """Share of the published questions that apply a skill or analyse."""
        return self.skill / self.questions if self.questions else 0.0


@dataclass
class FormCoverage:
    """One parallel form of the before/after check: its items' make-up."""

    name: str
    items: int = 0
    supported: int = 0
    objectives: Counter = field(default_factory=Counter)
    difficulties: Counter = field(default_factory=Counter)


@dataclass
class Coverage:
    """The whole picture, and what falls short of the thresholds."""

    sources: list[SourceCoverage]
    banks: list[BankCoverage]
    passages: int
    #: The declared learning objectives, in their file's order.
    declared_objectives: list[str] = field(default_factory=list)
    forms: list[FormCoverage] = field(default_factory=list)

    def objectives(self) -> Counter:
        """Published questions per objective, over all banks ("" for none)."""
        total: Counter = Counter({objective: 0 for objective in self.declared_objectives})
        for bank in self.banks:
            total.update(bank.objectives)
        return total

    @property
    def skill(self) -> int:
        """Published questions at difficulty 2 or 3, over all banks."""
        return sum(bank.skill for bank in self.banks)

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
        missing += self._teaching_shortfalls(bar)
        return missing

    def _teaching_shortfalls(self, bar: Thresholds) -> list[str]:
        """What the banks lack to teach: skills, objectives, glosses, the check forms."""
        missing = []
        if self.questions and self.skill / self.questions < bar.skill_share:
            missing.append(
                f"{self.skill} of {self.questions} questions apply a skill "
                f"({self.skill / self.questions:.0%} < {bar.skill_share:.0%})"
            )
        for bank in self.banks:
            if bank.slug not in bar.skill_exempt and bank.skill_share < bar.skill_share:
                missing.append(
                    f"bank {bank.slug}: {bank.skill} of {bank.questions} questions apply a skill "
                    f"({bank.skill_share:.0%} < {bar.skill_share:.0%})"
                )
            if bank.unglossed and bar.objectives_and_glosses:
                missing.append(f"bank {bank.slug}: {bank.unglossed} cited passages without a gloss")
        counts = self.objectives()
        if counts.get("") and bar.objectives_and_glosses:
            missing.append(f"{counts['']} questions name no learning objective")
        for objective in self.declared_objectives:
            if counts[objective] < bar.per_objective:
                missing.append(
                    f"objective {objective}: {counts[objective]} questions (< {bar.per_objective})"
                )
        if bar.per_form:
            missing += _form_shortfalls(self.forms, bar)
        return missing


def _form_shortfalls(forms: list[FormCoverage], bar: Thresholds) -> list[str]:
    """Two parallel forms, each of enough items, half supported, matched."""
    names = [form.name for form in forms]
    if names != ["A", "B"]:
        return [f"parallel forms: {', '.join(names) or 'none'} (need forms A and B)"]
    missing = []
    for form in forms:
        if form.items < bar.per_form:
            missing.append(f"form {form.name}: {form.items} items (< {bar.per_form})")
        if form.supported * 2 != form.items:
            missing.append(
                f"form {form.name}: {form.supported} of {form.items} claims supported (need half)"
            )
    first, second = forms
    for what in ("objectives", "difficulties"):
        if getattr(first, what) != getattr(second, what):
            missing.append(f"forms A and B differ in {what}")
    if first.items != second.items:
        missing.append(f"forms A and B differ in length ({first.items} and {second.items})")
    return missing


def _article_paragraphs(doc) -> list[list[tuple[int, int]]]:
    """The character ranges of each paragraph of the article proper."""
    article = lay_out(doc.text, doc.display, {}).region("article")
    return [[(span.start, span.end) for span in p.spans] for p in article.paragraphs]


def measure(
    banks: list[BankSpec], catalog: SourceCatalog, objectives: list[str] | None = None
) -> Coverage:
    """Coverage of ``catalog`` by the published questions of ``banks``; the
    learning ``objectives`` declared, so that one no question names shows."""
    forms: dict[str, FormCoverage] = {}
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
            _count_teaching(row, forms, content, question.citations)
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
    ordered_forms = [forms[name] for name in sorted(forms)]
    return Coverage(source_rows, bank_rows, passages, list(objectives or ()), ordered_forms)


def _count_teaching(row: BankCoverage, forms: dict, content: dict, citations) -> None:
    row.objectives[content.get("objective", "")] += 1
    row.skill += content["difficulty"] >= 2
    row.unglossed += sum(1 for citation in citations if not citation.gloss)
    supported = content["type"] == "claim" and content["answer"] == "supported"
    if content["type"] == "claim":
        row.supported_claims += supported
        row.unsupported_claims += not supported
    if content.get("form"):
        form = forms.setdefault(content["form"], FormCoverage(content["form"]))
        form.items += 1
        form.supported += supported
        form.objectives[content.get("objective", "")] += 1
        form.difficulties[content["difficulty"]] += 1


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
        objectives = ", ".join(
            f"{objective or '(none)'} {n}" for objective, n in b.objectives.most_common()
        )
        lines += [
            f"  {b.slug}: {b.questions} questions{extra}",
            f"    skill (apply or analyse): {b.skill} of {b.questions} ({b.skill_share:.0%})",
            f"    objectives: {objectives}",
            f"    types: {types}",
            f"    difficulty (1 recall, 2 apply, 3 analyse): {levels}",
            f"    true/false: {b.true_statements} true, {b.false_statements} false; "
            f"claims: {b.supported_claims} supported, {b.unsupported_claims} not",
            f"    tags: {tags}",
        ]
    lines.append("Learning objectives (published questions):")
    for objective, n in coverage.objectives().items():
        lines.append(f"  {objective or '(none)':<24} {n:>4}")
    lines.append("Parallel forms of the before/after check:")
    for form in coverage.forms:
        levels = ", ".join(f"{level}: {n}" for level, n in sorted(form.difficulties.items()))
        lines.append(
            f"  form {form.name}: {form.items} items, {form.supported} supported; "
            f"difficulty {levels}; "
            + ", ".join(f"{o or '(none)'} {n}" for o, n in sorted(form.objectives.items()))
        )
    share = coverage.skill / coverage.questions if coverage.questions else 0.0
    lines.append(
        f"Overall: {coverage.questions} questions, {coverage.skill} apply a skill ({share:.0%}), "
        f"{coverage.passages} distinct passages, "
        f"true/false {coverage.true_statements} true : {coverage.false_statements} false"
    )
    shortfalls = coverage.shortfalls(bar)
    lines.append(
        f"Thresholds (≥{bar.questions} questions, ≥{bar.per_bank} per bank, "
        f"≥{bar.per_source} questions per source, ≥{bar.passages} passages, "
        f"true share {bar.true_share_min:.0%}–{1 - bar.true_share_min:.0%}, "
        f"≥{bar.skill_share:.0%} skill questions overall and per bank, "
        f"≥{bar.per_objective} per objective, two forms of ≥{bar.per_form}, "
        "every passage glossed): " + ("all met" if not shortfalls else f"{len(shortfalls)} not met")
    )
    lines += [f"  not met: {line}" for line in shortfalls]
    return lines
