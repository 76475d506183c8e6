"""Webhook secrets encrypted at rest: the rows hold `fernet:` tokens only, deliveries still sign with the secret
shown at creation, key rotation with `crm-gateway integrations reencrypt-secrets`, legacy clear rows, and a
secret no key decrypts failing only its own delivery (logged, naming the webhook)."""

from __future__ import annotations

import json
import logging
import stat
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from cryptography.fernet import Fernet

from crmkit import Database
from crmkit.events.envelope import Event
from crmkit.migrations import upgrade
from crmkit.types import utcnow
from gateway.audit.models import AuditEntry
from gateway.cli import cli
from gateway.db import MIGRATIONS_DIR
from gateway.identity.models import User
from gateway.integrations import secretbox, signing
from gateway.integrations.dispatch import Answer, Attempt, dispatch_due
from gateway.integrations.eventlog import store_event
from gateway.integrations.models import Delivery, Webhook
from gateway.integrations.settings import IntegrationSettings

SETTINGS = IntegrationSettings()
HOOK = {"url": "http://receiver.test/hook", "event_types": ["sales.opportunity.*"]}
OLD_KEY, NEW_KEY, OTHER_KEY = (Fernet.generate_key().decode() for _ in range(3))


class Receiver:
    """Answers 204 to every POST and keeps what arrived."""

    def __init__(self) -> None:
        self.received: list[Attempt] = []

    def __call__(self, attempts: Sequence[Attempt]) -> dict[int, Answer]:
        self.received.extend(attempts)
        return {attempt.delivery_id: Answer(204) for attempt in attempts}


def raw_row(database: Database, webhook_id: str) -> dict[str, Any]:
    """The webhook's row as the database holds it (no ORM, no decryption)."""
    with database.engine.connect() as connection:
        row = connection.execute(sa.text("SELECT * FROM webhooks WHERE id = :id"), {"id": webhook_id})
        return dict(row.mappings().one())


def publish(database: Database, subject: str = "o1") -> Event:
    event = Event(
        id=str(uuid.uuid4()),
        source="/services/sales",
        type="crm.sales.opportunity.won",
        subject=subject,
        time=utcnow(),
        data={"id": subject},
        dataschema="urn:crm:events:sales.opportunity.won:v1",
        sequence=1,
    )
    with database.uow() as uow:
        store_event(uow.session, event)
        uow.commit()
    return event


def dispatch(database: Database, receiver: Receiver) -> int:
    with database.uow() as uow:
        attempted = dispatch_due(uow.session, utcnow(), send=receiver, settings=SETTINGS)
        uow.commit()
    return attempted


@pytest.fixture
def database(app) -> Database:
    return app.extensions["crm"].database


@pytest.fixture
def legacy_hook(database) -> Callable[..., str]:
    """A webhook row written by an older release: its secret stored in clear."""

    def legacy_hook(secret: str) -> str:
        with database.uow() as uow:
            owner = uow.session.scalars(sa.select(User.id).where(User.username == "admin")).one()
            webhook = Webhook(
                **HOOK,
                payload_filter={},
                secret=secret,
                owner_id=owner,
                owner_kind="user",
                owner_roles=["admin"],
                owner_scopes=[],
            )
            uow.session.add(webhook)
            uow.commit()
            return webhook.id

    return legacy_hook


def test_the_key_file_is_made_private_on_first_start(app, settings):
    path = settings.keys_dir / secretbox.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    assert len(keys) == 1 and secretbox.key_problem(keys[0]) is None


def test_rows_hold_only_fernet_tokens_and_deliveries_sign_with_the_secret_shown_once(
    client, admin_headers, database
):
    hook = client.post("/api/v1/webhooks", json=HOOK, headers=admin_headers).get_json()
    row = raw_row(database, hook["id"])
    assert row["secret"].startswith("fernet:")
    assert hook["secret"].startswith("whsec_")
    assert hook["secret"] not in json.dumps(row, default=str)
    assert "secret" not in client.get(f"/api/v1/webhooks/{hook['id']}", headers=admin_headers).get_json()

    receiver = Receiver()
    publish(database, "o1")
    assert dispatch(database, receiver) == 1
    (first,) = receiver.received
    now = utcnow().timestamp()
    assert signing.verify(first.headers[signing.SIGNATURE_HEADER], hook["secret"], first.body, now=now)

    rotated = client.post(
        f"/api/v1/webhooks/{hook['id']}/rotate-secret", json={"grace_seconds": 3600}, headers=admin_headers
    ).get_json()
    row = raw_row(database, hook["id"])
    assert row["secret"].startswith("fernet:") and row["previous_secret"].startswith("fernet:")
    assert not {hook["secret"], rotated["secret"]} & {row["secret"], row["previous_secret"]}
    publish(database, "o2")
    assert dispatch(database, receiver) == 1
    header, body = receiver.received[-1].headers[signing.SIGNATURE_HEADER], receiver.received[-1].body
    assert signing.verify(header, rotated["secret"], body, now=now)
    assert signing.verify(header, hook["secret"], body, now=now)


