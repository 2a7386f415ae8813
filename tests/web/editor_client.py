"""An admin (or teacher) driving the bank editor through the test client.

:func:`form_fields` reads a form out of a page the way a browser would
submit it (text inputs, hidden inputs, checked boxes, selected options,
textareas), so a test changes only what a person would change and posts
the rest back as it was rendered.
"""

from __future__ import annotations

from html.parser import HTMLParser

from tests.web.classroom_client import PASSWORD, make_user
from tests.web.study_client import hidden


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.fields: list[list] = []
        self.textarea: list | None = None
        self.select: str | None = None
        self.select_first: tuple | None = None
        self.select_chosen = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.inside:
            wanted = self.form_id is None or self.form_id in (attrs.get("id"), attrs.get("action"))
            if wanted and not self.done:
                self.inside = True
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
            self.fields.append(self.textarea)
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select_first is None:
                self.select_first = (self.select, value)
            if "selected" in attrs:
                self.fields.append([self.select, value])
                self.select_chosen = True

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
            self.done = True
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select:
            if not self.select_chosen and self.select_first is not None:
                self.fields.append(list(self.select_first))
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            # A browser drops one newline right after <textarea>.
            if not self.textarea[1]:
                data = (
                    data.removeprefix("\r\n")
                    if data.startswith("\r\n")
                    else data.removeprefix("\n")
                )
            self.textarea[1] += data


def form_fields(page: str, form_id: str | None = None) -> dict[str, str | list[str]]:
    """The fields a browser would submit from a form: the one whose id or action is
    ``form_id``, or the first."""
    reader = _FormReader(form_id)
    reader.feed(page)
    fields: dict[str, str | list[str]] = {}
    for name, value in reader.fields:
        if name in fields:
            previous = fields[name]
            fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[name] = value
    return fields


def log_in(client, app, name: str = "editor", role: str = "admin") -> None:
    """Create a staff account ``name`` and log ``client`` in with it."""
    make_user(app, name, role)
    page = client.get("/auth/login").get_data(as_text=True)
    response = client.post(
        "/auth/login",
        data={"csrf_token": hidden(page, "csrf_token"), "name": name, "password": PASSWORD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def edit_page(client, question_id: int) -> tuple[str, dict]:
    """The edit form of question ``question_id`` and its fields."""
    response = client.get(f"/admin/questions/{question_id}/edit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page, form_fields(page, "editor")


def post_editor(client, url: str, fields: dict, action: str = "save"):
    """Submit the editor form with the button ``action``."""
    return client.post(url, data={**fields, "action": action})
