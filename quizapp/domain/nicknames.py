"""Nicknames in a classroom session: limits, a deny-list, generated names.

The deny-list is a YAML file (``QUIZ_NICKNAME_DENYLIST``; the default ships
in ``quizapp/classroom/nickname-denylist.yaml``, whose header documents the
format), so an admin can extend it without touching code. It has four lists:

``words``
    Latin words refused as whole words ("ass" refuses "ass" and "a.s.s" but
    not "class"); an entry with a space is a phrase of whole words ("kill
    yourself"). Other words (Chinese) are refused anywhere in the nickname,
    since Chinese has no spaces to mark words.
``anywhere``
    Latin stems refused inside any word ("fuck" refuses "motherfucker").
``allow``
    Innocent words that contain a stem ("Scunthorpe"). An allowed word
    hides the stem only where it ends a word ("Yamashita", not "shitake").
``exact``
    Names refused only when they are the whole nickname, perhaps with a
    number after them ("Teacher", "老师2"), not "王老师".

Before matching, a nickname is folded: NFKC (full width), case, accents,
Cyrillic and Greek look-alikes ("ѕһіt"), traditional Chinese characters
(to simplified). The patterns then read disguises: digits and symbols as
letters ("5h1t", with "1" read as "i" or "l"), "v" as "u" ("fvck"), "*" as
a masked vowel ("f*ck"), letters repeated ("fuuuck"; never fewer than the
word has, so "Bob" is not "boob"), letters split by spaces or dots ("f u c
k", "f.u.c.k", "fu-ck"). Latin inside Chinese text is read too ("傻B",
"你是sb").
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from pathlib import Path

import opencc
import yaml

from quizapp.domain.yamlfile import SAFE_LOADER

MIN_LENGTH = 1
MAX_LENGTH = 20

#: What else each latin letter may be written as. A character with two
#: readings ("1" is "i" or "l", "*" any vowel) is in each letter's class,
#: so both readings are tried.
_DISGUISES = {
    "a": "4@*",
    "b": "8",
    "e": "3*",
    "g": "69",
    "i": "1!|*",
    "l": "1|",
    "o": "0*",
    "s": "5$",
    "t": "7+",
    "u": "v*",
}
#: Symbols that may stand for a letter, so they belong to a word.
_SYMBOLS = "!$*+@|"
_WORDISH = "a-z0-9" + re.escape(_SYMBOLS)
_PIECE = re.compile(f"[{_WORDISH}]+")
_PLAIN = re.compile("[a-z]+")
_TAIL = re.compile(f"[0-9{re.escape(_SYMBOLS)}]+$")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
#: Everything but letters, digits and the symbols above: spaces, dots, dashes…
_SEPARATORS = re.compile(f"[^\\w{re.escape(_SYMBOLS)}]|_")
_NOT_CJK = re.compile(
    "[^\u2e80-\u2fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]"
)
#: The longest piece (as in "fu ck") joined with its neighbours.
_SHORT = 2

#: Cyrillic, Greek and other letters that look like a latin one (lower case:
#: the text is case-folded first).
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "п": "n",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ь": "b",
        "ѕ": "s",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "һ": "h",
        "ԁ": "d",
        "ӏ": "l",
        "ԛ": "q",
        "ԝ": "w",
        "ү": "y",
        "α": "a",
        "β": "b",
        "γ": "y",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "μ": "u",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        "ϲ": "c",
        "ς": "c",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ɑ": "a",
        "ɡ": "g",
    }
)


class NicknameError(ValueError):
    """A nickname that cannot be used; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def clean(raw: str) -> str:
    """The nickname as it will be shown: NFKC-normalised, spaces collapsed."""
    text = unicodedata.normalize("NFKC", raw or "")
    return " ".join(text.split())


def fold(nickname: str) -> str:
    """The key under which look-alike nicknames collide (``Ann`` = ``ann`` = ``Ａｎｎ``)."""
    return clean(nickname).casefold().replace(" ", "")


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    # Building the converter reads OpenCC's dictionaries: once per process.
    return opencc.OpenCC("t2s")


