"""Safe YAML loading with positions."""

import time

from quizapp.domain.yamlfile import load_yaml


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
    assert "the limit is 50 bytes" in problems[0].message


def test_an_empty_file_is_refused():
    _, problems = load_yaml(b"# nothing\n", "f.yaml")
    assert problems[0].message == "the file is empty"


def test_a_utf8_byte_order_mark_is_accepted():
    located, problems = load_yaml("\ufeffa: 好\n".encode(), "f.yaml")
    assert problems == [] and located.data == {"a": "好"}
