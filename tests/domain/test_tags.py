"""The tag vocabulary: declared tags, unknown ones refused with the closest, a bad file named."""

import re
import textwrap

from quizapp.domain.banks import bank_files, check_files, check_question, read_bank
from quizapp.domain.tags import TAGS_FILE, load_vocabulary, read_vocabulary
from tests.conftest import QUESTIONS, dump, make_bank, make_question

VOCABULARY = """\
tags:
- id: sora-limits
  kind: topic
  label: {zh: Sora 的局限, en: "What Sora gets wrong"}
- id: deepfake-cases
  kind: topic
  label: {zh: 深度伪造案例, en: Deepfake cases}
  description: {zh: 真实事件。, en: Real incidents.}
- id: check-the-source
  kind: skill
  label: {zh: 核对来源, en: Check the source}
"""


def vocabulary(text: str = VOCABULARY, name: str = "questions/_tags.yaml"):
    return read_vocabulary(textwrap.dedent(text).encode("utf-8"), name)


def test_a_valid_vocabulary_declares_each_tag_with_both_names():
    declared, problems = vocabulary()
    assert problems == []
    assert list(declared.tags) == ["sora-limits", "deepfake-cases", "check-the-source"]
    assert declared.label("deepfake-cases", "zh") == "深度伪造案例"
    assert declared.tags["check-the-source"].kind == "skill"
    assert declared.tags["deepfake-cases"].description["en"] == "Real incidents."


def test_an_unknown_tag_is_refused_at_its_line_with_the_closest_known_tag(catalog):
    declared, _ = vocabulary()
    question = make_question(tags=["sora-limits", "deepfake-case"])
    raw = dump(make_bank(questions=[question])).encode()
    bank, problems = read_bank(raw, "questions/b.yaml", catalog, vocabulary=declared)
    assert bank is None
    assert [str(p) for p in problems] == [
        "questions/b.yaml:14:5: questions[0].tags[1]: "
        "unknown tag 'deepfake-case' (closest known: 'deepfake-cases')"
    ]


def test_declared_tags_pass_and_without_a_vocabulary_any_tag_does(catalog):
    declared, _ = vocabulary()
    question = make_question(tags=["check-the-source", "sora-limits"])
    assert check_question(question, catalog, declared)[1] == []
    assert check_question(make_question(tags=["made-up"]), catalog)[1] == []


def test_the_editor_gets_the_unknown_tag_on_its_tags_field(catalog):
    declared, _ = vocabulary()
    _, problems = check_question(make_question(tags=["sora-limit"]), catalog, declared)
    assert [(p.path, p.detail) for p in problems] == [
        (("tags", 0), "unknown tag 'sora-limit' (closest known: 'sora-limits')")
    ]


def test_a_malformed_vocabulary_names_file_line_and_column_and_keeps_the_good_tags():
    text = VOCABULARY + (
        "- id: Bad Id\n"
        "  kind: topic\n"
        "  label: {zh: 坏, en: Bad}\n"
        "- id: sora-limits\n"
        "  kind: topic\n"
        "  label: {zh: 又一个, en: Again}\n"
        "- id: no-english\n"
        "  kind: mood\n"
        "  label: {zh: 只有中文}\n"
    )
    declared, problems = vocabulary(text)
    assert [str(p) for p in problems] == [
        "questions/_tags.yaml:12:3: tags[3].id: 'Bad Id' is not a valid id "
        "(use a-z, 0-9, '-' and '_', at most 64)",
        "questions/_tags.yaml:15:3: tags[4].id: duplicate tag 'sora-limits' (first at line 2)",
        "questions/_tags.yaml:19:3: tags[5].kind: 'mood' is not one of: topic, skill",
        "questions/_tags.yaml:20:3: tags[5].label: missing field 'en'",
    ]
    assert list(declared.tags) == ["sora-limits", "deepfake-cases", "check-the-source"]


def test_a_vocabulary_that_is_not_yaml_says_where():
    declared, problems = vocabulary("tags:\n- id: x\n  label: {zh: 坏\n")
    assert declared.tags == {}
    assert len(problems) == 1 and problems[0].message.startswith("YAML syntax error")
    assert str(problems[0]).startswith("questions/_tags.yaml:4:")


def test_without_a_vocabulary_file_every_tag_is_unknown_and_the_file_is_asked_for(tmp_path):
    declared, problems = load_vocabulary(tmp_path)
    assert [p.file for p in problems] == [str(tmp_path / TAGS_FILE)]
    assert "tag vocabulary not found" in problems[0].message
    assert declared.unknown("x") == "unknown tag 'x' (no tags are declared in _tags.yaml)"


def test_the_vocabulary_file_is_never_read_as_a_bank(catalog, tmp_path):
    (tmp_path / TAGS_FILE).write_text(VOCABULARY, encoding="utf-8")
    (tmp_path / "bank.yaml").write_text(dump(make_bank()), encoding="utf-8")
    assert bank_files([tmp_path]) == [tmp_path / "bank.yaml"]
    named = [tmp_path / TAGS_FILE, tmp_path / "bank.yaml"]  # as a shell glob names them
    result = check_files(named, catalog)
    assert result.ok and [bank.slug for bank in result.banks] == ["test-bank"]


def test_the_shipped_vocabulary_is_valid_and_declares_every_shipped_tag(shipped):
    declared, problems = load_vocabulary(QUESTIONS)
    assert problems == []
    used = {tag for bank in shipped.banks for q in bank.questions for tag in q.content["tags"]}
    assert used <= set(declared.tags)
    assert all(tag.description for tag in declared.tags.values())


def test_the_example_in_the_format_documentation_is_a_valid_vocabulary():
    readme = (QUESTIONS / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The tag vocabulary") :]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    declared, problems = read_vocabulary(example.encode("utf-8"), "questions/README.md")
    assert problems == [] and list(declared.tags) == ["deepfake-cases"]
