"""GIFT, Moodle's plain-text question format, out and in.

Going out, a bank becomes one UTF-8 text file: comment lines (``//``) with
the bank's title and description, ``$CATEGORY: <bank id>``, then one
question per block, a blank line between blocks, each named ``::<question
id>::``. Every text is ``[html]`` with both languages as the spans of
Moodle's multi-language content filter (without the filter, Moodle shows
both). GIFT's special characters (``~ = # :``) are escaped with a backslash;
in HTML text, braces and backslashes are written as character references
(``&#123;``, ``&#125;``, ``&#92;``), which every HTML reader shows as the
character and no GIFT reader can take for the end of the answers. Accepted
short answers are plain text: every special character is escaped with a
backslash there, and ``*`` (Moodle's wildcard) as ``\\*``.

What it keeps:

- the types: ``single`` (``=right ~wrong``); ``multiple`` (``~%w%`` on every
  answer: each right one ``+100/n`` %, each wrong one ``-100/n`` %, ``n`` the
  number of right answers, so Moodle's total, never below 0, is quizapp's
  score, as in Moodle XML);
  ``true_false`` (``{TRUE}`` / ``{FALSE}``); ``claim`` (a one-answer question
  with the two answers "Supported by the passage" and "Not supported by the
  passage", in both languages, and the cited passage with its gloss in the
  question text, so the learner can judge the statement against it as in
  quizapp); ``numeric`` (``{#value:tolerance}``; a unit is added to the
  question in both languages, "(in seconds)"); ``short_text`` (``{=a =b}``);
- the feedback on each choice (``#...``); ``wrong_feedback`` where GIFT has
  a place for it: the feedback of a true/false question's wrong answer and
  of a claim's wrong answer; for numeric and short answers (where GIFT's
  only place, a catch-all ``~#``, trips other GIFT readers) it opens the
  general feedback, marked "If your answer was wrong";
- the general feedback (``####``): the explanation, each cited passage with
  its gloss, outlet and date, and a link to it in the app's source viewer;
- the question id, as the question's name.

What it loses: difficulty, learning objective, check form, time limit, tags
and status; the passages as selectors (they are shown as text); how
quizapp reads a typed answer: GIFT's short answers match ignoring letter
case only, so our folding of full- and half-width forms, traditional
characters, punctuation at the ends and plurals is lost, and a number is read
without our dates, word numbers or units; line breaks inside a text (HTML
shows them as spaces). A ``numeric`` question whose answer is a day of a
month is skipped, and so is a short answer Moodle would misread (one with
``->``, which marks a matching pair, or one starting with a text format
such as ``[html]``).

Coming in, GIFT is read here (Moodle's rules, not a third-party parser):
categories and comments are passed over; a question's name, its text format
(``[html]``, ``[moodle]``, ``[plain]``, ``[markdown]``), escapes, each
answer's feedback, weights (``%n%``) and the general feedback (``####``) are
read. One right answer among choices (``=``, or a single positive weight
with no negative ones) gives ``single``; several positive weights, or one
with negative weights for the wrong answers (a checkbox question, as quizapp
writes a several-answer question with one right answer), give ``multiple``,
whose answer is the choices with a positive weight: quizapp's grading (each
right pick ``+1/n``, each wrong pick ``-1/n``, never below 0) replaces the
file's weights, and on a one-answer question only the ``=`` answer is right (partly
right answers are plain wrong ones). Our own claims (exactly the two answers
above) come back as claims. ``T``/``TRUE``/``F``/``FALSE`` gives
``true_false`` (the first feedback is the wrong answer's; as in Moodle,
``{true}`` in small letters is a short answer); ``#value:tolerance``
and ``#min..max`` give ``numeric`` (the middle of the range, and half its
width as the tolerance; a ``~#`` catch-all's feedback is the wrong answer's);
``=a =b`` gives ``short_text`` (the answers worth 100 %; a ``=%0%*`` catch-all's
feedback is the wrong answer's). Feedback on a right answer is added to the
explanation; partly right numbers and short answers are dropped. The
explanation is the general feedback up to the passages quizapp writes after
it (``<blockquote lang="zh">``): imported questions are drafts without a
citation, cited again in the editor.

Essays (``{}``), matching (``->``), missing words (text after the answers),
descriptions (no answers), short answers accepted by a wildcard (``*``),
and questions with several fully right answers in a one-answer question or
several fully right numbers are listed as unsupported, at the question's
first line, and not taken. A malformed question (an answer brace never
closed, no right answer, a number that is not one, ...) is a problem at its
line.
"""

