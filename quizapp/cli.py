"""The ``flask quiz`` commands: check, import, export and measure question banks.

``coverage`` reports how the banks cover the sources against the content
bar. These names are an interface other tools use; their output formats
(``file:line:column: message`` and the summary line) are tested.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError, ProgrammingError

from quizapp.domain.banks import CheckResult, bank_files
from quizapp.domain.coverage import Thresholds, measure, report
from quizapp.domain.export import dump_bank
from quizapp.domain.yamlfile import load_yaml
from quizapp.extensions import db
from quizapp.services.banks import export_documents, import_banks
from quizapp.services.catalog import check_banks

quiz_cli = AppGroup("quiz", help="Check, import and export question banks.")

PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _report(result: CheckResult) -> None:
    for problem in sorted(result.problems):
        click.echo(str(problem), err=True)


@quiz_cli.command("check")
@PATHS
def check_command(paths: tuple[Path, ...]) -> None:
    """Validate bank files (default: the questions folder) without touching the database."""
    _, result = check_banks(list(paths))
    _report(result)
    summary = (
        f"{len(result.files)} file(s), {len(result.banks)} bank(s), "
        f"{result.question_count} question(s): {len(result.problems)} problem(s)"
    )
    click.echo(summary)
    if not result.ok:
        raise SystemExit(1)


@quiz_cli.command("import")
@PATHS
def import_command(paths: tuple[Path, ...]) -> None:
    """Load bank files into the database: all of them or, if any is invalid, none."""
    catalog, result = check_banks(list(paths))
    if not result.ok:
        _report(result)
        click.echo(f"nothing imported: {len(result.problems)} problem(s)")
        raise SystemExit(1)
    try:
        summary = import_banks(catalog, result.banks)
        db.session.commit()
    except (OperationalError, ProgrammingError) as error:
        db.session.rollback()
        click.echo(
            f"nothing imported: the database is not ready ({error.orig}); "
            "run 'flask db upgrade' first",
            err=True,
        )
        raise SystemExit(1) from None
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"imported {len(result.banks)} bank(s): {summary.line()}")


@quiz_cli.command("coverage")
@PATHS
@click.option(
    "--strict", is_flag=True, help="Exit with status 1 if a content threshold is not met."
)
def coverage_command(paths: tuple[Path, ...], strict: bool) -> None:
    """Report how the banks (default: the questions folder) cover the sources.

    Per source: questions citing it, distinct passages, share of its article's
    paragraphs cited. Per bank: counts by type, difficulty and tag, and the
    true/false balance. Then the thresholds of the content bar.
    """
    catalog, result = check_banks(list(paths))
    if not result.ok:
        _report(result)
        click.echo(f"coverage not measured: {len(result.problems)} problem(s)")
        raise SystemExit(1)
    bar = Thresholds()
    coverage = measure(result.banks, catalog)
    for line in report(coverage, bar):
        click.echo(line)
    if strict and coverage.shortfalls(bar):
        raise SystemExit(1)


def _files_by_bank(folder: Path) -> dict[str, Path]:
    """Which file in ``folder`` already holds each bank id, so export updates it in place."""
    found = {}
    for path in bank_files([folder]):
        located, _ = load_yaml(
            path.read_bytes(), str(path), current_app.config["QUIZ_MAX_BANK_BYTES"]
        )
        if located and isinstance(located.data, dict) and isinstance(located.data.get("bank"), str):
            found.setdefault(located.data["bank"], path)
    return found


@quiz_cli.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--bank", "slugs", multiple=True, help="Export only this bank (repeatable).")
def export_command(folder: Path, slugs: tuple[str, ...]) -> None:
    """Write the database's banks as YAML files into FOLDER.

    A bank already in a file there is written back to that file; others go
    to BANK-ID.yaml.
    """
    documents = export_documents(list(slugs))
    missing = sorted(set(slugs) - set(documents))
    if missing:
        click.echo(f"no such bank: {', '.join(missing)}", err=True)
        raise SystemExit(1)
    folder.mkdir(parents=True, exist_ok=True)
    existing = _files_by_bank(folder)
    for slug, document in documents.items():
        target = existing.get(slug, folder / f"{slug}.yaml")
        target.write_text(dump_bank(document), encoding="utf-8")
        click.echo(f"wrote {target} ({len(document['questions'])} questions)")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(quiz_cli)
