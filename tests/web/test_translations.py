"""The Chinese interface catalogue is complete."""

from babel.messages.pofile import read_po

from tests.conftest import ROOT
from tests.web.study_client import Learner

CATALOGUE = ROOT / "quizapp" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"


def test_every_interface_string_has_a_chinese_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_form_messages_of_wtforms_itself_follow_the_page_language(imported):
    """WTForms' own messages (not ours) come from its catalogue, in the page's language."""
    for language, message in (("zh", "不是有效的整数"), ("en", "Not a valid integer value")):
        learner = Learner(imported, {"Accept-Language": language})
        data = learner.start_form(length="twelve", confidence=False)
        refused = learner.post("/study/start", data)
        assert refused.status_code in (200, 422)
        assert message in refused.get_data(as_text=True)


def test_dates_name_the_month_and_the_whole_year_in_each_language(app):
    """ "12/6/26" reads as June 12th in most of the world; nobody misreads these."""
    from datetime import datetime

    from quizapp.i18n import when

    moment = datetime(2026, 12, 6, 20, 2, 13)  # stored naive, in UTC
    shown = {}
    for language in ("en", "zh"):
        with app.test_request_context(headers={"Accept-Language": language}):
            shown[language] = when(moment)
    assert shown == {"en": "Dec 6, 2026, 8:02\u202fPM", "zh": "2026年12月6日 20:02"}


def test_a_percentage_is_written_one_way_in_both_languages():
    """ "68%", as Babel's percentformat and Chinese write it: no template or
    interface string puts a space before the sign (they did, in English and
    in the untranslated numbers of Chinese pages)."""
    import re

    # Not Jinja's own "%}" nor its modulo ("loop.index0 % 6").
    spaced = re.compile(r"\d %%|\d %(?![%(}]| \d)|\}\} %(?!\})")
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    strings = [text for m in catalogue if m.id for text in (m.id, m.string) if text]
    assert [text for text in strings if isinstance(text, str) and spaced.search(text)] == []
    templates = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "quizapp").rglob("*.html")
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if spaced.search(line)
    ]
    assert templates == []