from __future__ import annotations

import itertools
import math
import re
from decimal import ROUND_DOWN, Decimal
from html import escape

from quizapp.domain.interop.common import (
    CLAIM_ANSWERS,
    LANGUAGES,
    Exported,
    Incoming,
    OutgoingBank,
    Skipped,
    Unsupported,
    both,
    choice_id,
    claim_verdicts,
    feedback_text,
    from_multilang,
    has_cjk,
    in_bank_order,
    multilang,
    question_id,
    utf8_text,
)

MEDIA_TYPE = "text/plain; charset=utf-8"

#: How the wrong-answer feedback of a typed answer opens the general feedback.
WRONG_LABEL = {"zh": "答错时：", "en": "If your answer was wrong: "}
#: How a numeric question's unit is added to its text.
UNIT_NOTE = {"zh": "（单位：{}）", "en": " (in {})"}
#: Where the passages quizapp adds to a claim's text and to the general feedback begin.
PASSAGES_START = '<blockquote lang="zh">'
WRONG_PARAGRAPH = re.compile(r'<p class="wrong-feedback">(.*?)</p>', re.S)

#: The most choices a quizapp question has, and the longest accepted answer.
MAX_CHOICES = 8
MAX_ANSWER = 200
FORMATS = ("html", "moodle", "plain", "markdown")

#: Characters that end a GIFT line (a text must stay on one line: a blank
#: line ends a question).
LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
SPECIAL = re.compile(r"[~=#:]")
#: GIFT's escapes: a backslash and the character; ``\n`` is a line break.
ESCAPES = {":": ":", "#": "#", "=": "=", "{": "{", "}": "}", "~": "~", "\\": "\\", "n": "\n"}
WEIGHT = re.compile(r"%\s*(-?\d+(?:\.\d*)?)\s*%")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


# --- going out ---------------------------------------------------------------------


def write(bank: OutgoingBank) -> Exported:
    """The bank as a GIFT file; questions GIFT cannot hold are skipped, with why."""
    lines = [f"// {_comment(both(bank.title))}"]
    if bank.description:
        lines.append(f"// {_comment(both(bank.description))}")
    lines += [
        "// Exported by quizapp as GIFT: texts in both languages (Moodle's multilang spans).",
        f"$CATEGORY: {bank.slug}",
        "",
    ]
    written, skipped = [], []
    for key, content in bank.questions:
        kind = content.get("type")
        reason = _cannot_write(content)
        if reason:
            skipped.append(Skipped(key, kind, reason))
            # The file says so too, where the question would have been.
            lines += [f"// {key} ({kind}) left out: {reason}", ""]
            continue
        lines += [_question(key, content, bank.cite), ""]
        written.append(key)
    data = "\n".join(lines).encode("utf-8")
    return Exported(data, f"{bank.slug}.gift.txt", MEDIA_TYPE, written, skipped)


def _comment(text: str) -> str:
    return " ".join(text.split())


def _cannot_write(content: dict) -> str | None:
    """Why GIFT cannot hold this question, or None."""
    kind = content.get("type")
    if kind not in ("single", "multiple", "true_false", "claim", "numeric", "short_text"):
        return f"GIFT has no question type for '{kind}'"
    if kind == "numeric" and content["answer"].get("month") is not None:
        return "a day-of-month answer (month) has no GIFT form"
    if kind == "short_text":
        for answer in content["answer"]:
            if "->" in answer:
                return f"the accepted answer '{answer}' holds '->', which GIFT reads as matching"
            if re.match(r"\[(?:html|moodle|plain|markdown)\]", answer.strip()):
                return f"the accepted answer '{answer}' starts with a GIFT text format marker"
    return None


