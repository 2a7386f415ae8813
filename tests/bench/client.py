"""A small HTTP/1.1 client on asyncio streams: one :class:`Device` per browser.

A thousand phones polling once a second is a thousand requests a second
from the load generator, on the same two cores as the server. A thread per
phone (urllib) would spend more time switching than sending; one event loop
with a connection per device costs little. Each device keeps its cookies
and its connection (browsers do), asks for gzip (browsers do) and reads
whole responses. Redirects are not followed on their own: the scenario
follows them, as a browser would, and sees each step.
"""

from __future__ import annotations

import asyncio
import gzip
import time
import urllib.parse
from dataclasses import dataclass

TIMEOUT_S = 60


class Unanswered(ConnectionError):
    """The connection failed before any byte of a response came back."""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def location(self) -> str:
        """Where a redirect points (path and query)."""
        parts = urllib.parse.urlsplit(self.headers["location"])
        return parts.path + (f"?{parts.query}" if parts.query else "")


class Device:
    """One browser: its cookies, its language and one keep-alive connection."""

    def __init__(self, host: str, port: int, language: str = "en", source: str | None = None):
        self.host, self.port = host, port
        self.language = language
        #: The local address to connect from (another 127.0.0.x is another
        #: client address to the server, so to its rate limits).
        self.source = source
        self.cookies: dict[str, str] = {}
        # Idle kept-alive connections; a request while another is under way
        # opens one more, as a browser does (a poll during an answer).
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    def twin(self) -> Device:
        """A second tab: the same cookies, its own connection."""
        other = Device(self.host, self.port, self.language, self.source)
        other.cookies = dict(self.cookies)
        return other

    async def get(self, path: str, headers: dict | None = None) -> Reply:
        return await self.request("GET", path, headers=headers)

    async def post(self, path: str, form: dict) -> Reply:
        return await self.request("POST", path, form=form)

    async def request(self, method, path, form=None, headers=None) -> Reply:
        body = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Accept-Encoding: gzip",
            f"Accept-Language: {self.language}",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        message = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        started = time.perf_counter()
        reused = bool(self._idle)
        try:
            reply = await asyncio.wait_for(self._exchange(message), TIMEOUT_S)
        except Unanswered:
            if not reused:
                raise
            # A kept-alive connection the server had just closed: like a
            # browser, send once more on a new one (nothing was received).
            reply = await asyncio.wait_for(self._exchange(message, fresh=True), TIMEOUT_S)
        reply.seconds = time.perf_counter() - started
        return reply

    async def _exchange(self, message: bytes, fresh: bool = False) -> Reply:
        if self._idle and not fresh:
            reader, writer = self._idle.pop()
        else:
            local = (self.source, 0) if self.source else None
            reader, writer = await asyncio.open_connection(self.host, self.port, local_addr=local)
        try:
            try:
                writer.write(message)
                await writer.drain()
                status_line = await reader.readuntil(b"\r\n")
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                raise Unanswered(repr(error)) from error
            reply = await self._read_rest(reader, int(status_line.split()[1]))
        except BaseException:
            writer.close()
            raise
        if reply.headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            self._idle.append((reader, writer))
        return reply

    async def _read_rest(self, reader: asyncio.StreamReader, status: int) -> Reply:
        headers: dict[str, str] = {}
        while True:
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._keep_cookie(value)
            headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await _read_chunked(reader)
        else:
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return Reply(status, headers, body, 0.0)

    def _keep_cookie(self, value: str) -> None:
        pair, *attributes = value.split(";")
        name, _, content = pair.strip().partition("=")
        expired = any(
            a.strip().lower() in ("max-age=0", "expires=thu, 01 jan 1970 00:00:00 gmt")
            for a in attributes
        )
        if expired:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = content


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
