"""The fuzz suite's prepared database, and its Hypothesis settings.

``QUIZ_FUZZ_EXAMPLES`` (default 10) is the number of generated requests per
route, method and role that gets past the role check (twice that for a
form, a fifth where the role is turned away): about a minute per database
in CI. Run
longer locally, e.g. ``QUIZ_FUZZ_EXAMPLES=300``; ``QUIZ_FUZZ_SEED`` picks
other requests than CI's, ``QUIZ_FUZZ_SHRINK=1`` looks for the smallest
failing request (slower).
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, Phase, settings

from quizapp import create_app
from quizapp.extensions import db
from tests.conftest import QUESTIONS, SEEDS, TEST_DATABASE_URL, end_other_connections
from tests.fuzz.world import World, prepare

PROFILE = "quizapp-fuzz"
EXAMPLES = int(os.environ.get("QUIZ_FUZZ_EXAMPLES") or 10)
SEED = int(os.environ.get("QUIZ_FUZZ_SEED") or 0)

settings.register_profile(
    PROFILE,
    max_examples=EXAMPLES,
    # The same requests on every run (with the seed each test derives from its id).
    database=None,
    deadline=None,  # the oracle has its own limit (QUIZ_FUZZ_SLOW_S)
    phases=(Phase.explicit, Phase.generate)
    + ((Phase.shrink,) if os.environ.get("QUIZ_FUZZ_SHRINK") == "1" else ()),
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@pytest.fixture(scope="package")
def world(tmp_path_factory) -> World:
    """The prepared database (see :mod:`tests.fuzz.world`), once for the package.

    Its questions folder is a copy: the fuzzer's admin may write bank files back.
    """
    folder = tmp_path_factory.mktemp("fuzz")
    questions = folder / "questions"
    shutil.copytree(QUESTIONS, questions)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{folder / 'fuzz.sqlite3'}",
            "QUIZ_QUESTIONS_DIR": questions,
            "QUIZ_SEEDS_DIR": SEEDS,
            # Polls are answered at once: a held poll would wait 20 s for news.
            "QUIZ_HELD_POLLS": 0,
            # A throttled request (429) is one more answer to check.
            "QUIZ_THROTTLE": True,
        },
        instance_path=str(folder / "instance"),
    )
    with app.app_context():
        if TEST_DATABASE_URL:
            end_other_connections()
        db.drop_all()
        db.create_all()
    yield prepare(app)
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