def _question(key: str, content: dict, cite) -> str:
    """One question's block: name, text, answers, general feedback."""
    kind = content["type"]
    prompt = content["prompt"]
    if kind == "numeric" and content["answer"].get("unit"):
        prompt = _with_unit(prompt, content["answer"]["unit"])
    text = f"<p>{multilang(prompt)}</p>"
    if kind == "claim":
        text += _passages(content, cite)
    head = f"::{_plain(key)}::[html]{_html(text)} {{"
    lines = [head]
    if kind in ("single", "multiple"):
        lines += _choices(content)
    elif kind == "claim":
        wrong = content.get("wrong_feedback")
        for verdict, words in CLAIM_ANSWERS.items():
            right = verdict == content["answer"]
            lines.append(_choice("=" if right else "~", words, None if right else wrong))
    elif kind == "true_false":
        lines[0] += "TRUE" if content["answer"] else "FALSE"
        if content.get("wrong_feedback"):
            lines[0] += f"#{_html(multilang(content['wrong_feedback']))}"
    elif kind == "numeric":
        answer = content["answer"]
        lines[0] += f"#{_number(answer['value'])}:{_number(answer.get('tolerance', 0))}"
    else:
        lines += [f"\t={_short_answer(answer)}" for answer in content["answer"]]
    general = _general_feedback(content, cite)
    if general:
        lines.append(f"\t####{_html(general)}")
    lines.append("}")
    return "\n".join(lines)


def _choices(content: dict) -> list[str]:
    if content["type"] == "single":
        return [
            _choice(
                "=" if choice["id"] == content["answer"] else "~",
                choice["text"],
                choice.get("feedback"),
            )
            for choice in content["choices"]
        ]
    right = set(content["answer"])
    lines = []
    for choice in content["choices"]:
        # Our grading: each right pick +1/n, each wrong pick -1/n (n right answers).
        share = _percent(100 / len(right))
        weight = share if choice["id"] in right else f"-{share}"
        lines.append(_choice(f"~%{weight}%", choice["text"], choice.get("feedback")))
    return lines


def _choice(marker: str, text: dict, feedback: dict | None) -> str:
    line = f"\t{marker}{_html(multilang(text))}"
    if feedback:
        line += f"#{_html(multilang(feedback))}"
    return line


def _percent(weight: float) -> str:
    """A weight as Moodle's grade steps write it (33.33333), cut towards zero
    so that six times 16.66666 is not over 100."""
    cut = Decimal(weight).quantize(Decimal("0.00001"), rounding=ROUND_DOWN)
    return f"{cut:f}".rstrip("0").rstrip(".")


def _number(value: float) -> str:
    """A number as plain decimal digits (never ``1e-05``)."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _with_unit(prompt: dict, unit: dict) -> dict:
    """The question's text with its unit said after it, in both languages."""
    shown = {}
    for language in LANGUAGES:
        name = (unit.get(language) or unit.get("en") or unit.get("zh") or "").strip()
        if name.startswith(("(", "（")) and name.endswith((")", "）")):
            name = name[1:-1].strip()
        shown[language] = prompt[language] + UNIT_NOTE[language].format(name)
    return shown


def _passages(content: dict, cite) -> str:
    """The cited passages a claim is judged against, shown with it as in quizapp."""
    pieces = []
    for source in content.get("sources", ()):
        citation = cite(source)
        pieces.append(f"{PASSAGES_START}{escape(citation.exact, quote=False)}</blockquote>")
        if citation.gloss:
            pieces.append(f'<p lang="en">{escape(citation.gloss, quote=False)}</p>')
    return "".join(pieces)


def _general_feedback(content: dict, cite) -> str:
    """The explanation and cited passages, after the wrong-answer feedback of a
    typed answer (GIFT has no other place for it that every reader takes)."""
    general = feedback_text(content, cite, html=True)
    wrong = content.get("wrong_feedback")
    if wrong and content["type"] in ("numeric", "short_text"):
        labelled = {
            language: WRONG_LABEL[language] + wrong[language]
            for language in LANGUAGES
            if wrong.get(language)
        }
        general = f'<p class="wrong-feedback">{multilang(labelled)}</p>{general}'
    return general


def _html(html: str) -> str:
    """HTML as GIFT text: on one line, braces and backslashes as character
    references, GIFT's other special characters escaped, and no leading
    ``[`` or ``%`` that Moodle would read as a text format or a weight."""
    html = LINE_BREAKS.sub(" ", html)
    html = html.replace("\\", "&#92;").replace("{", "&#123;").replace("}", "&#125;")
    if html.startswith(("[", "%")):
        html = f"&#{ord(html[0])};{html[1:]}"
    return SPECIAL.sub(r"\\\g<0>", html)