def test_a_legacy_clear_secret_still_signs_and_is_encrypted_at_the_next_write(
    client, admin_headers, database, legacy_hook
):
    webhook_id = legacy_hook("whsec_legacy")
    receiver = Receiver()
    publish(database)
    assert dispatch(database, receiver) == 1
    (attempt,) = receiver.received
    header = attempt.headers[signing.SIGNATURE_HEADER]
    assert signing.verify(header, "whsec_legacy", attempt.body, now=utcnow().timestamp())

    response = client.patch(
        f"/api/v1/webhooks/{webhook_id}",
        json={"description": "ERP"},
        headers=admin_headers | {"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.get_json()
    row = raw_row(database, webhook_id)
    assert row["secret"].startswith("fernet:") and "whsec_legacy" not in row["secret"]
    assert secretbox.active().decrypt(row["secret"]) == "whsec_legacy"


def test_a_secret_no_key_decrypts_fails_its_delivery_with_a_logged_error_and_the_others_go(
    database, legacy_hook, caplog
):
    good = legacy_hook("whsec_good")
    bad = legacy_hook("whsec_bad")
    with database.uow() as uow:
        uow.session.get_one(Webhook, bad).secret = secretbox.Keyring([OTHER_KEY], Path()).encrypt("whsec_bad")
        uow.commit()
    receiver = Receiver()
    publish(database)
    with caplog.at_level(logging.ERROR, logger="gateway.integrations.dispatch"):
        assert dispatch(database, receiver) == 2
    assert [attempt.headers["X-CRM-Webhook"] for attempt in receiver.received] == [good]
    with database.uow() as uow:
        failed = uow.session.scalars(sa.select(Delivery).where(Delivery.webhook_id == bad)).one()
        assert (failed.status, failed.attempts) == ("pending", 1)
        assert "secret does not decrypt" in (failed.last_error or "")
    (record,) = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert bad in record.getMessage() and "does not decrypt" in record.getMessage()


# ------------------------------------------------------------------- key rotation on the command line
@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "CRM_KEYS_DIR", secretbox.ENV_NAME):
        monkeypatch.delenv(name, raising=False)
    upgrade(MIGRATIONS_DIR, f"sqlite:///{tmp_path / 'gateway.db'}")
    yield tmp_path


def reencrypt(monkeypatch: pytest.MonkeyPatch, keys: str, *, ok: bool = True) -> str:
    monkeypatch.setenv(secretbox.ENV_NAME, keys)
    result = CliRunner().invoke(cli, ["integrations", "reencrypt-secrets"])
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def insert(database: Database, secret: str, previous: str | None = None) -> str:
    with database.uow() as uow:
        webhook = Webhook(
            **HOOK,
            payload_filter={},
            secret=secret,
            previous_secret=previous,
            previous_secret_expires_at=utcnow() if previous else None,
            owner_id="u1",
            owner_kind="user",
            owner_roles=["admin"],
            owner_scopes=[],
        )
        uow.session.add(webhook)
        uow.commit()
        return webhook.id


def test_key_rotation_new_key_first_then_reencrypt_moves_every_secret_to_it(data_dir, monkeypatch):
    old, new, both = (
        secretbox.Keyring(keys, data_dir) for keys in ([OLD_KEY], [NEW_KEY], [NEW_KEY, OLD_KEY])
    )
    database = Database(f"sqlite:///{data_dir / 'gateway.db'}")
    try:
        rotated = insert(database, old.encrypt("whsec_current"), old.encrypt("whsec_previous"))
        legacy = insert(database, "whsec_clear")
        stored = raw_row(database, rotated)["secret"]
        assert both.decrypt(stored) == "whsec_current"  # the new key first: old rows still decrypt

        output = reencrypt(monkeypatch, f"{NEW_KEY}, {OLD_KEY}")
        assert output.strip() == f"re-encrypted 3 webhook secrets with the first key of {secretbox.ENV_NAME}"

        for webhook_id, expected in (
            (rotated, ("whsec_current", "whsec_previous")),
            (legacy, ("whsec_clear",)),
        ):
            row = raw_row(database, webhook_id)
            values = [value for value in (row["secret"], row["previous_secret"]) if value]
            assert all(value.startswith("fernet:") for value in values)
            assert tuple(new.decrypt(value) for value in values) == expected
            with pytest.raises(secretbox.SecretKeyError):
                old.decrypt(values[0])  # the old key alone no longer reads them: it can be dropped
        with database.uow() as uow:
            (entry,) = uow.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.action == "integrations.webhook_secrets_reencrypted")
            )
            assert (entry.actor_name, entry.details["secrets"]) == ("crm-gateway", 3)
    finally:
        database.dispose()


def test_reencrypt_without_the_right_key_names_the_webhook_and_changes_nothing(data_dir, monkeypatch):
    database = Database(f"sqlite:///{data_dir / 'gateway.db'}")
    try:
        webhook_id = insert(database, secretbox.Keyring([OLD_KEY], data_dir).encrypt("whsec_x"))
        before = raw_row(database, webhook_id)
        output = reencrypt(monkeypatch, NEW_KEY, ok=False)
        assert f"webhook {webhook_id}" in output and "nothing was changed" in output
        assert raw_row(database, webhook_id) == before
    finally:
        database.dispose()


def test_a_bad_key_in_the_variable_is_a_settings_error_naming_it(data_dir, monkeypatch):
    output = reencrypt(monkeypatch, f"{NEW_KEY},not-a-key", ok=False)
    assert f"{secretbox.ENV_NAME}: key 2 of 2 is not a Fernet key" in output
    assert NEW_KEY not in output
