"""Every form on a page, as the fuzzer needs it: where it posts and what it sends.

``tests.web.editor_client.form_fields`` reads one form as a browser submits
it; the fuzzer also wants the buttons (a form's ``action`` may be the
pressed button's name), the file inputs and the forms that send GET
(their fields are query parameters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class PageForm:
    """One ``<form>``: its method, the path it goes to and its fields as rendered."""

    method: str
    path: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def names(self) -> set[str]:
        return {name for name, _value in self.fields + self.buttons} | set(self.files)


class _Reader(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.form: PageForm | None = None
        self.textarea: list | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urljoin(self.page_url, attrs.get("action") or self.page_url)
            self.form = PageForm(attrs.get("method", "get").upper(), urlsplit(action).path)
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = attrs.get("name")
        if not name:
            return
        kind = attrs.get("type", "text").lower()
        if tag == "button" or (tag == "input" and kind in ("submit", "image")):
            self.form.buttons.append((name, attrs.get("value", "")))
        elif tag == "input" and kind == "file":
            self.form.files.append(name)
        elif tag == "input":
            # Unticked boxes too: the fuzzer decides what is sent.
            default = "on" if kind in ("checkbox", "radio") else ""
            self.form.fields.append((name, attrs.get("value", default)))
        elif tag == "textarea":
            self.textarea = [name, ""]
        elif tag == "select":
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            self.form.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select and self.form is not None:
            chosen = [value for value, selected in self.options if selected]
            values = chosen or [value for value, _selected in self.options[:1]]
            self.form.fields.extend((self.select, value) for value in values)
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def read_forms(page: str, page_url: str) -> list[PageForm]:
    """The forms of ``page`` (served at ``page_url``), in page order."""
    reader = _Reader(page_url)
    reader.feed(page)
    reader.close()
    return reader.forms
