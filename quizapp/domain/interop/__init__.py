"""Exchange formats: the banks in the formats LMSs and quiz tools speak.

Each format is a module with a ``write`` (a bank out, for ``flask quiz
export --format`` and the editor's downloads) and, where teachers bring
questions in with it, a ``read`` (a file in, as draft questions). The
shared model, and how a bank's content becomes a format's text, is in
:mod:`quizapp.domain.interop.common`; :data:`FORMATS` lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quizapp.domain.interop import aiken, csv_bank, gift, kahoot, moodle_xml, qti21
from quizapp.domain.interop.common import Exported, Incoming, OutgoingBank


@dataclass(frozen=True)
class Format:
    """An exchange format: its name on the command line and in addresses,
    its name for people, and what it can do."""

    name: str
    label: str
    write: Callable[[OutgoingBank], Exported] | None
    read: Callable[[bytes, str], Incoming] | None
    #: File name endings that say a file is in this format, longest first.
    suffixes: tuple[str, ...]


FORMATS = {
    fmt.name: fmt
    for fmt in (
        Format("gift", "GIFT (Moodle)", gift.write, gift.read, (".gift.txt", ".gift")),
        Format("moodle-xml", "Moodle XML", moodle_xml.write, moodle_xml.read, (".xml",)),
        Format("qti21", "IMS QTI 2.1", qti21.write, None, (".zip",)),
        Format("aiken", "Aiken (Moodle)", aiken.write, aiken.read, (".aiken.txt", ".aiken")),
        Format("csv", "CSV (spreadsheet)", csv_bank.write, csv_bank.read, (".csv",)),
        Format("kahoot", "Kahoot! spreadsheet", None, kahoot.read, (".xlsx",)),
    )
}
#: The formats a bank can be written in, and those a file can be read from.
WRITERS = tuple(name for name, fmt in FORMATS.items() if fmt.write)
READERS = tuple(name for name, fmt in FORMATS.items() if fmt.read)


def detect(filename: str, data: bytes) -> Format | None:
    """The readable format a file is in, by its name, else by a look at its
    first bytes (a ``.txt`` is GIFT or Aiken); None when it cannot be told."""
    lowered = filename.lower()
    for name in READERS:
        if any(lowered.endswith(suffix) for suffix in FORMATS[name].suffixes):
            return FORMATS[name]
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"PK"):
        return FORMATS["kahoot"]
    if head.startswith(b"<"):
        return FORMATS["moodle-xml"]
    if lowered.endswith(".txt"):
        # GIFT puts every answer in braces; Aiken ends each question with ANSWER:.
        if b"{" in head:
            return FORMATS["gift"]
        if b"ANSWER:" in head.upper():
            return FORMATS["aiken"]
    return None
