"""What the load generator reads from pages: forms, live-page attributes, flashes."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    hidden: dict[str, str] = field(default_factory=dict)
    #: name → the values of its radio buttons and checkboxes, in page order.
    options: dict[str, list[str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(Form(attributes.get("action") or ""))
        elif tag == "input" and self.forms:
            kind, name = attributes.get("type", "text"), attributes.get("name")
            if not name:
                return
            if kind == "hidden":
                self.forms[-1].hidden[name] = attributes.get("value") or ""
            elif kind in ("radio", "checkbox"):
                self.forms[-1].options.setdefault(name, []).append(attributes.get("value") or "")
        elif tag == "button" and self.forms and attributes.get("name"):
            # A one-tap answer tile: a submit button carrying the answer.
            name = attributes["name"]
            self.forms[-1].options.setdefault(name, []).append(attributes.get("value") or "")


def forms(page: str) -> list[Form]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def form_to(page: str, action_part: str) -> Form | None:
    """The first form whose action contains ``action_part``."""
    return next((f for f in forms(page) if action_part in f.action), None)


def csrf_token(page: str) -> str:
    """The page's CSRF token (every form of a page carries the same one)."""
    return next(f.hidden["csrf_token"] for f in forms(page) if "csrf_token" in f.hidden)


def attribute(page: str, name: str) -> str | None:
    """The value of the first ``name="…"`` attribute in ``page``."""
    match = re.search(rf'\b{name}="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


def flash_kinds(page: str) -> list[str]:
    """The kinds of the flashed messages on ``page``: status, info, error."""
    return re.findall(r'<p class="flash flash-(\w+)"', page)


def join_code(page: str) -> str:
    """The six-digit code on the projector view's lobby (shown as "123 456")."""
    return re.search(r'class="join-code"[^>]*>([\d ]+)<', page).group(1).replace(" ", "")
