"""The gateway's command line: `crm-gateway migrate | init | keys ... | users ...`."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import click

from crmkit import Database, Problem, SettingsError
from crmkit.migrations import upgrade
from gateway import bootstrap
from gateway.context import Gateway
from gateway.db import MIGRATIONS_DIR
from gateway.identity import service
from gateway.identity.models import ROLES
from gateway.identity.passwords import Passwords, generate_password
from gateway.keys import KeyStore, KeyStoreError
from gateway.settings import GatewaySettings


@click.group()
def cli() -> None:
    """Operate the CRM gateway (settings come from the environment, as for the web process)."""


@cli.command()
@click.option("--revision", default="head", show_default=True)
def migrate(revision: str) -> None:
    """Apply the database migrations."""
    settings = _settings()
    upgrade(MIGRATIONS_DIR, settings.database_url, revision)
    click.echo(f"gateway: database at {revision}")


@cli.command()
def init() -> None:
    """Migrate, make sure a signing key exists, and create the first admin from CRM_ADMIN_*."""
    settings = _settings()
    upgrade(MIGRATIONS_DIR, settings.database_url)
    parts = Gateway.build(settings)
    key = parts.keys.ensure()
    click.echo(f"signing key {key.kid}; key set at {parts.keys.folder / 'jwks.json'}")
    with _database(settings) as database, _problems_as_errors():
        outcome = bootstrap.ensure_first_admin(parts, database)
    if outcome is bootstrap.AdminOutcome.CREATED:
        click.echo(f"created admin {settings.admin_username}")
    elif outcome is bootstrap.AdminOutcome.EXISTS:
        click.echo("an admin exists already")
    else:
        click.echo("warning: no admin exists; " + bootstrap.HOW_TO_CREATE_ADMIN, err=True)


@cli.group()
def keys() -> None:
    """Manage the token signing keys (CRM_KEYS_DIR)."""


@keys.command("ensure")
def keys_ensure() -> None:
    """Create a signing key unless one exists; rewrite the published key set."""
    key = _key_store().ensure()
    click.echo(f"signing key {key.kid}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Create a new signing key; the older keys stay published until retired."""
    key = _key_store().rotate()
    click.echo(f"new signing key {key.kid}; retire the old one once its tokens have expired")


@keys.command("list")
def keys_list() -> None:
    """List the published keys, oldest first; the last one signs."""
    store = _key_store()
    published = store.published()
    for key in published:
        role = "signing" if key is published[-1] else "published"
        click.echo(f"{key.kid}\t{key.created_at:%Y-%m-%dT%H:%M:%SZ}\t{role}")


@keys.command("retire")
@click.argument("kid")
def keys_retire(kid: str) -> None:
    """Stop publishing a key (tokens it signed stop working) and delete it."""
    try:
        _key_store().retire(kid)
    except KeyStoreError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"retired {kid}")


@cli.group()
def users() -> None:
    """Manage users."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--team", default=None)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from stdin instead of generating one."
)
def users_create(username: str, roles: tuple[str, ...], team: str | None, password_stdin: bool) -> None:
    """Create a user; without --password-stdin a password is generated and printed once."""
    settings = _settings()
    password = _read_password() if password_stdin else generate_password()
    data = {"username": username, "password": password, "roles": list(roles), "team": team}
    with _database(settings) as database, _problems_as_errors(), database.uow() as uow:
        user = service.create_user(uow=uow, passwords=Passwords(settings.password_hash_profile), data=data)
    click.echo(f"created {user.username} ({user.id}) with roles {', '.join(user.roles)}")
    if not password_stdin:
        click.echo(f"password: {password}")


@users.command("list")
def users_list() -> None:
    """List every user: id, username, roles, team, active."""
    settings = _settings()
    with _database(settings) as database:
        for user in _all_users(database):
            state = "active" if user.active else "inactive"
            click.echo(f"{user.id}\t{user.username}\t{','.join(user.roles)}\t{user.team or '-'}\t{state}")


@users.command("set-password")
@click.option("--username", required=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from stdin instead of generating one."
)
def users_set_password(username: str, password_stdin: bool) -> None:
    """Set a user's password (signing them out); without --password-stdin one is generated and printed."""
    settings = _settings()
    password = _read_password() if password_stdin else generate_password()
    passwords = Passwords(settings.password_hash_profile)
    with _database(settings) as database, _problems_as_errors(), database.uow() as uow:
        user = service.set_password(uow=uow, passwords=passwords, username=username, password=password)
    click.echo(f"password of {user.username} changed; their refresh tokens are revoked")
    if not password_stdin:
        click.echo(f"password: {password}")


def _all_users(database: Database) -> Iterator[Any]:
    cursor = None
    while True:
        with database.uow() as uow:
            page = service.list_(uow=uow, query={"limit": 200, "cursor": cursor})
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _settings() -> GatewaySettings:
    try:
        return GatewaySettings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def _key_store() -> KeyStore:
    return KeyStore(_settings().keys_dir)


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("no password on stdin")
    return password


@contextlib.contextmanager
def _database(settings: GatewaySettings) -> Iterator[Database]:
    database = Database(settings.database_url)
    try:
        yield database
    finally:
        database.dispose()


@contextlib.contextmanager
def _problems_as_errors() -> Iterator[None]:
    """Show a use case's problem (with the fields it names) as a command error."""
    try:
        yield
    except Problem as problem:
        fields = "; ".join(f"{item['field']}: {item['message']}" for item in problem.errors)
        raise click.ClickException(f"{problem.detail}{f' ({fields})' if fields else ''}") from None
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def main() -> None:
    """Run the `crm-gateway` command."""
    cli()
