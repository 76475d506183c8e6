"""First start: make sure a signing key and the webhook secrets' key exist; create the first admin."""

from __future__ import annotations

import enum
import logging

import sqlalchemy as sa

from crmkit import Database, Problem, SettingsError
from gateway.context import Gateway
from gateway.identity import service
from gateway.identity.errors import UsernameTaken
from gateway.identity.models import User
from gateway.integrations import secretbox
from gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

HOW_TO_CREATE_ADMIN = (
    "set CRM_ADMIN_USERNAME and CRM_ADMIN_PASSWORD and start again (or run `crm-gateway init`), or run "
    "`crm-gateway users create --username <name> --role admin --password-stdin`"
)
NO_TABLES = "the gateway database has no tables yet; run `crm-gateway migrate` (or `crm-gateway init`)"


class AdminOutcome(enum.Enum):
    CREATED = "created"
    EXISTS = "exists"
    NOT_CONFIGURED = "not_configured"
    NO_TABLES = "no_tables"


def prepare(parts: Gateway, database: Database) -> None:
    """Ensure a signing key and its published key set, the webhook secrets' key, then the first admin; warn
    when there is none."""
    key = parts.keys.ensure()
    log.info("signing with key %s; key set at %s", key.kid, parts.keys.folder / "jwks.json")
    keyring = ensure_webhook_keys(parts.settings)
    log.info("webhook secrets are encrypted with the keys of %s", keyring.source)
    outcome = ensure_first_admin(parts, database)
    if outcome is AdminOutcome.NO_TABLES:
        log.warning(NO_TABLES)
    elif outcome is AdminOutcome.NOT_CONFIGURED:
        log.warning("no admin user exists: nobody can manage users. To create one, %s", HOW_TO_CREATE_ADMIN)


def ensure_webhook_keys(settings: GatewaySettings) -> secretbox.Keyring:
    """Make the webhook secrets' key file unless CRM_WEBHOOK_SECRET_KEYS is set, check the keys load, and
    make them this process's keys (SettingsError when they do not load)."""
    keyring = secretbox.Keyring.for_settings(settings)
    keyring.ensure_file()
    try:
        keyring.check()
    except secretbox.SecretKeyError as error:
        raise SettingsError(str(error)) from None
    secretbox.use(keyring)
    return keyring


def ensure_first_admin(parts: Gateway, database: Database) -> AdminOutcome:
    """Create the admin named by CRM_ADMIN_USERNAME/CRM_ADMIN_PASSWORD when no active admin exists."""
    if not sa.inspect(database.engine).has_table(User.__tablename__):
        return AdminOutcome.NO_TABLES
    if admin_exists(database):
        return AdminOutcome.EXISTS
    settings = parts.settings
    if not (settings.admin_username and settings.admin_password):
        return AdminOutcome.NOT_CONFIGURED
    try:
        _create_admin(parts, database, settings.admin_username, settings.admin_password)
    except UsernameTaken:
        if admin_exists(database):  # another gateway process created it at the same moment
            return AdminOutcome.EXISTS
        raise SettingsError("CRM_ADMIN_USERNAME names an existing user who is not an active admin") from None
    except Problem as problem:
        raise SettingsError(f"cannot create the first admin from CRM_ADMIN_*: {problem.detail}") from None
    log.info("created the first admin %r from CRM_ADMIN_USERNAME", settings.admin_username.lower())
    return AdminOutcome.CREATED


def admin_exists(database: Database) -> bool:
    """Say whether some active user holds the admin role."""
    with database.uow() as uow:
        return service.admin_exists(uow.session)


def _create_admin(parts: Gateway, database: Database, username: str, password: str) -> None:
    with database.uow() as uow:
        service.ensure_first_admin(uow=uow, passwords=parts.passwords, username=username, password=password)
