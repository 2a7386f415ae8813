"""Nicknames in a classroom session: limits, a deny-list, generated names.

The deny-list is a YAML file of words (``QUIZ_NICKNAME_DENYLIST``; the
default ships in ``quizapp/classroom/nickname-denylist.yaml``), so an admin
can extend it without touching code. A nickname is refused when, folded
(case, width, spacing, look-alike digits), it contains a listed word:
latin words only as whole words, so "class" does not match "ass"; CJK
words anywhere, since Chinese has no spaces to mark words.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from quizapp.domain.yamlfile import SAFE_LOADER

MIN_LENGTH = 1
MAX_LENGTH = 20
_LOOKALIKES = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
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


@dataclass(frozen=True)
class DenyList:
    """Words no nickname may contain."""

    latin: frozenset[str]
    other: frozenset[str]

    @classmethod
    def of(cls, words: list[str]) -> DenyList:
        """A deny-list of ``words`` (case and width do not matter)."""
        folded = {fold(word) for word in words if fold(word)}
        latin = frozenset(word for word in folded if word.isascii())
        return cls(latin, frozenset(folded - latin))

    def matches(self, nickname: str) -> bool:
        """Whether ``nickname`` contains a denied word."""
        spaced = clean(nickname).casefold()
        solid = spaced.replace(" ", "")
        if any(word in solid for word in self.other):
            return True
        # Whole latin words, after undoing look-alike digits and symbols; a
        # word split by spaces or dots ("b a d", "b.a.d") is joined first.
        latin = spaced.translate(_LOOKALIKES)
        tokens = re.findall(r"[a-z]+", latin)
        joined = "".join(re.findall(r"[a-z]", latin))
        candidates = set(tokens)
        if all(len(token) == 1 for token in tokens):
            candidates.add(joined)
        return bool(candidates & self.latin)


def load_deny_list(path: Path) -> DenyList:
    """The deny-list in the YAML file at ``path``: a list under ``words``."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a mapping with a 'words' list")
    words = document.get("words") or []
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        raise ValueError(f"{path}: 'words' must be a list of strings")
    return DenyList.of(words)


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