def _for_matching(text: str) -> str:
    """``text`` cleaned and folded as the deny-list reads it."""
    text = clean(text).casefold()
    if text.isascii():
        return text
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        # Accents on latin letters go ("fück"); marks on other scripts stay.
        if not (unicodedata.combining(char) and kept and kept[-1].isascii()):
            kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept)).translate(_HOMOGLYPHS)
    return text if text.isascii() else _to_simplified().convert(text)


def _entry(word: str, *, spaces: bool) -> str:
    """A deny-list entry folded like a nickname; spaces kept only in latin phrases."""
    folded = _for_matching(word)
    return folded if spaces and folded.isascii() else folded.replace(" ", "")


def _pattern(word: str, *, repeats: bool = True, disguised: bool = True) -> str:
    """A regular expression reading ``word`` through its disguises.

    With ``repeats``, each run of a letter may be longer than written but
    not shorter ("fuuuck" is "fuck"; "as" is not "ass"). A run that cannot
    be confused with the next is matched possessively, which keeps a long
    nickname from costing quadratic time.
    """
    table = _DISGUISES if disguised else {}
    runs = []
    for char, run in groupby(word):
        runs.append((char, len(list(run)), set(char + table.get(char, ""))))
    parts = []
    for index, (char, count, readings) in enumerate(runs):
        if char == " ":
            parts.append(" ")
            continue
        disguises = table.get(char)
        atom = f"[{re.escape(char + disguises)}]" if disguises else re.escape(char)
        if not repeats:
            parts.append(atom if count == 1 else f"{atom}{{{count}}}")
            continue
        following = runs[index + 1][2] if index + 1 < len(runs) else set()
        possessive = "+" if readings.isdisjoint(following) else ""
        parts.append((f"{atom}+" if count == 1 else f"{atom}{{{count},}}") + possessive)
    return "".join(parts)


def _either(words: Iterable[str], *, repeats: bool = True) -> str:
    return "|".join(_pattern(word, repeats=repeats) for word in sorted(words))


def _mixed(word: str) -> str:
    """A pattern for a Chinese (or other) word, which may hold latin letters
    ("傻b"): those are read as written, and not as part of a longer latin
    word ("小牛Bob" is not "牛b"); digits are digits ("牦牛 8" is not "牛b")."""
    pattern = _pattern(word, disguised=False)
    if word[0].isascii() and word[0].isalpha():
        pattern = "(?<![a-z])" + pattern
    if word[-1].isascii() and word[-1].isalpha():
        pattern += "(?![a-z])"
    return pattern


@dataclass(frozen=True)
class _Rules:
    """A deny-list's entries compiled to regular expressions (``None``: no entry)."""

    numbers: frozenset[str]  # whole words that are numbers
    latin: re.Pattern[str] | None  # words and stems, on the words of a nickname
    glued: re.Pattern[str] | None  # words and stems at a word's start, on glued words
    other: re.Pattern[str] | None  # Chinese and other words, anywhere
    allow: re.Pattern[str] | None
    exact: re.Pattern[str] | None


@lru_cache(maxsize=32)
def _rules(
    latin: frozenset[str],
    other: frozenset[str],
    anywhere: frozenset[str],
    allow: frozenset[str],
    exact: frozenset[str],
) -> _Rules:
    # A phrase is also matched written as one word ("killyourself"); a number
    # only as itself ("1488"), not as the letters it looks like.
    latin = latin | {word.replace(" ", "") for word in latin}
    spelled = {word for word in latin if not word.isdigit()}
    # Two letters ("sb") are read only as written: with look-alikes they
    # would catch ordinary short names ("S8", "5B").
    short = {word for word in spelled if len(word) <= 2}
    alternatives = "|".join(
        filter(
            None,
            [
                _either(spelled - short),
                "|".join(_pattern(word, disguised=False) for word in sorted(short)),
            ],
        )
    )
    words = f"(?<!\\S)(?:{alternatives})(?!\\S)" if spelled else ""
    stems = _either(anywhere)
    either = "|".join(filter(None, [words, stems]))  # may be empty
    glued = "|".join(filter(None, [words, f"(?<!\\S)(?:{stems})" if stems else ""]))
    return _Rules(
        numbers=frozenset(latin - spelled),
        latin=re.compile(either) if either else None,
        glued=re.compile(glued) if glued else None,
        other=re.compile("|".join(_mixed(word) for word in sorted(other))) if other else None,
        allow=re.compile(f"(?:{_either(allow, repeats=False)})(?![a-z])") if allow else None,
        exact=re.compile(f"(?:{_either(exact)})") if exact else None,
    )


