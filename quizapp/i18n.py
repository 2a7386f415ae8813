"""Interface language: Chinese (zh_Hans) or English, per browser.

The language comes from the visitor's choice (a long-lived cookie set by the
switch in the page header), else from the browser's Accept-Language, else
English. Content is bilingual data (``{zh, en}``) picked with the ``tr``
template filter; interface strings go through Flask-Babel.
"""

from __future__ import annotations

from datetime import datetime

from babel import Locale, dates
from flask import Flask, request
from flask_babel import Babel, get_locale, to_user_timezone
from flask_babel import lazy_gettext as _l

from quizapp.domain.scoring import signed

#: Our short language codes and the Babel locale behind each.
LANGUAGES = {"zh": "zh_Hans", "en": "en"}
#: Each language named in its own words (the switch in the page header).
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
#: Each language named in the interface's language: which half of bilingual
#: content a field is ("Prompt (English)", "题干（英文）").
CONTENT_LANGUAGE_NAMES = {"zh": _l("Chinese"), "en": _l("English")}
LANGUAGE_COOKIE = "lang"
DEFAULT_LANGUAGE = "en"


#: The same locales parsed once: Flask-Babel would parse the name again on
#: every request that shows a translated word (a tenth of a millisecond).
LOCALES = {code: Locale.parse(name) for code, name in LANGUAGES.items()}


def select_locale() -> Locale:
    """The Babel locale for this request."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen not in LANGUAGES:
        chosen = request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE)
    return LOCALES[chosen]


def current_language() -> str:
    """``"zh"`` or ``"en"`` for the current request."""
    return "zh" if get_locale().language == "zh" else "en"


def sentence_gap(language: str | None = None) -> str:
    """What goes between two sentences: a space in English, none after "。"."""
    return "" if (language or current_language()) == "zh" else " "


def pick(text: dict | None, language: str | None = None) -> str:
    """The ``language`` (default: current) version of bilingual ``text``."""
    if not text:
        return ""
    language = language or current_language()
    return text.get(language) or next(iter(text.values()), "")


def when(moment: datetime | None) -> str:
    """A date and time nobody misreads: "Dec 6, 2026, 8:02 PM", "2026年12月6日 20:02".

    Babel's "short" date ("12/6/26") reads as June 12th in most of the
    world; the month named and the year whole leave no doubt, and the time
    stays short (no seconds).
    """
    if moment is None:
        return ""
    locale = get_locale()
    local = to_user_timezone(moment)
    return str(locale.datetime_formats["medium"]).format(
        dates.format_time(local, "short", locale=locale),
        dates.format_date(local, "medium", locale=locale),
    )


def init_app(app: Flask, babel: Babel) -> None:
    """Bind Babel and make the helpers available to templates."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["tr"] = pick
    app.jinja_env.filters["signed"] = signed
    app.jinja_env.filters["when"] = when

    @app.context_processor
    def language_context():
        language = current_language()
        return {
            "current_language": language,
            "html_lang": "zh-Hans" if language == "zh" else "en",
            "language_names": LANGUAGE_NAMES,
            "content_language_names": CONTENT_LANGUAGE_NAMES,
            "sentence_gap": sentence_gap(language),
            # After a label: a full-width colon in Chinese, which needs no space.
            "label_colon": "：" if language == "zh" else ": ",
        }
