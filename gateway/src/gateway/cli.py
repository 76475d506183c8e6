"""The gateway's command line: `crm-gateway migrate | init | keys ... | users ...`."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import click

from crmkit import Database, Problem, SettingsError
from crmkit.migrations import upgrade
from crmkit.types import utcnow
from gateway import bootstrap
from gateway.access import apikeys
from gateway.access import rules as access_rules
from gateway.audit import service as audit_service
from gateway.audit.service import COMMAND_LINE
from gateway.context import Gateway
from gateway.db import MIGRATIONS_DIR
from gateway.edge import cli as edge_cli
from gateway.identity import service
from gateway.identity import teams as team_service
from gateway.identity.models import ROLES
from gateway.identity.passwords import Passwords, generate_password
from gateway.integrations import cli as integrations_cli
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
    click.echo(_webhook_keys_line(settings))
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
    """Create a signing key unless one exists; rewrite the published key set. Also make the key file that
    encrypts webhook secrets (webhook-secrets.keys) unless CRM_WEBHOOK_SECRET_KEYS is set."""
    settings = _settings()
    click.echo(_webhook_keys_line(settings))
    key = KeyStore(settings.keys_dir).ensure()
    click.echo(f"signing key {key.kid}")


def _webhook_keys_line(settings: GatewaySettings) -> str:
    try:
        keyring = bootstrap.ensure_webhook_keys(settings)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    return f"webhook secrets: keys from {keyring.source}"


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


@users.command("update")
@click.option("--username", required=True)
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), help="Replaces the roles.")
@click.option("--team", default=None, help="Moves the user to this team (created if new).")
@click.option("--no-team", is_flag=True, help="Takes the user out of their team.")
@click.option("--active/--inactive", default=None)
def users_update(
    username: str, roles: tuple[str, ...], team: str | None, no_team: bool, active: bool | None
) -> None:
    """Change a user's roles, team or active flag (audited, as from the API)."""
    data: dict[str, Any] = {"roles": list(roles)} if roles else {}
    if team is not None or no_team:
        data["team"] = None if no_team else team
    if active is not None:
        data["active"] = active
    if not data:
        raise click.ClickException("nothing to change: give --role, --team, --no-team or --active/--inactive")
    settings = _settings()
    with _database(settings) as database, _problems_as_errors(), database.uow() as uow:
        user = service.find_or_raise(uow=uow, username=username)
        user = service.update_user(
            uow=uow,
            passwords=Passwords(settings.password_hash_profile),
            user_id=user.id,
            data=data,
            expected_version=user.version,
        )
        click.echo(
            f"{user.username}: roles {','.join(user.roles)}; team {user.team or '-'}; active {user.active}"
        )


@users.command("unlock")
@click.option("--username", required=True)
def users_unlock(username: str) -> None:
    """Lift a sign-in lockout."""
    with _database(_settings()) as database, _problems_as_errors(), database.uow() as uow:
        user = service.find_or_raise(uow=uow, username=username)
        service.unlock(uow=uow, user_id=user.id)
    click.echo(f"unlocked {username.lower()}")


@cli.group()
def teams() -> None:
    """Manage teams."""


@teams.command("create")
@click.option("--name", required=True)
@click.option("--description", default=None)
def teams_create(name: str, description: str | None) -> None:
    """Create a team."""
    with _database(_settings()) as database, _problems_as_errors(), database.uow() as uow:
        team = team_service.create(uow=uow, data={"name": name, "description": description})
    click.echo(f"created team {team.name} ({team.id})")


@teams.command("list")
def teams_list() -> None:
    """List teams: id, name, members, description."""
    with _database(_settings()) as database, database.uow() as uow:
        page = team_service.list_(uow=uow, query={"limit": 200})
        for team in page.items:
            members = team_service.members(uow.session, team.name)
            click.echo(f"{team.id}\t{team.name}\t{members}\t{team.description or ''}")


@teams.command("delete")
@click.option("--name", required=True)
def teams_delete(name: str) -> None:
    """Delete a team nobody belongs to."""
    with _database(_settings()) as database, _problems_as_errors(), database.uow() as uow:
        page = team_service.list_(uow=uow, query={"limit": 1, "name": name})
        if not page.items:
            raise click.ClickException(f"there is no team {name!r}")
        team = page.items[0]
        team_service.delete(uow=uow, team_id=team.id, expected_version=team.version)
    click.echo(f"deleted team {name}")


