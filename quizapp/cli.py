"""The ``flask quiz`` commands: check, import, status, export and measure question banks;
back up and restore the database.

``coverage`` reports how the banks cover the sources against the content
bar. These names are an interface other tools use; their output formats
(``file:line:column: message`` and the summary line) are tested.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from quizapp.domain.banks import CheckResult, bank_files
from quizapp.domain.coverage import Thresholds, measure, report
from quizapp.domain.export import dump_bank
from quizapp.domain.fields import IDENTIFIER
from quizapp.domain.interop import FORMATS, READERS, WRITERS, detect
from quizapp.domain.lint import lint_bank
from quizapp.domain.sync import BOTH, CONFLICT, DATABASE, FILE, PREFERENCES, SAME
from quizapp.domain.yamlfile import load_yaml
from quizapp.extensions import db
from quizapp.models import Bank
from quizapp.services.backup import BackupError, backup_database, restore_database
from quizapp.services.banks import export_documents
from quizapp.services.catalog import check_banks, configured_tags
from quizapp.services.exchange import add_drafts, export_bank, plan_drafts
from quizapp.services.imports import ImportConflict, ImportSummary, import_banks
from quizapp.services.sync import (
    CHANGED_IN_BOTH,
    CHANGED_IN_FILES,
    IN_CONFLICT,
    IN_SYNC,
    folder_status,
    folder_writable,
    plan_write_back,
    write_back,
)
from quizapp.sources.links import passage_link

quiz_cli = AppGroup(
    "quiz", help="Check, import and export question banks; back up and restore the database."
)

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


PREFER = click.option(
    "--prefer",
    type=click.Choice(PREFERENCES),
    help="Where a question changed in the files and in the database: whose change wins.",
)


def _questions_folder() -> Path:
    return Path(current_app.config["QUIZ_QUESTIONS_DIR"])


def _becomes_base(spec) -> bool:
    """Whether an imported file becomes its bank's base: a file of the questions
    folder does, and so does any file of a bank never synced before; a file
    from elsewhere of a bank that has a base is an upload (a database change)."""
    folder = _questions_folder().resolve()
    if Path(spec.file).resolve().is_relative_to(folder):
        return True
    bank = db.session.scalar(select(Bank).where(Bank.slug == spec.slug))
    return bank is None or bank.synced_revision is None


def _report_conflicts(summary: ImportSummary) -> None:
    for conflict in summary.conflicts:
        click.echo(
            f"conflict: {conflict.label} changed in the files and in the database:", err=True
        )
        for line in conflict.lines():
            click.echo(line, err=True)


@quiz_cli.command("import")
@PATHS
@PREFER
@click.option(
    "--startup",
    is_flag=True,
    help="As the app starts: skip banks in conflict or invalid, say so in one line, exit 0.",
)
def import_command(paths: tuple[Path, ...], prefer: str | None, startup: bool) -> None:
    """Load bank files into the database, three-way against each bank's base.

    A change made only in the files applies; a change made only in the
    database (the browser) stands; a question changed on both sides is a
    conflict, and then nothing is imported unless --prefer says whose
    change wins. Files in the bank folder (QUIZ_QUESTIONS_DIR) become their
    banks' base; a file from anywhere else, of a bank that has a base, is
    imported as an upload is (a change of the database, to write back), so
    the next start-up import of the folder does not take it back.
    """
    catalog, result = check_banks(list(paths))
    if not result.ok:
        _report(result)
        if startup:
            click.echo(f"start-up import skipped: {len(result.problems)} problem(s) in the files")
            return
        click.echo(f"nothing imported: {len(result.problems)} problem(s)")
        raise SystemExit(1)
    try:
        summary = import_banks(
            catalog,
            result.banks,
            prefer=prefer,
            skip_conflicts=startup,
            sync=_becomes_base,
        )
        db.session.commit()
    except ImportConflict as refused:
        db.session.rollback()
        _report_conflicts(refused.summary)
        click.echo(
            f"nothing imported: {len(refused.summary.conflicts)} conflict(s); read them, "
            "then import again with --prefer file or --prefer database"
        )
        raise SystemExit(1) from None
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
    if startup:
        line = f"start-up import: {summary.line()}"
        if summary.banks_skipped:
            line += (
                f"; left as they are (conflict): {', '.join(summary.banks_skipped)}"
                " -- see 'flask quiz status'"
            )
        click.echo(line)
        return
    click.echo(f"imported {len(result.banks)} bank(s): {summary.line()}")


@quiz_cli.command("status")
@PATHS
def status_command(paths: tuple[Path, ...]) -> None:
    """Say, bank by bank, whether the database and the files are in sync.

    Exit status 0 when everything is in sync, 1 otherwise (including
    invalid files), so scripts and CI can ask.
    """
    _, result = check_banks(list(paths))
    if not result.ok:
        _report(result)
        click.echo(f"status unknown: {len(result.problems)} problem(s) in the files")
        raise SystemExit(1)
    statuses = folder_status(result)
    for status in statuses:
        click.echo(f"{status.slug}: {status.state}")
        if status.fields not in (SAME, BOTH):
            click.echo(f"  bank title, description or status: changed in {status.fields}")
        for outcome, heading in STATUS_HEADINGS:
            for label in status.labels(outcome):
                click.echo(f"  {heading}: {label}")
    out_of_sync = [status for status in statuses if status.state != IN_SYNC]
    click.echo(f"{len(statuses)} bank(s): {len(out_of_sync)} out of sync")
    if out_of_sync:
        raise SystemExit(1)


STATUS_HEADINGS = (
    (DATABASE, "changed in database"),
    (FILE, "changed in files"),
    (BOTH, "changed alike in both"),
    (CONFLICT, "conflict"),
)


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
    vocabulary, _problems = configured_tags()
    coverage = measure(result.banks, catalog, list(vocabulary.objectives))
    for line in report(coverage, bar):
        click.echo(line)
    if strict and coverage.shortfalls(bar):
        raise SystemExit(1)


@quiz_cli.command("lint")
@PATHS
def lint_command(paths: tuple[Path, ...]) -> None:
    """Report content that teaches less well than it could (default: the questions folder).

    Heuristics that ``check`` does not enforce, each with ``file:line`` and a
    fix: absolute words in wrong choices, a right choice that stands out by
    length or is repeated in the prompt, right answers leaning to one id,
    true/false or claim items mostly one way, citations shorter than a
    clause, missing objectives or glosses, undated claims about Sora.
    Exits with status 1 if anything is found.
    """
    catalog, result = check_banks(list(paths))
    if not result.ok:
        _report(result)
        click.echo(f"not linted: {len(result.problems)} problem(s)")
        raise SystemExit(1)
    findings = []
    for bank in result.banks:
        located, _problems = load_yaml(
            Path(bank.file).read_bytes(), bank.file, current_app.config["QUIZ_MAX_BANK_BYTES"]
        )
        findings += lint_bank(bank, located, catalog)
    for finding in findings:
        click.echo(str(finding))
    click.echo(f"{len(result.banks)} bank(s) linted: {len(findings)} finding(s)")
    if findings:
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
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--bank", "slugs", multiple=True, help="Export only this bank (repeatable).")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(("yaml", *WRITERS)),
    default="yaml",
    show_default=True,
    help="The bank format (yaml), or another tool's: GIFT, Moodle XML, QTI 2.1, Aiken, CSV.",
)
@click.option(
    "--base-url",
    default=None,
    help="The app's address, for the links to the cited passages (default: QUIZ_PUBLIC_URL).",
)
def export_command(
    folder: Path | None, slugs: tuple[str, ...], format_name: str, base_url: str | None
) -> None:
    """Write the database's banks into FOLDER: as YAML, or for another tool (--format).

    Without FOLDER (or with the questions folder), write back: each bank
    changed in the database goes into its file there, which becomes the
    bank's base; a bank whose file changed too is refused (import it
    first). Into any other folder, every bank is written with the revision
    it came from (`base:`), so that importing it later is checked
    three-way. A bank already in a file there is written to that file;
    others go to BANK-ID.yaml.

    With --format other than yaml, each bank's live questions go into
    FOLDER in that format, one file per bank; the questions a format
    cannot express are listed with the reason, never left out silently.
    """
    if format_name != "yaml":
        _export_for_other_tools(folder, list(slugs), format_name, base_url)
        return
    questions = _questions_folder()
    if folder is None or folder.resolve() == questions.resolve():
        _write_back(questions, list(slugs))
        return
    documents = export_documents(list(slugs), with_base=True)
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


def _export_for_other_tools(
    folder: Path | None, slugs: list[str], format_name: str, base_url: str | None
) -> None:
    if folder is None:
        click.echo(f"--format {format_name} needs a FOLDER to write into", err=True)
        raise SystemExit(2)
    query = select(Bank).order_by(Bank.slug)
    if slugs:
        query = query.where(Bank.slug.in_(slugs))
    banks = list(db.session.scalars(query))
    missing = sorted(set(slugs) - {bank.slug for bank in banks})
    if missing:
        click.echo(f"no such bank: {', '.join(missing)}", err=True)
        raise SystemExit(1)
    base = (base_url or current_app.config["QUIZ_PUBLIC_URL"] or "").rstrip("/")
    if base and not base.startswith(("http://", "https://")):
        click.echo(f"--base-url must start with http:// or https:// (got {base})", err=True)
        raise SystemExit(2)
    if not base:
        click.echo(
            "note: no --base-url nor QUIZ_PUBLIC_URL: the cited passages are written "
            "without a link to the app",
            err=True,
        )
    folder.mkdir(parents=True, exist_ok=True)
    skipped = 0
    with current_app.test_request_context():
        link = (lambda passage: passage_link(passage, base)) if base else (lambda passage: None)
        for bank in banks:
            exported = export_bank(bank, format_name, link)
            target = folder / exported.filename
            target.write_bytes(exported.data)
            click.echo(
                f"wrote {target} ({len(exported.written)} questions, "
                f"{len(exported.skipped)} skipped)"
            )
            for item in exported.skipped:
                click.echo(f"  skipped {bank.slug}/{item.key} ({item.type}): {item.reason}")
            skipped += len(exported.skipped)
    click.echo(f"exported {len(banks)} bank(s) as {format_name}; {skipped} question(s) skipped")


def _bank_id(value: str) -> str:
    """A bank id as the bank format allows it, or a usage error naming the option."""
    if not IDENTIFIER.fullmatch(value):
        raise click.BadParameter(
            f"'{value}' is not a bank id (use a-z, 0-9, '-' and '_', at most 64)"
        )
    return value


@quiz_cli.command("import-drafts")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--bank",
    "slug",
    required=True,
    callback=lambda _ctx, _param, value: _bank_id(value),
    help="The bank to add them to (made if new).",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(READERS),
    default=None,
    help="The file's format (default: told by its name, else its first bytes).",
)
@click.option("--dry-run", is_flag=True, help="Show the plan; change nothing.")
def import_drafts_command(file: Path, slug: str, format_name: str | None, dry_run: bool) -> None:
    """Bring FILE's questions (GIFT, Moodle XML, Aiken, CSV, Kahoot!) into a bank as drafts.

    A draft has no citation: it is published from the editor once a passage
    is cited. Nothing is added if the file has any problem (each is shown
    at its line); questions of types quizapp has not are listed and left.
    """
    data = file.read_bytes()
    fmt = FORMATS[format_name] if format_name else detect(file.name, data)
    if fmt is None:
        click.echo(
            f"{file}: cannot tell its format: give --format ({', '.join(READERS)})", err=True
        )
        raise SystemExit(2)
    plan = plan_drafts(slug, str(file), data, fmt)
    for problem in plan.problems:
        click.echo(str(problem), err=True)
    for item in plan.unsupported:
        click.echo(f"left out (a type quizapp has not): {item}")
    if not plan.ok:
        click.echo(f"nothing imported: {len(plan.problems)} problem(s)", err=True)
        raise SystemExit(1)
    where = f"bank {slug}" if plan.bank_exists else f"a new bank {slug}"
    click.echo(f"{fmt.label}: {len(plan.drafts)} draft(s) for {where}")
    for draft in plan.drafts:
        click.echo(f"  {draft.key} ({draft.content['type']})")
    for given, key in plan.already.items():
        click.echo(f"  already in the bank, not added again: {given or '(no id)'} is {key}")
    for given, used in plan.renamed.items():
        click.echo(f"  id {given} is taken in the bank: added as {used}")
    if plan.one_language:
        click.echo(
            f"  {len(plan.one_language)} written in one language: the other holds the same "
            f"text until translated: {', '.join(plan.one_language)}"
        )
    if dry_run:
        click.echo("dry run: nothing changed")
        return
    add_drafts(plan, None, "import")
    db.session.commit()
    click.echo(
        f"added {len(plan.drafts)} draft(s) to {slug}; cite a passage in the editor to publish each"
    )


def _write_back(folder: Path, slugs: list[str]) -> None:
    _, result = check_banks([folder])
    if not result.ok:
        _report(result)
        click.echo(f"nothing written: {len(result.problems)} problem(s) in the files")
        raise SystemExit(1)
    statuses = folder_status(result)
    missing = sorted(set(slugs) - {status.slug for status in statuses})
    if missing:
        click.echo(f"no such bank: {', '.join(missing)}", err=True)
        raise SystemExit(1)
    if not folder_writable(folder):
        click.echo(f"nothing written: {folder} is not a writable folder", err=True)
        raise SystemExit(1)
    refused = [
        status
        for status in statuses
        if status.state in (CHANGED_IN_FILES, CHANGED_IN_BOTH, IN_CONFLICT)
        and (not slugs or status.slug in slugs)
    ]
    plans = plan_write_back(folder, statuses, slugs)
    write_back(plans)
    db.session.commit()
    for plan in plans:
        click.echo(f"wrote {plan.path}")
    for status in refused:
        click.echo(f"not written: {status.slug} ({status.state}): import its file first", err=True)
    click.echo(f"wrote back {len(plans)} bank(s); {len(refused)} refused")
    if refused:
        raise SystemExit(1)


@quiz_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup_command(file: Path, force: bool) -> None:
    """Copy the whole database into FILE, safely while the app is serving.

    SQLite through its online backup API (a plain copy of a live database
    can be inconsistent); PostgreSQL through pg_dump's custom format. Take
    one before every upgrade: a downgrade that would lose data refuses,
    and this file is then the way back.
    """
    try:
        summary = backup_database(db.engine, file, force=force)
    except BackupError as error:
        click.echo(f"no backup made: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"wrote {summary.path}: {summary.describe()}")


@quiz_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore a backup made by 'flask quiz backup' into an EMPTY database.

    A database that holds any table is refused. The database is then at
    the backup's schema revision: run 'flask db upgrade' before serving.
    """
    try:
        summary = restore_database(db.engine, file)
    except BackupError as error:
        click.echo(f"nothing restored: {error}", err=True)
        raise SystemExit(1) from None
    where = db.engine.url.render_as_string(hide_password=True)
    click.echo(f"restored {summary.path} into {where}: {summary.describe()}")
    click.echo("next: run 'flask db upgrade' to bring the schema up to this version of the app")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(quiz_cli)