def _latin_texts(text: str) -> tuple[str, str]:
    """The latin words of folded ``text``, and the words glued across dots and
    dashes ("fu-ck": "fuck").

    The words come in four lines, so that a phrase matches only in the
    nickname's order: as written ("5h1t head"); their plain letters
    ("ann2000": "ann"); without a trailing number or "!" ("sexy2000");
    runs of short pieces joined ("f u c k", "fu ck", "s h 1 t"). A number
    alone is not read as letters ("Ann 58" is not "sb").
    """
    every = _PIECE.findall(text)
    pieces = [piece for piece in every if not piece.isdigit()]
    joined: list[str] = []
    run: list[str] = []
    for piece in [*every, ""]:
        if piece and len(piece) <= _SHORT:
            run.append(piece)
            continue
        if len(run) > 1 and not "".join(run).isdigit():
            joined.append("".join(run))
        run = []
    glued = []
    for chunk in text.split():
        for part in _NOT_ASCII.split(chunk):
            inside = _PIECE.findall(part)
            if len(inside) > 1 and not "".join(inside).isdigit():
                glued.append("".join(inside))
    lines = [pieces, _PLAIN.findall(text), [_TAIL.sub("", piece) for piece in pieces], joined]
    return "\n".join(" ".join(line) for line in lines), " ".join(glued)


@dataclass(frozen=True)
class DenyList:
    """What no nickname may be or contain (see the module's documentation).

    ``latin`` holds latin whole words and phrases, ``other`` the Chinese
    (and other) words refused anywhere, ``anywhere`` latin stems refused
    inside any word, ``allow`` innocent words containing a stem and
    ``exact`` names refused only as the whole nickname.
    """

    latin: frozenset[str]
    other: frozenset[str]
    anywhere: frozenset[str] = frozenset()
    allow: frozenset[str] = frozenset()
    exact: frozenset[str] = frozenset()
    _compiled: _Rules = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = _rules(self.latin, self.other, self.anywhere, self.allow, self.exact)
        object.__setattr__(self, "_compiled", compiled)

    @classmethod
    def of(
        cls,
        words: Iterable[str],
        *,
        anywhere: Iterable[str] = (),
        allow: Iterable[str] = (),
        exact: Iterable[str] = (),
    ) -> DenyList:
        """A deny-list of whole ``words`` (Chinese ones anywhere), stems refused
        ``anywhere`` but in ``allow``ed words, and ``exact`` whole nicknames.
        Case, width and traditional or simplified characters do not matter."""
        folded = {_entry(word, spaces=True) for word in words} - {""}
        latin = {word for word in folded if word.isascii()}
        stems = {_entry(word, spaces=False) for word in anywhere} - {""}
        return cls(
            latin=frozenset(latin),
            # A Chinese stem is refused anywhere anyway.
            other=frozenset((folded - latin) | {stem for stem in stems if not stem.isascii()}),
            anywhere=frozenset(stem for stem in stems if stem.isascii()),
            allow=frozenset({_entry(word, spaces=False) for word in allow} - {""}),
            exact=frozenset({_entry(word, spaces=False) for word in exact} - {""}),
        )

    def matches(self, nickname: str) -> bool:
        """Whether ``nickname`` is or contains something denied."""
        rules = self._compiled
        text = _for_matching(nickname)
        solid = _SEPARATORS.sub("", text)
        if rules.exact is not None and rules.exact.fullmatch(_TAIL.sub("", solid) or solid):
            return True
        if (
            rules.other is not None
            and not text.isascii()
            and (rules.other.search(solid) or rules.other.search(_NOT_CJK.sub("", text)))
        ):
            return True
        if rules.numbers and not rules.numbers.isdisjoint(_PIECE.findall(text)):
            return True
        if rules.latin is None:
            return False
        words, glued = _latin_texts(text)
        if rules.allow is not None:
            words, glued = rules.allow.sub(" ", words), rules.allow.sub(" ", glued)
        return bool(rules.latin.search(words) or (glued and rules.glued.search(glued)))


#: The lists a deny-list file may have.
FILE_KEYS = ("words", "anywhere", "allow", "exact")
_LOADED: dict[tuple[str, int, int], DenyList] = {}


