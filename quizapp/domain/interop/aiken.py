"""Aiken, the simplest question format Moodle reads: one-answer choice questions.

Going out, a bank becomes one UTF-8 text file, a question per block::

    据报道……？ / According to the report, ...?
    A. 第一个选项 / The first choice
    B. 第二个选项 / The second choice
    ANSWER: B

The question and each choice are on one line, both languages as plain text
(Chinese, " / ", English). Aiken has no comments, names or feedback.

What it keeps: ``single`` questions; ``true_false`` as a two-choice question
(``对 / True``, ``错 / False``); ``claim`` as a two-choice question
(``文中有依据 / Supported by the passage``, ``文中无依据 / Not supported by the
passage``) with the cited passage and its gloss after the statement, on its
line, so the learner can judge it as in quizapp.

What it loses: the explanation, the feedback on each choice and on a wrong
answer, and the cited passages with their sources and links (Aiken has no
place for feedback at all: this is the format's limit, not a question left
out); the question id; difficulty, objective, form, time limit, tags and
status; line breaks inside a text. ``multiple``, ``numeric`` and
``short_text`` questions are skipped, with the reason: Aiken has one right
choice and nothing to type. So is a question whose text an Aiken reader
would take for a choice or an answer line (it starts with "A. " or
"ANSWER:").

Coming in, every question is a draft ``single`` question (a true/false or
claim written as two choices stays two choices), without explanation or
citation. A text written "中文 / English" is read as its two languages (the
last " / " before which the Chinese ends); a text in one language is put in
both. A question's text may run over several lines; choices are ``A.`` or
``A)`` lines in order; ``ANSWER: X`` ends the question. Problems are
located by line: a question with no ``ANSWER`` line (at the question's first
line), an answer letter that is not among the choices, a choice with no
question before it, choices out of order, fewer than 2 or more than 8
choices.
"""

from __future__ import annotations

import re

from quizapp.domain.interop.common import (
    CLAIM_ANSWERS,
    LANGUAGES,
    Exported,
    Incoming,
    OutgoingBank,
    Skipped,
    both,
    has_cjk,
    question_id,
    utf8_text,
)

MEDIA_TYPE = "text/plain; charset=utf-8"

TRUE_FALSE = ({"zh": "对", "en": "True"}, {"zh": "错", "en": "False"})
#: Where the passage quizapp adds after a claim's statement begins.
PASSAGE_MARK = " —— 原文 / Passage: "
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_CHOICES = 8

CHOICE = re.compile(r"([A-Z])[.)](?:[ \t]+(.*))?")
ANSWER = re.compile(r"ANSWER\s*:(.*)")
SKIPPED_TYPES = {
    "multiple": "Aiken has one right choice per question; several right answers cannot be written",
    "numeric": "Aiken has only choice questions; a number to type cannot be written",
    "short_text": "Aiken has only choice questions; an answer to type cannot be written",
}


# --- going out -------------------------------------------------------------------


def write(bank: OutgoingBank) -> Exported:
    """The bank as an Aiken file; questions Aiken cannot hold are skipped, with why."""
    blocks, written, skipped = [], [], []
    for key, content in bank.questions:
        kind = content.get("type")
        if kind in SKIPPED_TYPES:
            skipped.append(Skipped(key, kind, SKIPPED_TYPES[kind]))
            continue
        if kind not in ("single", "true_false", "claim"):
            skipped.append(Skipped(key, kind, f"Aiken has no question type for '{kind}'"))
            continue
        prompt = _line(both(content["prompt"]))
        if kind == "claim":
            prompt += _passages(content, bank.cite)
        reason = _misread(prompt)
        if reason:
            skipped.append(Skipped(key, kind, reason))
            continue
        choices, right = _choices(content)
        lines = [prompt]
        lines += [f"{LETTERS[index]}. {_line(both(text))}" for index, text in enumerate(choices)]
        lines.append(f"ANSWER: {LETTERS[right]}")
        blocks.append("\n".join(lines))
        written.append(key)
    data = ("\n\n".join(blocks) + "\n").encode("utf-8") if blocks else b""
    return Exported(data, f"{bank.slug}.aiken.txt", MEDIA_TYPE, written, skipped)


def _line(text: str) -> str:
    return " ".join(text.split())


def _choices(content: dict) -> tuple[list[dict], int]:
    """The choices' texts and the index of the right one."""
    kind = content["type"]
    if kind == "true_false":
        return list(TRUE_FALSE), 0 if content["answer"] else 1
    if kind == "claim":
        return list(CLAIM_ANSWERS.values()), list(CLAIM_ANSWERS).index(content["answer"])
    ids = [choice["id"] for choice in content["choices"]]
    return [choice["text"] for choice in content["choices"]], ids.index(content["answer"])


def _passages(content: dict, cite) -> str:
    """The cited passages a claim is judged against, after its statement."""
    pieces = []
    for source in content.get("sources", ()):
        citation = cite(source)
        piece = f"“{_line(citation.exact)}”"
        if citation.gloss:
            piece += f" ({_line(citation.gloss)})"
        pieces.append(piece)
    return PASSAGE_MARK + " ".join(pieces) if pieces else ""


