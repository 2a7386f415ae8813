"""Safe YAML loading with positions."""

import time

import pytest

from quizapp.domain.yamlfile import MAX_DEPTH, MAX_NUMBER_CHARS, load_yaml


def test_values_keep_the_line_and_column_of_their_key():
    located, problems = load_yaml(b"a:\n  b: 1\n  c: [x, y]\n", "f.yaml")
    assert problems == []
    assert located.data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert located.where(("a", "c")) == (3, 3)
    assert located.where(("a", "missing", 4)) == (1, 1)


def test_a_syntax_error_names_its_line():
    _, problems = load_yaml(b"a: 1\nb: [1, 2\n", "f.yaml")
    assert problems[0].file == "f.yaml" and problems[0].line == 3
    assert "YAML syntax error" in problems[0].message


def test_duplicate_keys_are_refused():
    _, problems = load_yaml(b"a: 1\nb: 2\na: 3\n", "f.yaml")
    assert str(problems[0]) == "f.yaml:3:1: duplicate key 'a' (first at line 1)"


def test_an_alias_bomb_is_refused_at_once():
    bomb = b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for level in range(1, 9):
        refs = ",".join([f"*{chr(96 + level)}"] * 9)
        bomb += f"{chr(97 + level)}: &{chr(97 + level)} [{refs}]\n".encode()
    started = time.perf_counter()
    located, problems = load_yaml(bomb, "bomb.yaml")
    assert located is None
    assert problems[0].line == 2 and "aliases" in problems[0].message
    assert time.perf_counter() - started < 5  # expanding it would take far longer


def test_python_tags_are_refused():
    _, problems = load_yaml(b"a: !!python/object/apply:os.system [ls]\n", "f.yaml")
    assert problems[0].line == 1 and "unsupported value" in problems[0].message


def test_non_utf8_bytes_are_refused_with_their_position():
    _, problems = load_yaml("a: 1\nb: 好\n".encode("gbk"), "f.yaml")
    assert problems[0].line == 2 and problems[0].column == 4
    assert "not valid UTF-8" in problems[0].message


def test_oversized_files_are_refused_before_parsing():
    _, problems = load_yaml(b"a: " + b"x" * 100 + b"\n", "f.yaml", max_bytes=50)
    assert "larger than the limit of 50 bytes" in problems[0].message


def test_an_empty_file_is_refused():
    _, problems = load_yaml(b"# nothing\n", "f.yaml")
    assert problems[0].message == "the file is empty"


def test_a_utf8_byte_order_mark_is_accepted():
    located, problems = load_yaml("\ufeffa: 好\n".encode(), "f.yaml")
    assert problems == [] and located.data == {"a": "好"}


# Depth and number length are limited before anything is built from them


@pytest.mark.parametrize(
    "raw",
    [
        b"a: " + b"[" * 900 + b"]" * 900 + b"\n",
        b"a: " + b"{b: " * 900 + b"1" + b"}" * 900 + b"\n",
        b"a:\n" + b"".join(b"  " * level + b"- \n" for level in range(900)),
    ],
    ids=["flow lists", "flow mappings", "block lists"],
)
def test_nesting_900_deep_is_refused_at_its_line(raw):
    located, problems = load_yaml(raw, "f.yaml")
    assert located is None
    (problem,) = problems
    assert problem.message == f"nested more than {MAX_DEPTH} levels deep"
    assert problem.line == (1 if raw.startswith(b"a: ") else MAX_DEPTH + 1)


def test_nesting_up_to_the_limit_is_read():
    raw = b"[" * MAX_DEPTH + b"1" + b"]" * MAX_DEPTH
    located, problems = load_yaml(raw, "f.yaml")
    assert problems == []
    data = located.data
    for _ in range(MAX_DEPTH):
        (data,) = data
    assert data == 1


@pytest.mark.parametrize(
    "written",
    [
        "1" * 5_000,
        "-" + "9" * 5_000,
        "0x" + "f" * 5_000,
        "0b" + "1" * 100_000,
        "1_" + "0" * 5_000,
        "190:20" + ":30" * 2_000,
        "1" * 5_000 + ".5",
        "!!int '" + "1" * 5_000 + "'",
    ],
    ids=["decimal", "negative", "hex", "binary", "underscores", "sexagesimal", "float", "tagged"],
)
def test_a_number_thousands_of_characters_long_is_refused_at_its_line(written):
    located, problems = load_yaml(f"a: 1\nb: {written}\n".encode(), "f.yaml")
    assert located is None
    (problem,) = problems
    assert (problem.line, problem.column) == (2, 4)
    assert problem.message.startswith("a number of ")
    assert f"; the limit is {MAX_NUMBER_CHARS} (put it in quotes if it is text)" in problem.message


def test_a_long_number_as_a_key_is_refused_too():
    _, problems = load_yaml(b"? " + b"7" * 5_000 + b"\n: x\n", "f.yaml")
    assert [(p.line, p.message[:28]) for p in problems] == [(1, "a number of 5,000 characters")]


def test_numbers_up_to_the_limit_and_long_digits_in_quotes_are_read():
    limit = "9" * MAX_NUMBER_CHARS
    located, problems = load_yaml(f"a: {limit}\nb: '{'1' * 5_000}'\n".encode(), "f.yaml")
    assert problems == []
    assert located.data == {"a": int(limit), "b": "1" * 5_000}
