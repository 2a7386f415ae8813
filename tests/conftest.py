"""Fixtures shared by the whole suite.

Every test gets a fresh database: a new SQLite file, or, when
QUIZ_TEST_DATABASE_URL is set (``python3 tasks.py test-postgres``), the
PostgreSQL test database emptied and recreated.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from sqlalchemy import inspect, text

from quizapp import create_app
from quizapp.domain.banks import check_files
from quizapp.domain.sources import load_catalog
from quizapp.extensions import db
from tests.markup import check_responses

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUESTIONS = ROOT / "questions"
TEST_DATABASE_URL = os.environ.get("QUIZ_TEST_DATABASE_URL")


def pytest_sessionstart(session):
    """On the PostgreSQL leg, refuse to run on SQLite by mistake."""
    if os.environ.get("QUIZ_REQUIRE_POSTGRES") == "1" and not TEST_DATABASE_URL:
        raise pytest.UsageError("QUIZ_REQUIRE_POSTGRES=1 but QUIZ_TEST_DATABASE_URL is not set")


@pytest.fixture(scope="session")
def catalog():
    """The shipped source catalogue (read once)."""
    loaded, problems = load_catalog(SEEDS, 1024 * 1024)
    assert problems == []
    return loaded


@pytest.fixture(scope="session")
def shipped(catalog):
    """The shipped banks in ``questions/``, checked (read once)."""
    result = check_files([QUESTIONS], catalog)
    assert result.problems == []
    return result


def shipped_bank_size(slug: str) -> int:
    """How many questions the shipped bank file ``slug`` lists (read without checking it)."""
    return len(
        yaml.safe_load((QUESTIONS / f"{slug}.yaml").read_text(encoding="utf-8"))["questions"]
    )


def bank_size(result, slug: str) -> int:
    """How many questions the checked bank ``slug`` holds."""
    return len(next(bank for bank in result.banks if bank.slug == slug).questions)


def database_url(tmp_path: Path) -> str:
    """The database for one test."""
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app_factory(tmp_path):
    """Build applications on a database URL; their connections are closed afterwards."""
    built = []

    def build(url: str, **overrides):
        settings = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "QUIZ_QUESTIONS_DIR": QUESTIONS,
            "QUIZ_SEEDS_DIR": SEEDS,
            # Most tests log in and join many times; tests/web/test_throttle.py
            # turns throttling on.
            "QUIZ_THROTTLE": False,
            **overrides,
        }
        application = create_app(settings, instance_path=str(tmp_path / "instance"))
        check_responses(application)  # every page the suite is served: tests/markup.py
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


def end_other_connections() -> None:
    """End every other connection to the PostgreSQL test database.

    A live server's request thread may still be finishing a browser's last
    poll when its test ends. Its open transaction would make the next
    test's DROP TABLE wait, or lose a deadlock against it.
    """
    db.session.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )
    db.session.commit()


@pytest.fixture
def app(app_factory, tmp_path):
    """An application with empty tables."""
    application = app_factory(database_url(tmp_path))
    with application.app_context():
        if TEST_DATABASE_URL:
            end_other_connections()
            empty_postgres_tables()
        else:
            db.drop_all()
            db.create_all()
    return application


def empty_postgres_tables() -> None:
    """Empty the PostgreSQL test database's tables for the next test.

    When the tables are exactly the models' (the usual case), one TRUNCATE
    empties them and restarts their ids: a sixth of the time of dropping
    and creating them, which two thousand tests paid on this leg. Any other
    set of tables (a test that migrated the database, or the first test)
    is dropped and created afresh.
    """
    wanted = set(db.metadata.tables)
    if set(inspect(db.engine).get_table_names()) == wanted:
        names = ", ".join(f'"{name}"' for name in sorted(wanted))
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()
        return
    db.drop_all()
    db.session.execute(text('DROP TABLE IF EXISTS "alembic_version"'))
    db.session.commit()
    db.create_all()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for ``flask`` commands."""
    return app.test_cli_runner()


