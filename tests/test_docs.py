"""The documentation site builds, every link to a page or heading resolved.

Sphinx with the MyST parser, warnings as errors (as ``python3 tasks.py docs``
builds it): a link to a page that is not there, or to a heading a page does
not have, fails. Links to other sites are not followed (CI has no network).
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import ROOT

DOCS = ROOT / "docs"


def build(source, target) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", source, target],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_docs_build_with_every_link_and_anchor_resolved(tmp_path):
    result = build(DOCS, tmp_path / "html")
    assert result.returncode == 0, result.stderr
    for page in (
        "index",
        "teacher-guide",
        "learner-guide",
        "authoring",
        "operations",
        "development",
    ):
        assert (tmp_path / "html" / f"{page}.html").is_file(), page


def test_a_link_to_a_heading_that_is_not_there_fails_the_build(tmp_path):
    """The check above can fail: the same pages with one broken anchor do not build."""
    copy = tmp_path / "docs"
    shutil.copytree(DOCS, copy, ignore=shutil.ignore_patterns("_build"))
    page = copy / "learner-guide.md"
    page.write_text(
        page.read_text("utf-8") + "\nSee [nowhere](operations.md#no-such-heading).\n", "utf-8"
    )
    result = build(copy, tmp_path / "html")
    assert result.returncode != 0
    assert "no-such-heading" in result.stderr
