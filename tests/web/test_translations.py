"""The Chinese interface catalogue is complete."""

from babel.messages.pofile import read_po

from tests.conftest import ROOT

CATALOGUE = ROOT / "quizapp" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"


def test_every_interface_string_has_a_chinese_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
