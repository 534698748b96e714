"""The auth feature's commands: `achats create-user` and `achats create-token` (API.md)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["member", "expert", "moderator", "admin"]), default="member")
@click.option("--organisation", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--pending", is_flag=True, help="Awaiting a moderator's approval.")
@with_appcontext
def create_user_command(email: str, name: str, role: str, organisation: str | None,
                        password_stdin: bool, pending: bool) -> None:
    """Create a confirmed account and print its id."""
    from achats.auth.services import AccountError, create_account
    from achats.platform.extensions import db

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user = create_account(db.session, email=email, name=name, role=role,
                              organisation_name=organisation, password=password, pending=pending)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(user.id)


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="jeton CLI")
@with_appcontext
def create_token_command(email: str, name: str) -> None:
    """Create a personal API token and print it once."""
    from achats.auth.services import AccountError, create_api_token, find_user_by_email
    from achats.platform.extensions import db

    user = find_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"Aucun compte pour {email}")
    try:
        _, secret = create_api_token(db.session, user, name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(secret)