@cli.command("roles")
def roles_list() -> None:
    """Show the access table: role, resource, methods allowed at the gateway."""
    for role, resources in access_rules.describe().items():
        for resource, methods in resources.items():
            click.echo(f"{role}\t{resource}\t{','.join(methods) or '-'}")


@cli.group("api-keys")
def api_keys() -> None:
    """Manage integrator API keys."""


@api_keys.command("create")
@click.option("--name", required=True)
@click.option("--resource", "resources", multiple=True, help="A resource the key may read (repeat).")
@click.option("--event-type", "event_types", multiple=True, help="An event type pattern (repeat).")
@click.option("--field-group", "field_groups", multiple=True, help="A masked field group it may see.")
def api_keys_create(
    name: str, resources: tuple[str, ...], event_types: tuple[str, ...], field_groups: tuple[str, ...]
) -> None:
    """Create a key; its secret is printed this once."""
    if not resources and not event_types:
        raise click.ClickException("give at least one --resource or --event-type")
    data = {
        "name": name,
        "resources": list(resources),
        "event_types": list(event_types),
        "field_groups": list(field_groups),
    }
    with _database(_settings()) as database, _problems_as_errors(), database.uow() as uow:
        issued = apikeys.create(uow=uow, data=data, actor=COMMAND_LINE)
    click.echo(f"created API key {issued.api_key.id} ({name}) scopes {' '.join(issued.api_key.scopes)}")
    click.echo(f"key: {issued.key}")


@api_keys.command("list")
def api_keys_list() -> None:
    """List keys: id, name, status, scopes, last use."""
    with _database(_settings()) as database, database.uow() as uow:
        for key in apikeys.list_(uow=uow, query={"limit": 200}).items:
            used = f"{key.last_used_at:%Y-%m-%dT%H:%M:%SZ}" if key.last_used_at else "never"
            click.echo(f"{key.id}\t{key.name}\t{key.status}\t{' '.join(key.scopes)}\t{used}")


@api_keys.command("rotate")
@click.argument("key_id")
def api_keys_rotate(key_id: str) -> None:
    """Give a key a new secret (printed this once); the old one stops working."""
    with _database(_settings()) as database, _problems_as_errors(), database.uow() as uow:
        issued = apikeys.rotate(uow=uow, key_id=key_id, actor=COMMAND_LINE)
    click.echo(f"rotated {key_id}")
    click.echo(f"key: {issued.key}")


@api_keys.command("revoke")
@click.argument("key_id")
def api_keys_revoke(key_id: str) -> None:
    """Revoke a key at once."""
    with _database(_settings()) as database, _problems_as_errors(), database.uow() as uow:
        apikeys.revoke(uow=uow, key_id=key_id, expected_version=None, actor=COMMAND_LINE)
    click.echo(f"revoked {key_id}")


@cli.group()
def audit() -> None:
    """Read and prune the audit and security log."""


@audit.command("list")
@click.option("--action", default=None)
@click.option("--actor", "actor_name", default=None)
@click.option("--limit", default=50, show_default=True)
def audit_list(action: str | None, actor_name: str | None, limit: int) -> None:
    """Show the newest audit entries: time, action, outcome, actor, status, path, details."""
    query = {"limit": min(limit, 200), "action": action, "actor_name": actor_name}
    with _database(_settings()) as database, _problems_as_errors(), database.uow() as uow:
        for entry in audit_service.list_(uow=uow, query=query).items:
            click.echo(
                f"{entry.occurred_at:%Y-%m-%dT%H:%M:%SZ}\t{entry.action}\t{entry.outcome}\t"
                f"{entry.actor_name or '-'}\t{entry.status or '-'}\t{entry.path or '-'}\t{entry.details}"
            )


@audit.command("purge")
@click.option("--older-than-days", type=click.IntRange(min=1), required=True)
def audit_purge(older_than_days: int) -> None:
    """Delete audit entries older than the given number of days now (the worker's `audit-log-purge` job does
    it every CRM_AUDIT_PURGE_EVERY_SECONDS for CRM_AUDIT_RETENTION_DAYS)."""
    before = utcnow() - timedelta(days=older_than_days)
    with _database(_settings()) as database, database.uow() as uow:
        deleted = audit_service.purge(uow=uow, before=before)
    click.echo(f"deleted {deleted} audit entries older than {before:%Y-%m-%dT%H:%M:%SZ}")


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


cli.add_command(integrations_cli.worker)
cli.add_command(edge_cli.edge)
cli.add_command(integrations_cli.integrations)
cli.add_command(integrations_cli.jobs, name="jobs")


def main() -> None:
    """Run the `crm-gateway` command."""
    cli()
