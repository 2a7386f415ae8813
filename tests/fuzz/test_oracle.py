"""The fuzz suite's own checks: its roles are who they say, and its oracle sees faults.

A fuzzer whose teacher is not logged in, or whose oracle misses a 500,
passes whatever the app does; these tests fail then.
"""

from __future__ import annotations

import pytest
from flask import abort, redirect
from sqlalchemy import update

from quizapp.extensions import db
from quizapp.models import Bank
from tests.fuzz import probe
from tests.fuzz.probe import Probe, exercise


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("anonymous", "/classroom/", 302),
        ("student", "/study/{attempt}/1", 200),
        ("student", "/play/s/{session_open}", 200),
        ("teacher", "/classroom/{session_open}", 200),
        ("teacher", "/admin/upload", 403),
        ("admin", "/admin/upload", 200),
    ],
)
def test_each_role_is_who_it_says(world, role, url, status):
    world.start_over()
    response = world.client(role).get(url.format_map(world.named))
    assert response.status_code == status


def test_forms_were_found_for_the_routes_that_matter(world):
    for endpoint in ("play.answer", "classroom.control", "admin.edit_question", "auth.login"):
        assert world.forms[endpoint], endpoint
    assert ("play.answer", "POST", "student") in world.reachable
    assert ("admin.edit_question", "POST", "admin") in world.reachable
    assert ("admin.edit_question", "POST", "teacher") not in world.reachable


def _fails():
    raise ValueError("a fault")


def _leaves():
    return redirect("/\t/evil.com")


def _changes_then_refuses():
    db.session.execute(update(Bank).values(status="retired"))
    db.session.commit()
    abort(403)


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (_fails, "unhandled exception"),
        (lambda: ("Traceback (most recent call last):", 200), "traceback text"),
        (lambda: ("", 503), "answered 503"),
        (_leaves, "redirects off the site"),
        (_changes_then_refuses, "refused with 403 but changed tables ['bank']"),
    ],
)
def test_the_oracle_sees_each_kind_of_fault(world, monkeypatch, view, expected):
    world.start_over()
    monkeypatch.setitem(world.app.view_functions, "main.home", view)
    found = exercise(world, Probe("anonymous", "GET", "/"))
    assert any(expected in problem for problem in found), found
    monkeypatch.undo()
    world.start_over()
    assert exercise(world, Probe("anonymous", "GET", "/")) == []


def test_the_oracle_sees_a_slow_answer(world, monkeypatch):
    monkeypatch.setattr(probe, "SLOW_S", 0.0)
    found = exercise(world, Probe("anonymous", "GET", "/"))
    assert any("took" in problem for problem in found), found