def _misread(prompt: str) -> str | None:
    """Why an Aiken reader would misread this question's line, or None."""
    if CHOICE.fullmatch(prompt) or ANSWER.match(prompt):
        return "its text starts like an Aiken choice or answer line, which Aiken readers misread"
    if len(prompt) < 2:
        return "its text is shorter than 2 characters, which Aiken readers pass over"
    return None


# --- coming in -----------------------------------------------------------------------


def read(data: bytes, file: str) -> Incoming:
    """An Aiken file's questions as draft single-choice questions."""
    incoming = Incoming()
    text = utf8_text(data, file, incoming)
    if text is None:
        return incoming
    _Reader(file, incoming).read(text)
    return incoming


class _Reader:
    """The file line by line: a question's text, its choices, its ANSWER line."""

    def __init__(self, file: str, incoming: Incoming):
        self.file, self.incoming = file, incoming
        self.taken: set[str] = set()
        self.question: dict | None = None  # {line, text: [...], choices: [...], broken}
        self.blank_after_text = False

    def fail(self, line: int, message: str) -> None:
        self.incoming.fail(self.file, line, message)
        if self.question is not None:
            self.question["broken"] = True

    def read(self, text: str) -> None:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for number, raw in enumerate(lines, 1):
            line = raw.strip()
            if not line:
                if self.question is not None and not self.question["choices"]:
                    self.blank_after_text = True
                continue
            choice = CHOICE.fullmatch(line)
            answer = ANSWER.match(line)
            if answer:
                self.answer(number, answer.group(1).strip())
            elif choice:
                self.choice(number, choice.group(1), (choice.group(2) or "").strip())
            else:
                self.text(number, line)
        if self.question is not None:
            self.unfinished()

    def unfinished(self) -> None:
        question = self.question
        self.question = None
        if question.get("orphan"):
            return
        if question["choices"]:
            message = "the question has no ANSWER line after its choices"
        else:
            message = "the question has no choices and no ANSWER line"
        self.incoming.fail(self.file, question["line"], message)

    def text(self, number: int, line: str) -> None:
        question = self.question
        if question is not None and (question["choices"] or self.blank_after_text):
            self.unfinished()
            question = None
        if question is None:
            self.question = {"line": number, "text": [line], "choices": [], "broken": False}
            self.blank_after_text = False
        else:
            question["text"].append(line)

    def choice(self, number: int, letter: str, words: str) -> None:
        question = self.question
        if question is None:
            self.incoming.fail(self.file, number, f"a choice ({letter}) without a question")
            # Its other choices and its ANSWER line belong to it: it is said once.
            self.question = {"line": number, "text": [], "choices": [], "orphan": True}
            return
        if question.get("orphan"):
            return
        expected = LETTERS[len(question["choices"])] if len(question["choices"]) < 26 else None
        if letter != expected:
            self.fail(number, f"choice {letter} where {expected or 'no more'} was expected")
        if not words:
            self.fail(number, f"choice {letter} has no text")
        question["choices"].append((letter, words))

    def answer(self, number: int, given: str) -> None:
        question = self.question
        self.question = None
        if question is None:
            self.incoming.fail(self.file, number, "an ANSWER line without a question")
            return
        if question.get("orphan"):
            return
        if not question["choices"]:
            self.incoming.fail(self.file, number, "an ANSWER line with no choices before it")
            return
        letters = [letter for letter, _ in question["choices"]]
        listed = f"{letters[0]}–{letters[-1]}" if len(letters) > 1 else letters[0]
        if not re.fullmatch(r"[A-Za-z]", given):
            self.incoming.fail(self.file, number, f"ANSWER must be one letter ({listed})")
            return
        if given.upper() not in letters:
            self.incoming.fail(
                self.file, number, f"ANSWER: {given} is not among the choices ({listed})"
            )
            return
        count = len(letters)
        if count < 2 or count > MAX_CHOICES:
            self.incoming.fail(
                self.file,
                number,
                f"a question needs 2 to {MAX_CHOICES} choices (this one has {count})",
            )
            return
        if question["broken"]:
            return
        prompt = bilingual(" ".join(question["text"]).split(PASSAGE_MARK)[0])
        choices = [
            {"id": letter.lower(), "text": bilingual(words)}
            for letter, words in question["choices"]
        ]
        name = prompt.get("en") or prompt.get("zh") or ""
        self.incoming.questions.append(
            {
                "id": question_id(name, self.taken),
                "type": "single",
                "status": "draft",
                "difficulty": 1,
                "prompt": prompt,
                "choices": choices,
                "answer": given.lower(),
            }
        )
        self.incoming.lines.append(question["line"])


def bilingual(text: str) -> dict:
    """A text as {zh, en}: "中文 / English" split at the first " / " after its last
    Chinese character; a text in one language is put in both."""
    words = " ".join(text.split())
    cjk = [index for index, char in enumerate(words) if has_cjk(char)]
    if cjk:
        cut = words.find(" / ", cjk[-1])
        if cut > 0:
            chinese, english = words[:cut].strip(), words[cut + 3 :].strip()
            if chinese and english:
                return {"zh": chinese, "en": english}
    return {language: words for language in LANGUAGES}
