"""One bad bank file per kind of mistake, with where and what the error must say.

Used by the schema tests and by the CLI tests (which also check that an
import of any of them changes nothing).
"""

from __future__ import annotations

# The line numbers of VALID matter: the cases below name them.
VALID = """\
bank: test-bank
title: {zh: 测试题库, en: Test bank}
description: {zh: 用于测试。, en: For tests.}
questions:
  - id: q1
    type: single
    difficulty: 1
    prompt: {zh: "饼干怎么了?", en: "What happened to the cookie?"}
    choices:
      - id: a
        text: {zh: 没有咬痕, en: No bite mark}
      - id: b
        text: {zh: 变成了蛋糕, en: It became a cake}
    answer: a
    explanation: {zh: OpenAI 承认的局限。, en: A limit OpenAI admits.}
    source:
      doc: huanqiu-2024-02
      exact: 例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。
"""

SECOND_Q1 = """\
  - id: q1
    type: true_false
    difficulty: 1
    prompt: {zh: "对吗?", en: "True?"}
    answer: true
    explanation: {zh: 对。, en: Yes.}
    source: {doc: huanqiu-2024-02, exact: 一个人咬了一口饼干}
"""


def _alias_bomb() -> str:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        name, previous = chr(97 + level), chr(96 + level)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _replace(old: str, new: str) -> bytes:
    assert old in VALID, old
    return VALID.replace(old, new).encode("utf-8")


# (name, file bytes, expected line, expected text in the message)
CASES = [
    ("syntax error", _replace("    answer: a\n", "    answer: [a\n"), 15, "YAML syntax error"),
    (
        "missing field",
        _replace("    explanation: {zh: OpenAI 承认的局限。, en: A limit OpenAI admits.}\n", ""),
        5,
        "missing field 'explanation'",
    ),
    ("unknown type", _replace("type: single", "type: essay"), 6, "unknown type 'essay'"),
    (
        "duplicate id",
        (VALID + SECOND_Q1).encode("utf-8"),
        19,
        "duplicate question id 'q1' (first at line 5)",
    ),
    (
        "answer not among choices",
        _replace("answer: a", "answer: z"),
        14,
        "'z' is not among the choices",
    ),
    (
        "missing language",
        _replace(
            'prompt: {zh: "饼干怎么了?", en: "What happened to the cookie?"}',
            'prompt: {zh: "饼干怎么了?"}',
        ),
        8,
        "missing field 'en'",
    ),
    (
        "quote not in source",
        _replace("但之后饼干可能没有咬痕", "但之后饼干上一定有咬痕"),
        18,
        "quote not found in the source; closest passage",
    ),
    (
        "quote found twice",
        _replace("exact: 例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。", "exact: 盘和林"),
        18,
        "quote found",
    ),
    (
        "unknown doc",
        _replace("doc: huanqiu-2024-02", "doc: no-such-source"),
        17,
        "unknown source 'no-such-source'",
    ),
    (
        "oversized file",
        b"#" * (1024 * 1024 + 1) + b"\n" + VALID.encode(),
        1,
        "larger than the limit of 1,048,576 bytes",
    ),
    ("alias bomb", _alias_bomb().encode("utf-8"), 2, "aliases (*a) are not allowed"),
    ("non-UTF-8", VALID.replace("测试题库", "测试").encode("gbk"), 2, "not valid UTF-8"),
]
