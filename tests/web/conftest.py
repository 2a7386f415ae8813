"""Fixtures of the web tests."""

from __future__ import annotations

import pytest

from tests.conftest import QUESTIONS
from tests.web.classroom_client import Teacher


@pytest.fixture
def teacher(app, runner):
    """A logged-in teacher, with the starter bank imported (the others are not needed)."""
    result = runner.invoke(args=["quiz", "import", str(QUESTIONS / "starter.yaml")])
    assert result.exit_code == 0, result.output
    return Teacher.quick(app)