def load_deny_list(path: Path) -> DenyList:
    """The deny-list in the YAML file at ``path`` (lists under :data:`FILE_KEYS`).

    Raises ``OSError`` if the file cannot be read, ``yaml.YAMLError`` if it
    is not YAML and ``ValueError`` naming the file if its shape is wrong.
    The list is read again only when the file changes.
    """
    path = Path(path)
    status = path.stat()
    key = (str(path.resolve()), status.st_mtime_ns, status.st_size)
    deny = _LOADED.get(key)
    if deny is None:
        deny = _parse_deny_list(path.read_text(encoding="utf-8"), path)
        if len(_LOADED) >= 8:  # a file edited many times: forget the old versions
            _LOADED.clear()
        _LOADED[key] = deny
    return deny


def _parse_deny_list(text: str, path: Path) -> DenyList:
    document = yaml.load(text, Loader=SAFE_LOADER) or {}
    expected = ", ".join(f"'{key}'" for key in FILE_KEYS)
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a mapping of word lists ({expected})")
    lists: dict[str, list[str]] = {}
    for key, entries in document.items():
        if key not in FILE_KEYS:
            raise ValueError(f"{path}: unknown key {key!r}; the keys are {expected}")
        entries = entries or []
        if not isinstance(entries, list):
            raise ValueError(f"{path}: '{key}' must be a list of strings")
        for number, entry in enumerate(entries, 1):
            if not isinstance(entry, str):
                raise ValueError(
                    f"{path}: '{key}' must be a list of strings; entry {number} is {entry!r}"
                )
        lists[key] = entries
    return DenyList.of(
        lists.get("words", []),
        anywhere=lists.get("anywhere", []),
        allow=lists.get("allow", []),
        exact=lists.get("exact", []),
    )


def check_nickname(raw: str, deny: DenyList) -> str:
    """The cleaned nickname, or :class:`NicknameError` (``empty``, ``too_long``,
    ``control``, ``denied``)."""
    nickname = clean(raw)
    if len(nickname) < MIN_LENGTH:
        raise NicknameError("empty")
    if len(nickname) > MAX_LENGTH:
        raise NicknameError("too_long")
    if any(unicodedata.category(char).startswith("C") for char in nickname):
        raise NicknameError("control")
    if deny.matches(nickname):
        raise NicknameError("denied")
    return nickname


_ADJECTIVES = {
    "en": [
        "Blue",
        "Swift",
        "Calm",
        "Bright",
        "Quiet",
        "Brave",
        "Clever",
        "Gentle",
        "Lucky",
        "Sunny",
        "Keen",
        "Bold",
        "Merry",
        "Noble",
        "Wise",
        "Eager",
    ],
    "zh": [
        "蓝色",
        "敏捷",
        "安静",
        "明亮",
        "勇敢",
        "聪明",
        "温和",
        "幸运",
        "阳光",
        "机灵",
        "沉稳",
        "快乐",
        "好奇",
        "认真",
        "智慧",
        "热情",
    ],
}
_ANIMALS = {
    "en": [
        "Otter",
        "Heron",
        "Panda",
        "Fox",
        "Crane",
        "Dolphin",
        "Owl",
        "Tiger",
        "Koala",
        "Falcon",
        "Whale",
        "Lynx",
        "Robin",
        "Yak",
        "Seal",
        "Deer",
    ],
    "zh": [
        "水獭",
        "白鹭",
        "熊猫",
        "狐狸",
        "仙鹤",
        "海豚",
        "猫头鹰",
        "老虎",
        "考拉",
        "猎鹰",
        "鲸鱼",
        "山猫",
        "知更鸟",
        "牦牛",
        "海豹",
        "小鹿",
    ],
}


def generated_nickname(rng: random.Random, language: str = "en", attempt: int = 0) -> str:
    """A friendly generated nickname; later attempts add a number to avoid clashes."""
    language = language if language in _ADJECTIVES else "en"
    adjective = rng.choice(_ADJECTIVES[language])
    animal = rng.choice(_ANIMALS[language])
    name = f"{adjective}{animal}" if language == "zh" else f"{adjective} {animal}"
    return f"{name} {rng.randint(2, 99)}" if attempt else name
