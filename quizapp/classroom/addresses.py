"""The address students' phones use to join, and a warning when it cannot work.

A teacher who opened the app as ``http://127.0.0.1:5000`` would put that
address in the QR code, and no phone can reach it. So the projector warns
when the join address is a loopback one and offers this machine's LAN
addresses instead (``?via=<address>``, checked against the list, so that a
link cannot put a stranger's host in a QR code). ``QUIZ_PUBLIC_URL`` sets
the address once for a server behind a proxy or a name.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, request, url_for


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(
        ".localhost"
    ):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: How long the machine's addresses are kept: the presenter and the console
#: ask on every refresh, and the host name's lookup can take 50 ms.
ADDRESSES_KEPT_S = 60.0
_kept: tuple[float, list[str]] = (0.0, [])


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that other devices on its network may
    reach, looked up at most once a minute (a laptop may change networks)."""
    global _kept
    now = time.monotonic()
    if now - _kept[0] > ADDRESSES_KEPT_S:
        _kept = (now, _look_up_addresses())
    return list(_kept[1])


def _look_up_addresses() -> list[str]:
    """From the host name's addresses and the address the default route would
    use (a UDP "connect" sends nothing); loopback and link-local left out."""
    found: list[str] = []
    candidates: list[str] = []
    with contextlib.suppress(OSError):
        candidates += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
    for probe in ("10.255.255.255", "192.0.2.1"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                candidates.append(udp.getsockname()[0])
        except OSError:
            continue
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        usable = address.version == 4 and not (
            address.is_loopback or address.is_link_local or address.is_unspecified
        )
        if usable and candidate not in found:
            found.append(candidate)
    return found


@dataclass(frozen=True)
class JoinAddress:
    """Where phones join: the full link (for the QR code), the short form for
    the screen, and whether it can only work on this machine."""

    url: str
    short: str
    loopback: bool
    #: LAN addresses to offer instead, when ``loopback``.
    alternatives: tuple[str, ...] = ()
    via: str = ""


def join_address(code: str) -> JoinAddress:
    """The join address of a session with join ``code``, as this request sees it."""
    path = url_for("play.join", code=code)
    configured = current_app.config.get("QUIZ_PUBLIC_URL") or ""
    chosen = ""
    if configured:
        base = configured
    else:
        base = request.host_url.rstrip("/")
        via = request.args.get("via", "")
        port = urlsplit(base).port
        if via and via in lan_addresses():
            chosen = via
            host = f"{via}:{port}" if port else via
            base = f"{urlsplit(base).scheme}://{host}"
    parts = urlsplit(base)
    loopback = _is_loopback(parts.hostname or "")
    alternatives = tuple(lan_addresses()) if loopback else ()
    short = f"{parts.netloc}{url_for('play.enter')}".rstrip("/")
    return JoinAddress(
        url=base + path,
        short=short,
        loopback=loopback,
        alternatives=alternatives,
        via=chosen,
    )
