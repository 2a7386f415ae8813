"""Migrations build the schema from nothing, match the models, and undo cleanly."""

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database of the kind the suite runs on."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"quizapp_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_matches_the_models_and_downgrades(empty_database_url, app_factory):
    app = app_factory(empty_database_url)
    runner = app.test_cli_runner()
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    imported = runner.invoke(args=["quiz", "import"])
    assert imported.exit_code == 0, imported.output
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
    empty_database_url, app_factory, catalog
):
    """The sync base filled by the migration: the last version imported from the files."""
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import Question
    from quizapp.services.versions import save_question
    from tests.services.editing import make_admin, make_spec

    app = app_factory(empty_database_url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["quiz", "import"]).exit_code == 0
    with app.app_context():
        question = db.session.scalar(select(Question).filter_by(key="cookie-bite"))
        spec = make_spec(catalog, id="cookie-bite", difficulty=3)
        save_question(question, spec, catalog, make_admin(), question.current_version_id)
        db.session.commit()
        edited = question.current_version_id
        db.session.remove()
    # Back to the revision before the sync columns, and up again: they are filled.
    assert runner.invoke(args=["db", "downgrade", "0c06edb87178"]).exit_code == 0
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    status = runner.invoke(args=["quiz", "status"])
    assert "changed in database: starter/cookie-bite" in status.output, status.output
    assert status.output.count("changed in database:") == 1
    startup = runner.invoke(args=["quiz", "import", "--startup"])
    assert "1 kept as edited in the database" in startup.output, startup.output
    with app.app_context():
        question = db.session.scalar(select(Question).filter_by(key="cookie-bite"))
        assert question.current_version_id == edited