def _plain(text: str) -> str:
    """Plain text as GIFT text: on one line, every special character escaped."""
    text = " ".join(text.split())
    return re.sub(r"[\\~=#:{}]", r"\\\g<0>", text)


def _short_answer(answer: str) -> str:
    """An accepted answer: plain text, ``*`` escaped (Moodle's wildcard), and a
    weight first when the answer itself starts with ``%``."""
    text = _plain(answer).replace("*", "\\*")
    return f"%100%{text}" if text.startswith("%") else text


# --- coming in -----------------------------------------------------------------------


def read(data: bytes, file: str) -> Incoming:
    """A GIFT file's questions as drafts; problems and unsupported types located by line."""
    incoming = Incoming()
    text = utf8_text(data, file, incoming)
    if text is None:
        return incoming
    taken: set[str] = set()
    for block in _blocks(text):
        _Question(block, file, incoming, taken).read()
    return incoming


class _Block:
    """A question's lines: its text joined, and the line of each character."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.first = lines[0][0]
        self.starts = []
        pieces, offset = [], 0
        for number, line in lines:
            self.starts.append((offset, number))
            pieces.append(line)
            offset += len(line) + 1
        self.text = "\n".join(pieces)

    def line(self, offset: int) -> int:
        """The file line of the character at ``offset``."""
        found = self.first
        for start, number in self.starts:
            if start > offset:
                break
            found = number
        return found


def _blocks(text: str) -> list[_Block]:
    """The file cut at blank lines, comments blanked and categories passed over."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks, current = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            if current:
                blocks.append(current)
            current = []
            continue
        current.append((number, "" if line.lstrip().startswith("//") else line))
    if current:
        blocks.append(current)
    found = []
    for lines_of_block in blocks:
        # A block of comments only is no question; a category line is a
        # place in Moodle's tree, not a question (quizapp files each bank apart).
        kept = list(lines_of_block)
        while kept and not kept[0][1].strip():
            kept.pop(0)
        if kept and kept[0][1].lstrip().startswith("$CATEGORY:"):
            kept.pop(0)
            while kept and not kept[0][1].strip():
                kept.pop(0)
        if kept:
            found.append(_Block(kept))
    return found


def _unescaped(text: str, start: int = 0, end: int | None = None):
    """The positions of the characters of ``text[start:end]`` not escaped by a backslash."""
    end = len(text) if end is None else end
    index = start
    while index < end:
        if text[index] == "\\" and index + 1 < end:
            index += 2
            continue
        yield index
        index += 1


def _find(text: str, target: str, start: int = 0, end: int | None = None) -> int:
    """The first unescaped ``target`` in ``text[start:end]``, or -1."""
    end = len(text) if end is None else end
    for index in _unescaped(text, start, end):
        if text.startswith(target, index) and index + len(target) <= end:
            return index
    return -1


def _find_last(text: str, target: str, start: int, end: int) -> int:
    found = -1
    for index in _unescaped(text, start, end):
        if text.startswith(target, index) and index + len(target) <= end:
            found = index
    return found


