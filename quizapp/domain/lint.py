"""Content heuristics that ``flask quiz check`` does not enforce: ``flask quiz lint``.

``check`` decides whether a bank is valid; lint says where a valid bank
teaches less well than it could: a wrong choice that an absolute word gives
away, a right choice that stands out by length or by the prompt repeating
its words, right answers that sit on one letter, true/false and claim items
that are mostly one way, evidence too short to read, a question that names
no objective or leaves a passage without its English, an undated claim
about what Sora can do. Each finding has the ``file:line`` of what it is
about and a fix. The shipped banks lint clean (a test holds that).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from quizapp.domain.banks import BankSpec, QuestionSpec
from quizapp.domain.grading import fold_answer, plurals
from quizapp.domain.sources import SourceCatalog
from quizapp.domain.text import fold_text
from quizapp.domain.yamlfile import Located

#: Words that claim everything or nothing: in a wrong choice alone, a cue.
ABSOLUTE_ZH = (
    "所有",
    "完全",
    "一切",
    "一定",
    "永远",
    "绝对",
    "全部",
    "从不",
    "总是",
    "必然",
    "毫无",
)
ABSOLUTE_EN = re.compile(
    r"\b(all|always|never|every|everything|completely|entirely|nothing|totally)\b", re.I
)
#: A right choice longer than every wrong one in more of a bank's choice
#: questions than this is a cue (by chance: about one in four).
LONGEST_SHARE = 0.3
#: The share of true statements (and of supported claims) a bank keeps within.
BALANCE = (0.35, 0.65)
#: A quote shorter than this (folded) is a word, not a clause.
MIN_CLAUSE = 8
#: Characters of a right choice that, repeated in the prompt, give it away.
GIVEAWAY_RUN = 4
#: Topics whose questions state what Sora could or could not do: dated.
DATED_TAGS = {"sora-limits", "sora-strengths"}
YEAR = re.compile(r"20\d\d")
HAN_RUN = re.compile(r"(?![的了是和])[\u4e00-\u9fff]{3}(?<![的了是和])[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Finding:
    """One lint finding: where, which rule, what is wrong and how to fix it."""

    file: str
    line: int
    rule: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: [{self.rule}] {self.message} (fix: {self.fix})"


def _right_ids(content: dict) -> list[str]:
    answer = content["answer"]
    return list(answer) if isinstance(answer, list) else [answer]


def _absolute(text: dict) -> bool:
    return any(word in text["zh"] for word in ABSOLUTE_ZH) or bool(ABSOLUTE_EN.search(text["en"]))


def _common_run(a: str, b: str, size: int) -> str | None:
    """A run of ``size`` characters of ``a`` that also occurs in ``b``."""
    for start in range(len(a) - size + 1):
        piece = a[start : start + size]
        if piece in b:
            return piece
    return None


def _question_findings(content: dict, whole_lines: list[bool]) -> list[tuple]:
    """(path, rule, message, fix) for one question; ``whole_lines`` says which of
    its citations are a whole line of their article (a byline, a caption)."""
    found = []
    if not content.get("objective"):
        found.append(
            (
                (),
                "objective",
                "names no learning objective",
                "choose the objective it trains (the editor's “Learning objective”, "
                "`objective:` in a file)",
            )
        )
    for index, source in enumerate(content["sources"]):
        if not source.get("gloss"):
            found.append(
                (
                    ("sources", index),
                    "gloss",
                    f"passage {index + 1} has no English gloss",
                    "give the project's English translation of the quote "
                    "(the editor's “English gloss”, `gloss: {en: ...}` in a file)",
                )
            )
        if len(fold_text(source["exact"])) < MIN_CLAUSE and not whole_lines[index]:
            found.append(
                (
                    ("sources", index),
                    "short-citation",
                    f"passage {index + 1} is shorter than a clause",
                    "quote the whole clause or sentence that supports the answer",
                )
            )
    if content["difficulty"] == 3 and len(content["sources"]) < 2:
        found.append(
            (
                ("difficulty",),
                "difficulty",
                "difficulty 3 (analyse) cites one passage",
                "cite the second passage it analyses, or set difficulty 2",
            )
        )
    if DATED_TAGS & set(content.get("tags") or ()) and not any(
        YEAR.search(text) for text in content["prompt"].values()
    ):
        found.append(
            (
                ("prompt",),
                "undated",
                "states what Sora can or cannot do without a date",
                "word it as reported: “as reported in February 2024” / “据2024年2月的报道”",
            )
        )
    choices = content.get("choices") or []
    right = set(_right_ids(content)) if choices else set()
    right_absolute = any(_absolute(c["text"]) for c in choices if c["id"] in right)
    for index, choice in enumerate(choices):
        if choice["id"] not in right and not right_absolute and _absolute(choice["text"]):
            found.append(
                (
                    ("choices", index),
                    "absolute-word",
                    f"wrong choice {choice['id']} alone has an absolute word (all, never, 一定…)",
                    "make the wrong choice specific and plausible instead of sweeping",
                )
            )
    prompt = fold_text(content["prompt"]["zh"])
    wrong_text = "".join(fold_text(c["text"]["zh"]) for c in choices if c["id"] not in right)
    for index, choice in enumerate(choices):
        if choice["id"] not in right:
            continue
        run = _common_run(fold_text(choice["text"]["zh"]), prompt, GIVEAWAY_RUN)
        # Four Chinese characters of content, not a name or a function word.
        if run and run not in wrong_text and HAN_RUN.fullmatch(run):
            found.append(
                (
                    ("choices", index),
                    "giveaway",
                    f"the prompt repeats “{run}” of the right choice {choice['id']}",
                    "reword the prompt or the choice so only understanding finds it",
                )
            )
    if content["type"] == "short_text":
        folded = [fold_answer(item) for item in content["answer"]]
        if "" in folded:
            found.append(
                (
                    ("answer",),
                    "redundant-answer",
                    "an accepted answer is only punctuation: no typed answer can match it",
                    "remove it, or write the words it stands for",
                )
            )
        # An answer the grader already accepts through another: the same when
        # folded, or its plural (same_answer accepts "predictions" for "prediction").
        covered: set[str] = set()
        repeated = []
        for item in sorted((item for item in folded if item), key=len):
            if item in covered:
                repeated.append(item)
            covered |= plurals(item)
        if repeated:
            found.append(
                (
                    ("answer",),
                    "redundant-answer",
                    f"accepted answers that grade as one: {', '.join(repeated)}",
                    "keep one of each; punctuation, case, width and script are ignored anyway",
                )
            )
    return found


def _bank_findings(bank: BankSpec) -> list[tuple[str, str, str]]:
    """(rule, message, fix) for a bank as a whole."""
    found = []
    published = [q.content for q in bank.questions if q.content["status"] == "published"]
    singles = [c for c in published if c["type"] == "single"]
    if len(singles) >= 8:
        counts = Counter(c["answer"] for c in singles)
        ids = Counter(choice["id"] for c in singles for choice in c["choices"])
        common = [i for i, n in ids.items() if n >= len(singles) / 2]
        spread = [counts.get(i, 0) for i in common]
        if spread and max(spread) - min(spread) > max(2, len(singles) // 4):
            shown = ", ".join(f"{i} {counts.get(i, 0)}" for i in sorted(common))
            found.append(
                (
                    "answer-ids",
                    f"right answers of single-choice questions lean to one id ({shown})",
                    "reorder choices so the right one is spread over the ids",
                )
            )
    choice_questions = [c for c in published if c.get("choices")]
    longest = [c for c in choice_questions if _uniquely_longest(c)]
    if choice_questions and len(longest) / len(choice_questions) > LONGEST_SHARE:
        found.append(
            (
                "longest-right",
                f"the right choice is the longest in {len(longest)} of "
                f"{len(choice_questions)} choice questions",
                "lengthen a wrong choice or tighten the right one",
            )
        )
    for kind, yes, label in (
        ("true_false", True, "true/false items are true"),
        ("claim", "supported", "claims are supported"),
    ):
        items = [c for c in published if c["type"] == kind]
        if len(items) >= 4:
            share = sum(c["answer"] == yes for c in items) / len(items)
            if not BALANCE[0] <= share <= BALANCE[1]:
                found.append(
                    (
                        "balance",
                        f"{share:.0%} of the {label}",
                        f"keep it between {BALANCE[0]:.0%} and {BALANCE[1]:.0%} so that "
                        "judging everything one way does not score",
                    )
                )
    return found


def _uniquely_longest(content: dict) -> bool:
    right = set(_right_ids(content))
    for language in ("zh", "en"):
        sizes = {c["id"]: len(c["text"][language]) for c in content["choices"]}
        wrong = [n for i, n in sizes.items() if i not in right]
        if not wrong or min(sizes[i] for i in right) <= max(wrong):
            return False
    return True


def _whole_line(catalog: SourceCatalog, citation) -> bool:
    """Whether a citation is a whole line of its article: a byline or a caption is
    evidence of who wrote or took something, however short."""
    text = catalog.docs[citation.doc].text
    before = text[: citation.anchor.start].rstrip(" \t\u00a0\u3000")
    after = text[citation.anchor.end :].lstrip(" \t\u00a0\u3000\r")
    return (not before or before.endswith("\n")) and (not after or after.startswith("\n"))


def question_findings(spec: QuestionSpec, catalog: SourceCatalog) -> list[tuple[str, str, str]]:
    """(rule, message, fix) for one checked question, as the editor shows them."""
    whole_lines = [_whole_line(catalog, citation) for citation in spec.citations]
    return [
        (rule, message, fix)
        for _path, rule, message, fix in _question_findings(spec.content, whole_lines)
    ]


def lint_bank(bank: BankSpec, located: Located, catalog: SourceCatalog) -> list[Finding]:
    """The findings for one checked bank; ``located`` is its YAML with positions."""
    findings = []
    entries = located.data.get("questions") or []
    index_of = {entry.get("id"): i for i, entry in enumerate(entries) if isinstance(entry, dict)}
    for question in bank.questions:
        if question.content["status"] != "published":
            continue
        position = index_of.get(question.key)
        whole_lines = [_whole_line(catalog, citation) for citation in question.citations]
        for path, rule, message, fix in _question_findings(question.content, whole_lines):
            line = _line(located, ("questions", position, *path)) if position is not None else 1
            findings.append(Finding(bank.file, line, rule, f"{question.key}: {message}", fix))
    for rule, message, fix in _bank_findings(bank):
        findings.append(Finding(bank.file, bank.line, rule, f"bank {bank.slug}: {message}", fix))
    return sorted(findings, key=lambda f: (f.file, f.line, f.rule))


def _line(located: Located, path: tuple) -> int:
    """The line of ``path``, or of the nearest enclosing entry that has one."""
    # `source:` is written for one passage, `sources:` for several.
    if len(path) > 2 and path[2] == "sources" and path[:3] not in located.marks:
        path = (*path[:2], "source", *path[4:])
    return located.where(path)[0]
