"""Browsers that talk real HTTP to a running server, with the standard library only.

Each :class:`Browser` is one device: its own cookie jar, its own language.
Redirects are not followed on their own, so a test sees every ``302`` and
follows it with :meth:`Browser.follow`. Every request carries a unique tag
in the ``X-Quiz-Request`` header; the server's access log writes it next to
the worker's pid, which tells which worker answered which request.
"""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from tests.web.study_client import hidden

TAG_HEADER = "X-Quiz-Request"
TIMEOUT_S = 30


@dataclass
class Reply:
    """One response, read in full."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    text: str
    tag: str
    flashes: list[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        """Where a redirect points (path only)."""
        return urllib.parse.urlsplit(self.headers["location"]).path


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hand ``3xx`` responses back instead of following them."""

    def redirect_request(self, *args, **kwargs):
        return None


class _FromAddress(urllib.request.HTTPHandler):
    """Connect from a given local address (another device: 127.0.0.2, …)."""

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        connect = functools.partial(http.client.HTTPConnection, source_address=(self.address, 0))
        return self.do_open(connect, req)


class Browser:
    """One device talking to ``base`` (``http://host:port``), from the local
    address ``source`` if given (any 127.x.y.z is this machine too)."""

    def __init__(self, base: str, language: str = "en", cookies=(), source: str | None = None):
        self.base = base
        self.language = language
        self.source = source
        self.jar = http.cookiejar.CookieJar()
        for cookie in cookies:
            self.jar.set_cookie(cookie)
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), _KeepRedirects()]
        if source:
            handlers.append(_FromAddress(source))
        self.opener = urllib.request.build_opener(*handlers)

    def cookies(self) -> list[http.cookiejar.Cookie]:
        """What this browser keeps (to build the same device again after it drops)."""
        return list(self.jar)

    def twin(self) -> Browser:
        """A second tab of this browser: the same cookies, from now on its own."""
        return Browser(self.base, self.language, self.cookies(), self.source)

    def request(
        self, method: str, path: str, data: dict | None = None, headers=None, timeout=TIMEOUT_S
    ) -> Reply:
        """Send one request; any status comes back as a :class:`Reply`."""
        tag = uuid.uuid4().hex
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=body,
            method=method,
            headers={"Accept-Language": self.language, TAG_HEADER: tag, **(headers or {})},
        )
        try:
            response = self.opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:  # 3xx, 4xx, 5xx
            with error:
                return _reply(method, path, error.code, error.headers, error.read(), tag)
        with response:
            return _reply(method, path, response.status, response.headers, response.read(), tag)

    def get(self, path: str, headers=None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict) -> Reply:
        return self.request("POST", path, data)

    def follow(self, reply: Reply) -> Reply:
        """GET where the redirect ``reply`` points."""
        assert reply.status in (302, 303), (reply.status, reply.path, reply.text[:500])
        return self.get(reply.location)

    def submit(self, path: str, fields: dict) -> Reply:
        """POST a form and follow its redirect (Post/Redirect/Get), like a browser."""
        return self.follow(self.post(path, fields))


def _reply(method, path, status, headers, raw: bytes, tag: str) -> Reply:
    text = raw.decode("utf-8")
    flashes = re.findall(r'<p class="flash flash-\w+" role="\w+">([^<]*)</p>', text)
    return Reply(
        method, path, status, {k.lower(): v for k, v in headers.items()}, text, tag, flashes
    )


def fields(page: str, *names: str) -> dict[str, str]:
    """The values of the hidden inputs ``names`` in ``page``."""
    return {name: hidden(page, name) for name in names}