def _split(text: str, markers: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut before each unescaped character of ``markers``:
    the (start, end) of each piece, the first piece being what comes before the
    first marker."""
    cuts = [index for index in _unescaped(text, start, end) if text[index] in markers]
    bounds = [start, *cuts, end]
    return list(itertools.pairwise(bounds))


def _unescape(text: str, star: bool = False) -> str:
    """GIFT text with its escapes read (``star``: ``\\*`` is a plain ``*`` too)."""
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            if following in ESCAPES:
                out.append(ESCAPES[following])
                index += 2
                continue
            if star and following == "*":
                out.append("*")
                index += 2
                continue
        out.append(char)
        index += 1
    return "".join(out)


def _format(raw: str, default: str) -> tuple[str, str]:
    """A text's own format marker (``[html]``...), if it starts with one."""
    stripped = raw.lstrip()
    match = re.match(r"\[(\w+)\]", stripped)
    # Moodle knows the names in lower case only ("[HTML]" is text).
    if match and match.group(1) in FORMATS:
        return match.group(1), stripped[match.end() :]
    return default, raw


def _bilingual(raw: str, default: str, cut: str | None = None) -> dict:
    """A GIFT text (escapes unread) as {zh, en}: see :func:`_text`."""
    text_format, raw = _format(raw, default)
    return _text(_unescape(raw), text_format, cut)


def _text(text: str, text_format: str, cut: str | None = None) -> dict:
    """A text (escapes read) as {zh, en}: from multilang spans in HTML (up to
    ``cut``), else in the language its letters are in; one language is put in both."""
    if text_format in ("html", "moodle"):
        if cut and cut in text:
            text = text[: text.index(cut)]
        found = from_multilang(text)
    else:
        words = " ".join(text.split())
        found = {"zh" if has_cjk(words) else "en": words} if words else {}
    return _both(found)


def _both(text: dict) -> dict:
    """A text in one language is put in both (the import step asks for translations)."""
    if not text:
        return {}
    one = text.get("zh") or text.get("en")
    return {language: text.get(language) or one for language in LANGUAGES}


def _joined(*texts: dict) -> dict:
    """Several texts as one, language by language."""
    present = [text for text in texts if text]
    if not present:
        return {}
    return {language: " ".join(text[language] for text in present) for language in LANGUAGES}


def _read_number(raw: str) -> int | float | None:
    text = raw.strip()
    if not NUMBER.fullmatch(text):
        return None
    number = float(text)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


class _Question:
    """One block read as a question, or as a problem or an unsupported type."""

    def __init__(self, block: _Block, file: str, incoming: Incoming, taken: set[str]):
        self.block, self.text = block, block.text
        self.file, self.incoming, self.taken = file, incoming, taken
        self.failed = False

    def fail(self, offset: int | None, message: str) -> None:
        line = self.block.first if offset is None else self.block.line(offset)
        self.incoming.fail(self.file, line, message)
        self.failed = True

    def unsupported(self, kind: str, reason: str) -> None:
        self.incoming.unsupported.append(Unsupported(self.file, self.block.first, kind, reason))

    def read(self) -> None:
        text = self.text
        start = len(text) - len(text.lstrip())
        title = ""
        if text.startswith("::", start):
            finish = _find(text, "::", start + 2)
            if finish < 0:
                self.fail(
                    start, "the question's name is not closed: write ::name:: before the text"
                )
                return
            title = " ".join(_unescape(text[start + 2 : finish]).split())
            start = finish + 2
        opening = _find(text, "{", start)
        closing = _find(text, "}", start)
        if opening < 0 and closing < 0:
            self.unsupported("description", "a text without answers is not a question")
            return
        if opening < 0 or 0 <= closing < opening:
            self.fail(closing, "a '}' with no '{' before it: write \\} for a brace in the text")
            return
        closing = _find(text, "}", opening + 1)
        if closing < 0:
            self.fail(opening, "the answers' '{' is never closed with '}'")
            return
        nested = _find(text, "{", opening + 1, closing)
        if nested >= 0:
            self.fail(nested, "a '{' inside the answers: write \\{ for a brace in a text")
            return
        if text[closing + 1 :].strip():
            self.unsupported(
                "missing word",
                "text after the answers (a missing-word or cloze question, or two questions "
                "with no blank line between them) has no quizapp type",
            )
            return
        text_format, head = _format(text[start:opening], "moodle")
        self.format = text_format
        answers_start, answers_end = opening + 1, closing
        general = _find_last(text, "####", answers_start, answers_end)
        self.general = ""
        if general >= 0:
            self.general = text[general + 4 : answers_end]
            answers_end = general
        self.head = head
        question = self.answers(answers_start, answers_end)
        if question is None or self.failed:
            return
        key = question_id(title or self.name_from(question), self.taken)
        self.incoming.questions.append(in_bank_order({**question, "id": key}))
        self.incoming.lines.append(self.block.first)

    def name_from(self, question: dict) -> str:
        return question["prompt"].get("en") or question["prompt"].get("zh") or ""

    def base(self, kind: str, cut: str | None = None) -> dict | None:
        """What every type has: the prompt and the explanation."""
        prompt = _text(_unescape(self.head), self.format, cut)
        if not prompt:
            self.fail(None, "the question has no text")
            return None
        question = {"type": kind, "status": "draft", "difficulty": 1, "prompt": prompt}
        general_format, general = _format(self.general, self.format)
        general = _unescape(general)
        self.wrong_in_general = {}
        match = WRONG_PARAGRAPH.search(general) if general_format in ("html", "moodle") else None
        if match:
            self.wrong_in_general = _unlabel(from_multilang(match.group(1)))
            general = general[: match.start()] + general[match.end() :]
        explanation = _text(general, general_format, PASSAGES_START)
        if explanation:
            question["explanation"] = explanation
        return question

    def answers(self, start: int, end: int) -> dict | None:
        """The question, by the kind of its answers (Moodle's order of tests)."""
        text = self.text
        body = text[start:end]
        stripped = body.strip()
        offset = start + len(body) - len(body.lstrip())
        if not stripped:
            self.unsupported("essay", "an essay (no answers to grade) has no quizapp type")
            return None
        if stripped.startswith("#"):
            return self.numeric(offset + 1, end)
        if _find(text, "~", start, end) >= 0:
            return self.choices(start, end)
        if _find(text, "=", start, end) >= 0 and "->" in body:
            self.unsupported("matching", "matching pairs (->) have no quizapp type")
            return None
        head = stripped
        cut = _find(stripped, "#")
        if cut > 0:
            head = stripped[:cut].strip()
        if head in ("T", "TRUE", "F", "FALSE"):
            return self.true_false(stripped, head)
        return self.short_answers(start, end)

    def pieces(self, start: int, end: int, markers: str) -> list[tuple[str, int, int]] | None:
        """The answers between ``start`` and ``end``, each (marker, start, end) after
        its marker; text before the first marker is a problem."""
        found = []
        for index, (piece_start, piece_end) in enumerate(_split(self.text, markers, start, end)):
            if index == 0:
                if self.text[piece_start:piece_end].strip():
                    self.fail(piece_start, "text before the first answer: start each with = or ~")
                    return None
                continue
            found.append((self.text[piece_start], piece_start + 1, piece_end))
        return found

    def weighted(self, piece_start: int, piece_end: int, default: float):
        """An answer's weight (``%n%`` first, else ``default``), text and feedback."""
        raw = self.text[piece_start:piece_end]
        lead = len(raw) - len(raw.lstrip())
        raw = raw.lstrip()
        weight = default
        if raw.startswith("%"):
            match = WEIGHT.match(raw)
            if not match:
                self.fail(piece_start, "a weight is written %n%, with n from -100 to 100")
                return None
            weight = float(match.group(1))
            if not -100 <= weight <= 100:
                self.fail(piece_start, f"the weight {match.group(1)}% is not from -100 to 100")
                return None
            raw = raw[match.end() :]
        cut = _find(raw, "#")
        feedback = raw[cut + 1 :] if cut >= 0 else ""
        answer = raw[:cut] if cut >= 0 else raw
        return weight, answer, feedback, piece_start + lead

    def choices(self, start: int, end: int) -> dict | None:
        pieces = self.pieces(start, end, "~=")
        if pieces is None:
            return None
        answers = []
        for marker, piece_start, piece_end in pieces:
            found = self.weighted(piece_start, piece_end, 100 if marker == "=" else 0)
            if found is None:
                return None
            weight, raw, feedback, where = found
            text = _bilingual(raw, self.format)
            if not text:
                self.fail(where, "an answer with no text")
                return None
            answers.append((marker, weight, text, _bilingual(feedback, self.format)))
        if len(answers) < 2:
            self.fail(start, "a choice question needs at least 2 answers")
            return None
        if len(answers) > MAX_CHOICES:
            self.fail(
                start, f"quizapp takes at most {MAX_CHOICES} choices (this has {len(answers)})"
            )
            return None
        marked = [index for index, answer in enumerate(answers) if answer[0] == "="]
        if len(marked) > 1:
            self.unsupported(
                "multiple choice",
                "several answers are fully right (=) in a one-answer question; "
                "quizapp's single-answer questions have one right answer",
            )
            return None
        right = marked or [index for index, answer in enumerate(answers) if answer[1] > 0]
        if not right:
            self.fail(start, "no right answer: mark it with = or give it a positive weight %n%")
            return None
        verdicts = claim_verdicts([answer[2] for answer in answers])
        if verdicts and len(right) == 1:
            return self.claim(answers, verdicts, right[0])
        # Moodle shows checkboxes when no answer is marked =. One right answer
        # among them is a one-answer question, unless wrong picks cost marks:
        # that is quizapp's own several-answer question with one right answer.
        penalised = not marked and any(answer[1] < 0 for answer in answers)
        kind = "single" if len(right) == 1 and not penalised else "multiple"
        if kind == "multiple" and len(right) == len(answers):
            self.fail(start, "every answer is right: a learner could not go wrong")
            return None
        question = self.base(kind)
        if question is None:
            return None
        ids = [choice_id(index) for index in range(len(answers))]
        choices = []
        for key, (_marker, _weight, text, feedback) in zip(ids, answers, strict=True):
            choice = {"id": key, "text": text}
            if feedback:
                choice["feedback"] = feedback
            choices.append(choice)
        question["choices"] = choices
        question["answer"] = ids[right[0]] if kind == "single" else [ids[i] for i in right]
        return question

    def claim(self, answers, verdicts: list[str], right: int) -> dict | None:
        # The passage shown with the statement is cited again in the editor.
        question = self.base("claim", cut=PASSAGES_START)
        if question is None:
            return None
        question["answer"] = verdicts[right]
        question["explanation"] = _joined(question.get("explanation", {}), answers[right][3])
        if not question["explanation"]:
            del question["explanation"]
        wrong = answers[1 - right][3]
        if wrong:
            question["wrong_feedback"] = wrong
        return question

    def true_false(self, stripped: str, head: str) -> dict | None:
        question = self.base("true_false")
        if question is None:
            return None
        question["answer"] = head in ("T", "TRUE")
        cuts = [index for index in _unescaped(stripped) if stripped[index] == "#"]
        bounds = [*cuts, len(stripped)]
        feedbacks = [stripped[bounds[i] + 1 : bounds[i + 1]] for i in range(len(cuts))]
        # GIFT's first feedback is shown for the wrong answer, the second for the right.
        if len(feedbacks) > 2:
            feedbacks = [feedbacks[0], "#".join(feedbacks[1:])]
        wrong = _bilingual(feedbacks[0], self.format) if feedbacks else {}
        right = _bilingual(feedbacks[1], self.format) if len(feedbacks) > 1 else {}
        self.finish(question, wrong, [right])
        return question

    def finish(self, question: dict, wrong: dict, right_feedback: list[dict]) -> None:
        """The explanation with any right answer's feedback, and the wrong answer's feedback."""
        explanation = _joined(question.get("explanation", {}), *right_feedback)
        if explanation:
            question["explanation"] = explanation
        wrong = wrong or self.wrong_in_general
        if wrong:
            question["wrong_feedback"] = wrong

    def equals_answers(self, start: int, end: int) -> list[tuple] | None:
        """Each ``=answer`` between ``start`` and ``end`` (numeric and short
        answer questions), weighted 100% unless it says otherwise; None
        after a problem."""
        entries = []
        for index, (piece_start, piece_end) in enumerate(_split(self.text, "=", start, end)):
            if index == 0 and not self.text[piece_start:piece_end].strip():
                continue
            if index > 0:
                piece_start += 1
            found = self.weighted(piece_start, piece_end, 100)
            if found is None:
                return None
            entries.append(found)
        return entries

    def numeric(self, start: int, end: int) -> dict | None:
        catch_all = _find(self.text, "~", start, end)
        wrong_raw = ""
        if catch_all >= 0:
            wrong_raw = self.text[catch_all + 1 : end]
            end = catch_all
        entries = self.equals_answers(start, end)
        if entries is None:
            return None
        if not entries:
            self.fail(start, "a numeric question with no number")
            return None
        full = []
        for weight, raw, feedback, where in entries:
            if raw.strip() == "*" and weight <= 0:
                # Moodle's catch-all: any other number, worth nothing.
                wrong_raw = wrong_raw or f"#{feedback}"
                continue
            value, tolerance = self.number(_unescape(raw).strip(), where)
            if value is None:
                return None
            if weight == 100:
                full.append((value, tolerance, feedback))
        if not full:
            self.fail(start, "no number is worth 100%")
            return None
        if len(full) > 1:
            self.unsupported(
                "numerical",
                "several numbers are fully right; quizapp's numeric questions have one",
            )
            return None
        value, tolerance, right_feedback = full[0]
        question = self.base("numeric")
        if question is None:
            return None
        answer = {"value": value, "tolerance": tolerance}
        unit = _unit_from(question["prompt"])
        if unit:
            question["prompt"], answer["unit"] = unit
        question["answer"] = answer
        wrong = {}
        if wrong_raw:
            cut = _find(wrong_raw, "#")
            wrong = _bilingual(wrong_raw[cut + 1 :], self.format) if cut >= 0 else {}
        self.finish(question, wrong, [_bilingual(right_feedback, self.format)])
        return question

    def number(self, raw: str, where: int) -> tuple:
        """A numeric answer as (value, tolerance): ``v``, ``v:t`` or ``min..max``."""
        if ".." in raw:
            low_text, high_text = raw.split("..", 1)
            low, high = _read_number(low_text), _read_number(high_text)
            if low is None or high is None or high < low:
                self.fail(where, f"'{raw}' is not a range of numbers min..max")
                return None, None
            middle, half = (low + high) / 2, (high - low) / 2
            if not (math.isfinite(middle) and math.isfinite(half)):
                self.fail(where, f"'{raw}' is out of range")
                return None, None
            return _tidy(middle), _tidy(half)
        value_text, _, tolerance_text = raw.partition(":")
        value = _read_number(value_text)
        tolerance = _read_number(tolerance_text) if tolerance_text.strip() else 0
        if value is None:
            self.fail(where, f"'{value_text.strip()}' is not a number")
            return None, None
        if tolerance is None or tolerance < 0:
            self.fail(where, f"the tolerance '{tolerance_text.strip()}' is not a number from 0 up")
            return None, None
        return value, tolerance

    def short_answers(self, start: int, end: int) -> dict | None:
        accepted, right_feedback, wrong = [], [], {}
        seen = set()
        entries = self.equals_answers(start, end)
        if entries is None:
            return None
        for weight, raw, feedback, where in entries:
            raw = _format(raw, "plain")[1].strip()
            wildcard = any(raw[i] == "*" for i in _unescaped(raw))
            if weight <= 0 and raw == "*":
                wrong = _bilingual(feedback, self.format)
                continue
            if weight < 100:
                continue
            if wildcard:
                self.unsupported(
                    "short answer",
                    f"the answer '{raw}' is a wildcard pattern (*); quizapp accepts whole answers",
                )
                return None
            answer = " ".join(_unescape(raw, star=True).split())
            if not answer:
                self.fail(where, "an accepted answer with no text")
                return None
            if len(answer) > MAX_ANSWER:
                self.fail(where, f"an accepted answer longer than {MAX_ANSWER} characters")
                return None
            # Moodle's matching ignores letter case: answers differing only so are one.
            if answer.casefold() not in seen:
                seen.add(answer.casefold())
                accepted.append(answer)
            right_feedback.append(_bilingual(feedback, self.format))
        if not accepted:
            self.fail(start, "no answer is worth 100%")
            return None
        question = self.base("short_text")
        if question is None:
            return None
        question["answer"] = accepted
        self.finish(question, wrong, right_feedback)
        return question


def _tidy(number: float) -> int | float:
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _unlabel(text: dict) -> dict:
    """The wrong-answer feedback without the label quizapp's export puts before it."""
    found = {}
    for language, words in text.items():
        for label in WRONG_LABEL.values():
            if words.startswith(label.strip()):
                words = words[len(label.strip()) :].strip()
                break
        if words:
            found[language] = words
    return _both(found)


def _unit_from(prompt: dict) -> tuple[dict, dict] | None:
    """The unit quizapp's export adds to a numeric question's text in both
    languages, taken back off: (prompt, unit), or None."""
    text, unit = {}, {}
    for language in LANGUAGES:
        words = prompt[language].rstrip()
        opening, closing = UNIT_NOTE[language].split("{}")
        where = words.rfind(opening)
        if where < 0 or not words.endswith(closing):
            return None
        text[language] = words[:where].strip()
        unit[language] = words[where + len(opening) : len(words) - len(closing)].strip()
    if not all(text.values()) or not all(unit.values()):
        return None
    return text, unit
