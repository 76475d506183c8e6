"""`crm-gateway teams | users update/unlock | roles | api-keys | audit` against a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.access.apikeys import digest
from gateway.cli import cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "CRM_KEYS_DIR", "CRM_ADMIN_USERNAME", "CRM_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(cli, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run("migrate")
    return run


def test_teams_create_list_delete(run):
    assert (
        "created team north" in run("teams", "create", "--name", "north", "--description", "Sales N").output
    )
    run("users", "create", "--username", "rita", "--role", "sales_rep", "--team", "north")
    run("users", "create", "--username", "sam", "--role", "service_agent", "--team", "desk")
    listing = sorted(line.split("\t")[1:3] for line in run("teams", "list").output.splitlines())
    assert listing == [["desk", "1"], ["north", "1"]]
    refused = run("teams", "delete", "--name", "north", ok=False)
    assert refused.exit_code == 1 and "still belong" in refused.output
    run("users", "update", "--username", "rita", "--no-team")
    run("teams", "delete", "--name", "north")
    assert [line.split("\t")[1] for line in run("teams", "list").output.splitlines()] == ["desk"]


def test_users_update_changes_roles_team_and_active_flag(run):
    run("users", "create", "--username", "rita", "--role", "sales_rep")
    output = run("users", "update", "--username", "Rita", "--role", "sales_manager", "--role", "marketing",
                 "--team", "west", "--inactive").output  # fmt: skip
    assert "rita: roles marketing,sales_manager; team west; active False" in output
    assert "nothing to change" in run("users", "update", "--username", "rita", ok=False).output
    assert "no user" in run("users", "update", "--username", "nobody", "--active", ok=False).output


def test_users_unlock(run, tmp_path):
    run("users", "create", "--username", "rita", "--role", "sales_rep")
    with sqlite3.connect(tmp_path / "gateway.db") as connection:
        connection.execute("UPDATE users SET locked_until = '2999-01-01 00:00:00', failed_logins = 3")
    run("users", "unlock", "--username", "rita")
    with sqlite3.connect(tmp_path / "gateway.db") as connection:
        assert connection.execute("SELECT locked_until, failed_logins FROM users").fetchone() == (None, 0)


def test_roles_prints_the_access_table(run):
    lines = run("roles").output.splitlines()
    assert "marketing\tcampaigns\tDELETE,GET,HEAD,PATCH,POST,PUT" in lines
    assert "service_agent\tquotes\tGET,HEAD" in lines


def test_api_keys_create_list_revoke_and_the_audit_shows_it(run, tmp_path):
    output = run(
        "api-keys", "create", "--name", "erp", "--resource", "accounts", "--event-type", "sales.#"
    ).output
    key_id = output.split()[3]
    key = output.split("key: ")[1].strip()
    with sqlite3.connect(tmp_path / "gateway.db") as connection:
        assert connection.execute("SELECT key_hash FROM api_keys").fetchone() == (digest(key),)
    listing = run("api-keys", "list").output
    assert f"{key_id}\terp\tactive\tread:accounts events:sales.#\tnever" in listing
    rotated = run("api-keys", "rotate", key_id).output.split("key: ")[1].strip()
    with sqlite3.connect(tmp_path / "gateway.db") as connection:
        assert connection.execute("SELECT key_hash FROM api_keys").fetchone() == (digest(rotated),)
    run("api-keys", "revoke", key_id)
    assert "\trevoked\t" in run("api-keys", "list").output
    assert "give at least one" in run("api-keys", "create", "--name", "x", ok=False).output
    bad = run("api-keys", "create", "--name", "x", "--resource", "nope", ok=False)
    assert bad.exit_code == 1 and "unknown resource nope" in bad.output
    audit = run("audit", "list", "--limit", "10").output.splitlines()
    assert [line.split("\t")[1:4] for line in audit] == [
        ["admin.api_key_revoked", "success", "crm-gateway"],
        ["admin.api_key_rotated", "success", "crm-gateway"],
        ["admin.api_key_created", "success", "crm-gateway"],
    ]


def test_audit_purge_deletes_entries_older_than_the_retention(run, tmp_path):
    run("teams", "create", "--name", "old")
    run("teams", "create", "--name", "new")
    with sqlite3.connect(tmp_path / "gateway.db") as connection:
        connection.execute(
            "UPDATE audit_log SET occurred_at = '2020-01-01 00:00:00.000000' WHERE details LIKE '%old%'"
        )
    assert "deleted 1 audit entries" in run("audit", "purge", "--older-than-days", "30").output
    assert [line.split("\t")[1] for line in run("audit", "list").output.splitlines()] == [
        "admin.team_created"
    ]
    assert run("audit", "purge", "--older-than-days", "0", ok=False).exit_code == 2
