"""Reading typed answers fairly: one definition, used by every question type
that takes written input, the CLI's checks and the tests.

A learner's answer is right when it says the right thing, whatever its
punctuation, width, letter case or script:

- :func:`fold_answer` is the form two written answers are compared in:
  NFKC (full- and half-width alike), traditional characters read as
  simplified (OpenCC's ``t2s``), letter case and white space ignored,
  dashes and middle dots inside ignored, and punctuation, quotation marks
  and 《》 dropped at both ends ("Seeing is believing." and “AI换脸” match
  ``Seeing is believing`` and ``AI换脸``). Synonyms are the bank's: every
  accepted answer it lists.
- :func:`read_quantity` is the number a learner wrote, with what came after
  it: digits in any width, thousands separators, Chinese numerals (三,
  十万, 二〇二三, via cn2an), scales (万, 亿, thousand, million, billion,
  k), ordinals (24th, 第三), dates (3月1日, March 1, 1 March: the day) and a
  unit after the number (2023年, 18秒, 18 seconds).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import cn2an
import opencc


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    # Building the converter reads OpenCC's dictionaries: once per process.
    return opencc.OpenCC("t2s")


def _is_edge(ch: str) -> bool:
    """Punctuation, symbols and white space: what may surround an answer."""
    return unicodedata.category(ch)[0] in "PSZ" or ch.isspace()


#: Joiners that may be written or left out inside an answer ("deep-fake").
INNER_JOINERS = re.compile(r"[\s\-‐‑‒–—―_·・•]")


#: An English article before an answer ("a red team", "the FTC").
ARTICLE = re.compile(r"^(?:a|an|the)\s+")


def fold_answer(text: str) -> str:
    """The form in which two written answers are the same answer."""
    text = unicodedata.normalize("NFKC", text)
    text = _to_simplified().convert(text).casefold()
    start, end = 0, len(text)
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    text = ARTICLE.sub("", text[start:end]).replace("&", "and")
    return INNER_JOINERS.sub("", text)


def plurals(folded: str) -> set[str]:
    """An accepted answer and its plural: English -s/-es, Chinese 们."""
    if not folded:
        return set()
    if folded[-1].isascii() and folded[-1].isalpha():
        return {folded, folded + "s", folded + "es"}
    return {folded, folded + "们"}


def same_answer(response: str, accepted: list[str]) -> bool:
    """Whether ``response`` says one of the ``accepted`` answers (or its plural)."""
    given = fold_answer(response)
    return bool(given) and any(given in plurals(fold_answer(item)) for item in accepted)


# --- Numbers -----------------------------------------------------------------

CHINESE_DIGITS = "零〇一二两三四五六七八九十百千万亿点廿卅"
#: A number as written: digits (with a decimal part), Chinese numerals, or
#: digits followed by a Chinese scale ("10万", "2000亿", "1.5亿").
NUMBER = re.compile(
    rf"(?P<sign>[+-]?)(?P<number>(?:\d+(?:\.\d+)?|\.\d+)[万亿千百]*|[{CHINESE_DIGITS}]+)"
)
#: English scales written after a number: "10 thousand", "2.5 million", "100k".
SCALES = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "m": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
}
#: Scales a unit may start with: an answer "in 万", "in 亿美元", "in billion US dollars".
UNIT_SCALES = {
    "十亿": 10**9,
    "千万": 10**7,
    "百万": 10**6,
    "万": 10**4,
    "亿": 10**8,
    "千": 10**3,
    "百": 100,
    "trillion": 10**12,
    "billion": 10**9,
    "million": 10**6,
    "thousand": 10**3,
}
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
#: A date whose day is the number: "3月1日", "March 1", "1 March", "2024-03-01".
DATES = (
    re.compile(r"(?:\d{4}年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})[日号]"),
    re.compile(rf"(?P<name>{_MONTH})\.?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\d{{4}})?"),
    re.compile(rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:of)?(?P<name>{_MONTH})\.?(?:,?\d{{4}})?"),
    re.compile(r"\d{4}[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"),
)
#: A month of a year, whose month is the number: "2024年5月", "2024年5月份".
YEAR_MONTH = re.compile(r"\d{4}年(?P<month>\d{1,2})月份?")
#: Words before a number that say which one: "section 2", "no. 2", "第2".
WHICH = re.compile(r"^(?:第|section|no\.?|number|#)")
#: Currency signs before a number: "$200", "US$200", "￥10".
CURRENCY = re.compile(r"^(?:us\$|\$|¥|￥|rmb)")
ORDINAL = re.compile(r"(?:st|nd|rd|th)")
#: Words of approximation before a number: "约10万", "about 60".
APPROXIMATELY = re.compile(r"(?:大约|大概|约|近|超过|about|around|approximately|approx\.?|~|≈)")
#: What the units of the banks are also written as, folded.
UNIT_SYNONYMS = {
    "%": ("%", "percent", "percentage", "per cent", "个百分点"),
    "年": ("年", "year", "years", "yr", "yrs"),
    "月": ("月", "月份", "month", "months"),
    "位": ("位", "人", "名", "个"),
    "帧": ("帧", "frame", "frames"),
    "节": ("节", "section"),
    "日": ("日", "号", "天", "day", "days", "th", "st", "nd", "rd"),
    "秒": ("秒", "秒钟", "second", "seconds", "sec", "secs", "s"),
    "分钟": ("分钟", "分", "minute", "minutes", "min", "mins"),
    "小时": ("小时", "hour", "hours", "h", "hr", "hrs"),
    "倍": ("倍", "times", "x", "fold"),
    "美元": ("美元", "dollar", "dollars", "usd", "$", "us$"),
}


@dataclass(frozen=True)
class Quantity:
    """A number a learner wrote: its value, whether a scale was written with it
    (so the value is absolute, not in the question's unit), and the rest;
    for a date, ``month`` is the month written with the day."""

    value: float
    scaled: bool
    rest: str
    month: int | None = None


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _to_simplified().convert(text).casefold()
    text = re.sub(r"[\s,_']", "", text).replace("\u2212", "-")
    return text.strip("。.!！?？;；:：\"'“”‘’《》「」『』()（）")


def read_quantity(text: str) -> Quantity | None:
    """The number written in ``text``, or None if no number can be read."""
    text = APPROXIMATELY.sub("", _normalise(text), count=1)
    for date in DATES:
        match = date.fullmatch(text)
        if match:
            named = match.groupdict().get("name")
            month = MONTHS[named] if named else int(match.group("month"))
            return Quantity(float(match.group("day")), False, "日", month)
    match = YEAR_MONTH.fullmatch(text)
    if match:
        return Quantity(float(match.group("month")), False, "月")
    text = CURRENCY.sub("", WHICH.sub("", text))
    if text.startswith("百分之"):
        quantity = read_quantity(text[3:])
        return Quantity(quantity.value, False, "%") if quantity and not quantity.rest else None
    match = NUMBER.match(text)
    if match is None:
        return None
    written = match.group("number")
    try:
        if re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", written):
            value = float(written)
        else:
            value = float(cn2an.cn2an(written, "smart"))
    except (ValueError, KeyError, IndexError):
        return None
    scaled = bool(re.search(r"[万亿千]", written)) and not written.isdigit()
    rest = text[match.end() :]
    for word, factor in SCALES.items():
        if rest.startswith(word) and not (word in ("m", "b") and len(rest) > 1):
            value, scaled, rest = value * factor, True, rest[len(word) :]
            break
    rest = ORDINAL.sub("", rest, count=1) if ORDINAL.match(rest) else rest
    if match.group("sign") == "-":
        value = -value
    if not math.isfinite(value):
        return None
    return Quantity(value, scaled, rest)


def unit_scale(unit: dict | None) -> tuple[int, list[str]]:
    """The scale a question's unit starts with (1 if none), and the unit's
    written forms with that scale removed, folded, with their synonyms."""
    if not unit:
        return 1, []
    scale, names = 1, []
    for text in unit.values():
        folded = _normalise(text)
        for start, factor in UNIT_SCALES.items():
            if folded.startswith(start):
                scale, folded = factor, folded[len(start) :]
                break
        names.append(folded)
    for name in list(names):
        for canonical, synonyms in UNIT_SYNONYMS.items():
            if name == canonical or name in synonyms or canonical in name:
                names.extend(synonyms)
    return scale, [name for name in names if name]


#: Units a number may carry when its question names none: dates and counters.
FREE_UNITS = (
    *("年", "月", "月份", "日", "号", "天", "个", "位", "名", "次", "岁", "人", "家", "条", "种"),
    *("节", "章", "section"),
)


def unit_fits(rest: str, names: list[str]) -> bool:
    """Whether ``rest`` (what followed the number) names the question's unit,
    or the start of it ("2000亿" for the unit "亿美元")."""
    if not rest:
        return True
    if not names:
        return rest in FREE_UNITS or rest in UNIT_SYNONYMS["日"]
    return any(name.startswith(rest) or rest in names for name in names)


def value_in_unit(quantity: Quantity, answer: dict) -> float:
    """The learner's number in the question's unit.

    A number written with a scale is absolute ("10万", "100 thousand"). A bare
    number is read in the question's unit, unless only its absolute reading
    is right ("100000" for an answer of 10 in 万): then that reading is taken.
    """
    scale, _names = unit_scale(answer.get("unit"))
    if quantity.scaled:
        return quantity.value / scale
    close = abs(quantity.value - answer["value"]) <= answer.get("tolerance", 0) + 1e-9
    if scale != 1 and not close:
        absolute = quantity.value / scale
        if abs(absolute - answer["value"]) <= answer.get("tolerance", 0) + 1e-9:
            return absolute
    return quantity.value
