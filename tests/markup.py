"""Structural checks of every HTML page the test suite is served.

Not a full validator (the W3C checker needs a Java runtime CI does not
carry), but the document-wide rules that a template can only break in
combination with another one, which is how they broke before: an id used
twice on a page (a form's hidden field and the language switch's both
rendered ``id="csrf_token"``), an ARIA reference that is empty or names no
element on the page, a label for no control. Every test app checks every
HTML response it sends (see ``app_factory`` in tests/conftest.py) and
answers 500 with the problems when one breaks a rule, so the test that
fetched the page fails.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

#: Attributes holding ids of other elements on the page.
REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls", "for", "list", "form")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.references: list[tuple[str, str, str]] = []
        self.problems: list[str] = []
        self.in_template = 0

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self.in_template += 1
        values = dict(attrs)
        element = values.get("id")
        if element is not None:
            if not element.strip():
                self.problems.append(f"<{tag}> has an empty id")
            elif not self.in_template:
                self.ids[element] += 1
        for name in REFERENCES:
            if name not in values:
                continue
            value = (values[name] or "").strip()
            if not value:
                self.problems.append(f'<{tag}> has an empty {name}=""')
                continue
            for token in value.split() if name.startswith("aria-") else [value]:
                self.references.append((tag, name, token))

    def handle_endtag(self, tag):
        if tag == "template" and self.in_template:
            self.in_template -= 1


def problems_of(page: str) -> list[str]:
    """What breaks the rules above in ``page`` (an empty list: nothing)."""
    collector = _Collector()
    collector.feed(page)
    collector.close()
    problems = list(collector.problems)
    problems += [
        f'id="{name}" is used {count} times' for name, count in collector.ids.items() if count > 1
    ]
    problems += [
        f'<{tag} {name}="{token}"> names no element on the page'
        for tag, name, token in collector.references
        if token not in collector.ids
    ]
    return problems


def check_responses(app) -> None:
    """Make ``app`` answer 500, listing the problems, for an HTML page that breaks a rule."""

    @app.after_request
    def check_markup(response):
        if (
            response.mimetype != "text/html"
            or response.is_streamed
            or response.direct_passthrough
            or response.status_code >= 500
        ):
            return response
        found = problems_of(response.get_data(as_text=True))
        if found:
            response.set_data("markup problems:\n" + "\n".join(found))
            response.status_code = 500
        return response
