"""Migrations build the schema from nothing, match the models, carry a populated
database up from every revision, and downgrade only without losing data."""

from __future__ import annotations

import re

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Question
from tests.conftest import QUESTIONS, ROOT, SEEDS, TEST_DATABASE_URL
from tests.databases import connected, insert_rows, new_database, populate, table_rows

SCRIPTS = ScriptDirectory(str(ROOT / "migrations"))
#: Every revision, oldest first.
CHAIN = [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]
#: Downgrades that proceed on a populated database, losing only tokens that
#: last minutes (a whole table: column None). Every other downgrade refuses.
TRANSIENT = {
    "5b0c2e9a7f13": {("attempt", "request_token")},
    "e6aa0626cf4f": {("user", "session_token"), ("rate_limit_counter", None)},
}
EDITOR = "0c06edb87178"  # live versions, authors, bank status, the audit log
CLASSES = "6193fb48b45f"  # classes, members, their links, assignments
LIVE = "d17700d838d9"  # per-question times, moderation, re-marks, housekeeping
REVIEWS = "4bcc46c47611"  # review cards, rebuilt from the answers
#: Downgrades that lose only what the upgrade rebuilds from the rows kept.
DERIVED = {REVIEWS}


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database of the kind the suite runs on."""
    with new_database(tmp_path, "migrations") as url:
        yield url


@pytest.fixture(scope="module")
def head_rows(tmp_path_factory, catalog):
    """Every table's rows in a database at the newest revision holding every kind of
    row (made once): what the tests below copy into databases at older revisions."""
    folder = tmp_path_factory.mktemp("head")
    with new_database(folder, "head") as url:
        settings = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "QUIZ_QUESTIONS_DIR": QUESTIONS,
            "QUIZ_SEEDS_DIR": SEEDS,
        }
        app = create_app(settings, instance_path=str(folder / "instance"))
        assert migrate(app, "upgrade").exit_code == 0
        populate(app, catalog)
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        return table_rows(url)


def migrate(app, *args):
    """``flask db ARGS``."""
    return app.test_cli_runner().invoke(args=["db", *args])


def at_revision(app_factory, url: str, revision: str, rows: dict | None = None):
    """An app on ``url``, its schema brought to ``revision``, holding ``rows`` (as far as
    that schema can)."""
    app = app_factory(url)
    result = migrate(app, "upgrade", revision)
    assert result.exit_code == 0, result.output
    if rows:
        insert_rows(url, rows)
    return app


def before(revision: str) -> str:
    """The revision a one-step downgrade from ``revision`` goes to."""
    return SCRIPTS.get_revision(revision).down_revision or "base"


def test_upgrade_from_empty_matches_the_models_and_downgrades(empty_database_url, app_factory):
    app = app_factory(empty_database_url)
    runner = app.test_cli_runner()
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    downgrade = runner.invoke(args=["db", "downgrade", "base"])
    assert downgrade.exit_code == 0, downgrade.output
    engine = create_engine(empty_database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_migrating_in_the_apps_process_keeps_its_log(empty_database_url, app_factory):
    """Alembic's logging set-up must not silence loggers made before it (the app's)."""
    application = app_factory(empty_database_url)
    application.logger.info("made before the migration")
    result = application.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert not application.logger.disabled
    result = application.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output


def test_upgrading_a_populated_database_keeps_browser_edits_out_of_reach_of_start_up(
    empty_database_url, app_factory, head_rows
):
    """The sync base filled by the migration: the last version imported from the files."""
    edited = next(q for q in head_rows["question"] if q["key"] == "cookie-bite")
    app = at_revision(app_factory, empty_database_url, EDITOR, head_rows)
    assert migrate(app, "upgrade").exit_code == 0
    runner = app.test_cli_runner()
    status = runner.invoke(args=["quiz", "status"])
    assert "changed in database: starter/cookie-bite" in status.output, status.output
    assert status.output.count("changed in database:") == 1
    startup = runner.invoke(args=["quiz", "import", "--startup"])
    assert "1 kept as edited in the database" in startup.output, startup.output
    with app.app_context():
        question = db.session.scalar(select(Question).filter_by(key="cookie-bite"))
        assert question.current_version_id == edited["current_version_id"]


class Token:
    """Equal to any random hex token of ``length`` characters."""

    def __init__(self, length: int):
        self.pattern = re.compile(f"[0-9a-f]{{{length}}}")

    def __eq__(self, other) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __repr__(self) -> str:
        return f"<token {self.pattern.pattern}>"


def filled(table: str, column: str, row: dict, after: dict, head: dict):
    """What upgrading puts into ``column``, new to the existing ``row`` of ``table``
    (``after``: every table's rows once upgraded; ``head``: the rows first copied)."""
    if (table, column) in {("attempt", "request_token"), ("question_version", "author_id")}:
        return None
    if table == "bank":
        return _bank_filled(column, row, after)
    if table == "question":
        versions = [v for v in after["question_version"] if v["question_id"] == row["id"]]
        if column == "live_version_id":
            published = [v["id"] for v in versions if v["status"] == "published"]
            return row["current_version_id"] if row["current_version_id"] in published else None
        if column == "synced_digest":
            imported = [v for v in versions if v["origin"] == "import"]
            return max(imported, key=lambda v: v["number"])["digest"] if imported else None
    if table == "question_version":
        original = next(v for v in head["question_version"] if v["id"] == row["id"])
        if column in ("search_text", "tag_text"):
            return original[column]  # built from the content as the app builds it
        if column == "bank_revision":
            return 1
    if (table, column) == ("user", "session_token"):
        return Token(32)
    # Live classroom 2.0: unlocked sessions, names shown, nobody banned, and
    # no time, activity, archive mark or ended code known for old rows.
    if (table, column) in {("class_session", "locked"), ("player", "banned")}:
        return False
    if (table, column) == ("player", "name_shown"):
        return True
    if (table, column) in {
        ("class_session", "ended_code"),
        ("class_session", "active_at"),
        ("class_session", "archived_at"),
        ("class_session_item", "time_limit"),
        ("player", "device"),
        # Tests like an exam: no time limit, draft or flag on existing rows.
        ("attempt", "deadline"),
        ("attempt_item", "draft"),
        ("attempt_item", "draft_confidence"),
        ("attempt_item", "draft_time_ms"),
        ("attempt_item", "draft_saved_at"),
    }:
        return None
    if (table, column) == ("attempt_item", "flagged"):
        return False
    raise AssertionError(f"no expectation for {table}.{column}: say what the upgrade fills in")


def _bank_filled(column: str, row: dict, after: dict):
    edited = {
        entry["bank_id"]
        for entry in after["audit_entry"]
        if entry["action"] in ("bank.edit", "bank.retire", "bank.reactivate")
    }
    synced = any(
        q["bank_id"] == row["id"] and q["synced_digest"] is not None for q in after["question"]
    )
    fields = {"title": row["title"], "description": row["description"], "status": row["status"]}
    return {
        "status": "active",
        "revision": 1,
        "uid": Token(16),
        "content_revision": 1,
        "synced_revision": 1 if synced else None,
        "synced_sha256": None,
        "synced_fields": None if row["id"] in edited or not synced else fields,
    }[column]


def created(table: str, after: dict, head: dict) -> list[dict]:
    """The rows an upgrade puts into ``table``, new to the database."""
    if table == "review_card":
        # Replayed from the answers: the cards the app made as they came
        # (none from a revision before answers were kept).
        assert head["review_card"], "no review card to rebuild"
        return head["review_card"] if after["answer"] else []
    if table == "bank_state":
        return [
            {
                "bank_id": bank["id"],
                "revision": 1,
                "fields": {k: bank[k] for k in ("title", "description", "status")},
            }
            for bank in after["bank"]
        ]
    return []


@pytest.mark.parametrize("revision", CHAIN[:-1])
def test_upgrading_a_populated_database_from_each_revision_keeps_every_row(
    revision, empty_database_url, app_factory, head_rows
):
    app = at_revision(app_factory, empty_database_url, revision, head_rows)
    old = table_rows(empty_database_url)
    assert all(old[table] for table in old if table != "alembic_version"), "a table left empty"
    result = migrate(app, "upgrade")
    assert result.exit_code == 0, result.output
    new = table_rows(empty_database_url)
    for table, rows in new.items():
        if table == "alembic_version":
            continue
        if table not in old:
            if table == "bank_state":
                rows = [{k: row[k] for k in ("bank_id", "revision", "fields")} for row in rows]
            assert rows == created(table, new, head_rows), table
            continue
        columns = old[table][0].keys()
        assert [{k: row[k] for k in columns} for row in rows] == old[table], table
        for column in rows[0].keys() - columns:
            for row in rows:
                assert row[column] == filled(table, column, row, new, head_rows), (table, column)


def without(rows: dict, transient: set) -> dict:
    """``rows`` less the ``transient`` (table, column) pairs (column None: the whole table)."""
    dropped = {table for table, column in transient if column is None}
    return {
        table: [{k: v for k, v in row.items() if (table, k) not in transient} for row in found]
        for table, found in rows.items()
        if table not in dropped and table != "alembic_version"
    }


@pytest.mark.parametrize("revision", [r for r in CHAIN if r not in TRANSIENT.keys() | DERIVED])
def test_a_downgrade_that_would_lose_data_refuses_and_changes_nothing(
    revision, empty_database_url, app_factory, head_rows
):
    app = at_revision(app_factory, empty_database_url, revision, head_rows)
    rows = table_rows(empty_database_url)
    refused = migrate(app, "downgrade", before(revision))
    assert refused.exit_code == 1
    assert f"not downgraded below revision {revision}" in refused.output
    assert "flask quiz restore" in refused.output
    assert table_rows(empty_database_url) == rows


@pytest.mark.parametrize("revision", sorted(TRANSIENT))
def test_a_downgrade_that_loses_only_transient_tokens_keeps_every_other_row(
    revision, empty_database_url, app_factory, head_rows
):
    app = at_revision(app_factory, empty_database_url, revision, head_rows)
    rows = table_rows(empty_database_url)
    down = migrate(app, "downgrade", before(revision))
    assert down.exit_code == 0, down.output
    assert migrate(app, "upgrade", revision).exit_code == 0
    again = table_rows(empty_database_url)
    assert without(again, TRANSIENT[revision]) == without(rows, TRANSIENT[revision])


def test_the_editor_revision_downgrades_a_database_holding_only_what_its_upgrade_filled(
    empty_database_url, app_factory, head_rows
):
    """No audit entry, author, retired bank or other live version yet: nothing to lose."""
    app = at_revision(app_factory, empty_database_url, before(EDITOR), head_rows)
    assert migrate(app, "upgrade", EDITOR).exit_code == 0
    rows = table_rows(empty_database_url)
    down = migrate(app, "downgrade", before(EDITOR))
    assert down.exit_code == 0, down.output
    assert migrate(app, "upgrade", EDITOR).exit_code == 0
    assert table_rows(empty_database_url) == rows


#: One thing each that the schema before the editor revision cannot keep (the
#: downgrade of a live copy lost them all: the audit log, version authors, a
#: retired bank came back, a live version was dropped).
EDITOR_ONLY = {
    "audit entry": "INSERT INTO audit_entry (created_at, action, detail)"
    " VALUES (CURRENT_TIMESTAMP, 'banks.import', '{}')",
    "version author": 'UPDATE question_version SET author_id = (SELECT min(id) FROM "user")'
    " WHERE id = (SELECT min(id) FROM question_version)",
    "retired bank": "UPDATE bank SET status = 'retired' WHERE id = (SELECT min(id) FROM bank)",
    "edited bank": "UPDATE bank SET revision = 2 WHERE id = (SELECT min(id) FROM bank)",
    "older live version": "UPDATE question SET live_version_id = (SELECT min(v.id)"
    " FROM question_version v WHERE v.question_id = question.id)"
    " WHERE id = (SELECT question_id FROM question_version GROUP BY question_id"
    " HAVING count(*) > 1 ORDER BY question_id LIMIT 1)",
}


@pytest.mark.parametrize("kept_by_the_editor_revision", sorted(EDITOR_ONLY))
def test_the_editor_revision_refuses_to_downgrade_a_database_holding_any_of_its_own_data(
    kept_by_the_editor_revision, empty_database_url, app_factory, head_rows
):
    app = at_revision(app_factory, empty_database_url, before(EDITOR), head_rows)
    assert migrate(app, "upgrade", EDITOR).exit_code == 0
    with connected(empty_database_url) as connection:
        changed = connection.execute(text(EDITOR_ONLY[kept_by_the_editor_revision]))
        assert changed.rowcount == 1
    rows = table_rows(empty_database_url)
    refused = migrate(app, "downgrade", before(EDITOR))
    assert refused.exit_code == 1
    assert "not downgraded below revision" in refused.output
    assert table_rows(empty_database_url) == rows


def test_the_classes_revision_downgrades_a_database_without_classes(
    empty_database_url, app_factory, head_rows
):
    """Sessions, players and attempts without a class: nothing the older schema cannot keep."""
    app = at_revision(app_factory, empty_database_url, before(CLASSES), head_rows)
    assert migrate(app, "upgrade", CLASSES).exit_code == 0
    rows = table_rows(empty_database_url)
    assert rows["school_class"] == [] and rows["player"] and rows["attempt"]
    down = migrate(app, "downgrade", before(CLASSES))
    assert down.exit_code == 0, down.output
    assert migrate(app, "upgrade", CLASSES).exit_code == 0
    assert table_rows(empty_database_url) == rows


def test_the_classes_revision_refuses_to_downgrade_a_database_holding_a_class(
    empty_database_url, app_factory, head_rows
):
    """Even a class without members or sessions: the teacher's class link would be lost."""
    app = at_revision(app_factory, empty_database_url, before(CLASSES), head_rows)
    assert migrate(app, "upgrade", CLASSES).exit_code == 0
    with connected(empty_database_url) as connection:
        connection.execute(
            text(
                "INSERT INTO school_class (public_id, join_token, teacher_id, name, created_at)"
                " VALUES (:public_id, 'ABCDEFGH', (SELECT min(id) FROM \"user\"), 'Class 7A',"
                " CURRENT_TIMESTAMP)"
            ),
            {"public_id": "c" * 32},
        )
    rows = table_rows(empty_database_url)
    refused = migrate(app, "downgrade", before(CLASSES))
    assert refused.exit_code == 1
    assert f"not downgraded below revision {CLASSES}" in refused.output
    assert "1 class(es)" in refused.output
    assert table_rows(empty_database_url) == rows


def test_the_live_classroom_revision_downgrades_without_its_own_data(
    empty_database_url, app_factory, head_rows
):
    """Sessions without re-marks, bans, hidden names or the new phases lose nothing."""
    app = at_revision(app_factory, empty_database_url, before(LIVE), head_rows)
    assert migrate(app, "upgrade", LIVE).exit_code == 0
    rows = table_rows(empty_database_url)
    assert rows["class_remark"] == [] and rows["player"]
    down = migrate(app, "downgrade", before(LIVE))
    assert down.exit_code == 0, down.output
    assert migrate(app, "upgrade", LIVE).exit_code == 0
    assert table_rows(empty_database_url) == rows


@pytest.mark.parametrize(
    ("change", "held"),
    [
        ("UPDATE player SET banned = TRUE", "banned or hidden player(s)"),
        ("UPDATE player SET name_shown = FALSE", "banned or hidden player(s)"),
        ("UPDATE class_session SET phase = 'voted'", "session(s) in the voted or board phase"),
    ],
)
def test_the_live_classroom_revision_refuses_to_lose_a_ban_a_hidden_name_or_a_phase(
    change, held, empty_database_url, app_factory, head_rows
):
    app = at_revision(app_factory, empty_database_url, before(LIVE), head_rows)
    assert migrate(app, "upgrade", LIVE).exit_code == 0
    with connected(empty_database_url) as connection:
        assert connection.execute(text(change)).rowcount >= 1
    rows = table_rows(empty_database_url)
    refused = migrate(app, "downgrade", before(LIVE))
    assert refused.exit_code == 1 and held in refused.output
    assert table_rows(empty_database_url) == rows


def test_the_review_cards_revision_downgrades_and_rebuilds_the_same_cards(
    empty_database_url, app_factory, head_rows
):
    """Cards summarise answers: dropped by the downgrade, replayed by the upgrade."""
    app = at_revision(app_factory, empty_database_url, REVIEWS, head_rows)
    rows = table_rows(empty_database_url)
    assert rows["review_card"] and rows["answer"]
    down = migrate(app, "downgrade", before(REVIEWS))
    assert down.exit_code == 0, down.output
    assert "review_card" not in table_rows(empty_database_url)
    assert migrate(app, "upgrade", REVIEWS).exit_code == 0
    assert table_rows(empty_database_url) == rows


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's foreign keys only")
def test_migrating_leaves_the_apps_sqlite_connections_enforcing_foreign_keys(
    empty_database_url, app_factory
):
    """Migrations run with SQLite's foreign keys off; the connection goes back to the pool on."""
    app = at_revision(app_factory, empty_database_url, "head")
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