class ImportedSnapshot:
    """The database right after ``flask quiz import`` of the shipped banks, kept
    from the first test that imports them and put back for each later one.

    Importing the nine banks costs about a second on SQLite and more on
    PostgreSQL, and nearly two hundred tests start from it; putting back
    the same rows costs a file copy on SQLite and one bulk insert on
    PostgreSQL. The first test of the run still imports for real.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.rows: dict | None = None  # PostgreSQL: every table's rows
        self.file: Path | None = None  # SQLite: a copy of the database file

    def take(self, app) -> None:
        from tests.databases import table_rows  # it imports this module

        url = app.config["SQLALCHEMY_DATABASE_URI"]
        _close_connections(app)
        if TEST_DATABASE_URL:
            self.rows = table_rows(url)
        else:
            self.file = self.folder / "imported.sqlite3"
            shutil.copyfile(_sqlite_path(url), self.file)

    @property
    def taken(self) -> bool:
        return self.rows is not None or self.file is not None

    def restore(self, app) -> None:
        from tests.databases import insert_rows  # it imports this module

        url = app.config["SQLALCHEMY_DATABASE_URI"]
        _close_connections(app)
        if TEST_DATABASE_URL:
            insert_rows(url, self.rows)
        else:
            path = _sqlite_path(url)
            for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                extra.unlink(missing_ok=True)
            shutil.copyfile(self.file, path)


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _close_connections(app) -> None:
    """Let go of every connection (SQLite then folds its write-ahead log into the file)."""
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def imported_snapshot(tmp_path_factory) -> ImportedSnapshot:
    return ImportedSnapshot(tmp_path_factory.mktemp("imported"))


@pytest.fixture
def imported(app, runner, imported_snapshot):
    """The application with the shipped banks imported."""
    if imported_snapshot.taken:
        imported_snapshot.restore(app)
        return app
    result = runner.invoke(args=["quiz", "import"])
    assert result.exit_code == 0, result.output
    imported_snapshot.take(app)
    return app


def make_question(**overrides) -> dict:
    """A valid single-choice question citing the Global Times report."""
    question = {
        "id": "q1",
        "type": "single",
        "difficulty": 1,
        "tags": ["sora-limits"],
        "prompt": {"zh": "饼干怎么了?", "en": "What happened to the cookie?"},
        "choices": [
            {"id": "a", "text": {"zh": "没有咬痕", "en": "No bite mark"}},
            {
                "id": "b",
                "text": {"zh": "变成了蛋糕", "en": "It became a cake"},
                "feedback": {"zh": "文中没有这种说法。", "en": "The article says no such thing."},
            },
        ],
        "answer": "a",
        "explanation": {"zh": "OpenAI 承认的局限。", "en": "A limit OpenAI admits."},
        "source": {
            "doc": "huanqiu-2024-02",
            "exact": "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。",
        },
    }
    question.update(overrides)
    return question


def make_bank(slug: str = "test-bank", questions: list[dict] | None = None, **overrides) -> dict:
    """A valid bank document."""
    bank = {
        "bank": slug,
        "title": {"zh": "测试题库", "en": "Test bank"},
        "description": {"zh": "用于测试。", "en": "For tests."},
        "questions": questions if questions is not None else [make_question()],
    }
    bank.update(overrides)
    return bank


def dump(document: dict) -> str:
    """YAML text for a bank document."""
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@pytest.fixture
def bank_dir(tmp_path):
    """An empty folder for bank files."""
    folder = tmp_path / "banks"
    folder.mkdir()
    return folder


@pytest.fixture
def write_bank(bank_dir):
    """Write a bank file (text, bytes or a document) into ``bank_dir``; return its path."""

    def write(content, name: str = "bank.yaml") -> Path:
        path = bank_dir / name
        if isinstance(content, dict):
            content = dump(content)
        if isinstance(content, str):
            content = textwrap.dedent(content).encode("utf-8")
        path.write_bytes(content)
        return path

    return write


@pytest.fixture
def folder_app(app_factory, tmp_path):
    """An application whose questions folder is the test's own, holding ``test-bank``
    (two questions) and the shipped folder's shared files, imported; returns
    ``(app, folder)``. For tests that write bank files back."""
    folder = tmp_path / "questions"
    folder.mkdir()
    for shared in QUESTIONS.glob("_*.yaml"):  # the tag vocabulary
        shutil.copy(shared, folder / shared.name)
    bank = make_bank(questions=[make_question(), make_question(id="q2")])
    (folder / "test-bank.yaml").write_text(dump(bank), "utf-8")
    application = app_factory(database_url(tmp_path), QUIZ_QUESTIONS_DIR=folder)
    with application.app_context():
        if TEST_DATABASE_URL:
            end_other_connections()
        db.drop_all()
        db.create_all()
    result = application.test_cli_runner().invoke(args=["quiz", "import"])
    assert result.exit_code == 0, result.output
    return application, folder
