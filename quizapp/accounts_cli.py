"""The ``flask users`` commands: staff accounts.

Passwords are read from a prompt (typed twice, not echoed) or from the
``QUIZ_USER_PASSWORD`` environment variable for scripts, never from an
argument, which would land in the shell history and the process list.
"""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.models.accounts import ROLES
from quizapp.services.accounts import AccountError, create_user, set_password, sign_out_named
from quizapp.throttle import unlock_account

users_cli = AppGroup(
    "users", help="Create and list teacher and admin accounts; sign them out everywhere."
)
PASSWORD_VARIABLE = "QUIZ_USER_PASSWORD"


def _password() -> str:
    given = os.environ.get(PASSWORD_VARIABLE)
    if given:
        return given
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="teacher", show_default=True)
def create_command(name: str, role: str) -> None:
    """Create the account NAME (password from a prompt or $QUIZ_USER_PASSWORD)."""
    try:
        user = create_user(name, role, _password())
    except AccountError as problem:
        click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(f"created {user.role} {user.name}")


@users_cli.command("password")
@click.argument("name")
def password_command(name: str) -> None:
    """Set a new password for NAME (from a prompt or $QUIZ_USER_PASSWORD)."""
    try:
        set_password(name, _password())
    except AccountError as problem:
        click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(f"password changed for {name}; every browser logged in as {name} is signed out")


@users_cli.command("signout")
@click.argument("name")
def signout_command(name: str) -> None:
    """Sign NAME out everywhere: every log-in cookie of NAME stops working."""
    try:
        sign_out_named(name)
    except AccountError as problem:
        click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{name} is signed out everywhere")


@users_cli.command("unlock")
@click.argument("name")
def unlock_command(name: str) -> None:
    """Forget NAME's failed log-ins, so that NAME may log in before the limit's window ends."""
    cleared = unlock_account(name)
    click.echo(f"{name}: {cleared} counter(s) of failed log-ins cleared")


@users_cli.command("list")
def list_command() -> None:
    """List the accounts."""
    for user in db.session.scalars(select(User).order_by(User.name)):
        state = "" if user.active else " (inactive)"
        click.echo(f"{user.name}\t{user.role}{state}")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(users_cli)
