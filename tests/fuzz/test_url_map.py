"""Every route of the URL map, with every method it accepts, from every role, fuzzed.

The routes are read from the application itself, so a new route is fuzzed
without a change here; one whose URL arguments the fuzzer has no generator
for fails. Each test starts from the prepared database (see
:mod:`tests.fuzz.world`) and sends generated requests
(:mod:`tests.fuzz.generate`): ``QUIZ_FUZZ_EXAMPLES`` where the role gets
past the role check, twice that to a form, a fifth where it is turned
away. Every answer must pass the oracle of :mod:`tests.fuzz.probe`.
"""

from __future__ import annotations

import tempfile
import zlib

import pytest
from hypothesis import given, seed, settings

from quizapp import create_app
from tests.fuzz.conftest import EXAMPLES, PROFILE, SEED
from tests.fuzz.generate import missing_generators, probes
from tests.fuzz.probe import check
from tests.fuzz.world import ROLES


def _routes() -> list[tuple[str, str]]:
    """``(rule, method)`` for every route (HEAD comes with GET; OPTIONS is werkzeug's),
    from an application built for the purpose: the tests are parametrized before
    any fixture exists."""
    with tempfile.TemporaryDirectory(prefix="quizapp-fuzz-") as folder:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/routes.sqlite3"},
            instance_path=folder,
        )
        return sorted(
            (rule.rule, method)
            for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}
        )


ROUTES = _routes()
CASES = [(rule, method, role) for rule, method in ROUTES for role in ROLES]


def test_every_route_is_fuzzed(world):
    """The app's routes are the ones collected here, each with a generator per argument."""
    rules = {(rule.rule, m) for rule in world.app.url_map.iter_rules() for m in rule.methods}
    assert set(ROUTES) <= rules
    without = {
        rule.rule: missing_generators(rule)
        for rule in world.app.url_map.iter_rules()
        if missing_generators(rule)
    }
    assert not without, (
        f"no generator for these URL arguments (see tests/fuzz/inputs.py): {without}"
    )


@pytest.mark.parametrize(("rule", "method", "role"), CASES, ids=[" ".join(c) for c in CASES])
def test_no_input_breaks_a_route(world, rule, method, role):
    route = next(
        r for r in world.app.url_map.iter_rules() if r.rule == rule and method in r.methods
    )
    missing = missing_generators(route)
    if missing:
        pytest.fail(f"{rule}: no generator for {missing} (see tests/fuzz/inputs.py)")
    world.start_over()

    if (route.endpoint, method, role) not in world.reachable:
        examples = max(2, EXAMPLES // 5)
    else:
        examples = EXAMPLES * 2 if method == "POST" else EXAMPLES

    @settings(settings.get_profile(PROFILE), max_examples=examples)
    @seed(zlib.crc32(f"{rule} {method} {role}".encode()) + SEED)
    @given(probe=probes(world, route, method, role))
    def fuzz(probe):
        check(world, probe)

    fuzz()
