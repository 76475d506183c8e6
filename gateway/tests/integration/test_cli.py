"""`crm-gateway` against a real SQLite file and key folder (settings from the environment)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import cli
from gateway.identity.passwords import Passwords


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "CRM_KEYS_DIR", "CRM_ADMIN_USERNAME", "CRM_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def run(data_dir: Path):
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None, ok: bool = True):
        result = runner.invoke(cli, list(args), input=stdin)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def stored_hash(data_dir: Path, username: str) -> str:
    with sqlite3.connect(data_dir / "gateway.db") as connection:
        (value,) = connection.execute(
            "SELECT password_hash FROM users WHERE username = ?", (username,)
        ).fetchone()
    return str(value)


def test_init_migrates_makes_a_key_and_the_first_admin(run, data_dir, monkeypatch):
    monkeypatch.setenv("CRM_ADMIN_USERNAME", "root")
    monkeypatch.setenv("CRM_ADMIN_PASSWORD", "root-password-123")
    result = run("init")
    assert "created admin root" in result.output
    assert json.loads((data_dir / "keys" / "jwks.json").read_text())["keys"]
    assert Passwords().verify(stored_hash(data_dir, "root"), "root-password-123")
    assert "an admin exists already" in run("init").output


def test_init_without_admin_variables_says_how_to_make_one(run):
    result = run("init")
    assert "no admin exists" in result.output
    assert "crm-gateway users create" in result.output


def test_keys_ensure_rotate_list_retire(run, data_dir):
    first = run("keys", "ensure").output.split()[-1]
    assert run("keys", "ensure").output.split()[-1] == first
    second = run("keys", "rotate").output.split()[3].rstrip(";")
    listing = run("keys", "list").output.splitlines()
    assert [line.split("\t")[0] for line in listing] == [first, second]
    assert listing[-1].endswith("signing")
    refused = run("keys", "retire", second, ok=False)
    assert refused.exit_code == 1 and "rotate first" in refused.output
    run("keys", "retire", first)
    kids = [key["kid"] for key in json.loads((data_dir / "keys" / "jwks.json").read_text())["keys"]]
    assert kids == [second]


def test_users_create_reads_the_password_from_stdin(run, data_dir):
    run("migrate")
    result = run(
        "users", "create", "--username", "Eve", "--role", "sales_rep", "--role", "admin", "--team", "north",
        "--password-stdin", stdin="eve-password-123\n",
    )  # fmt: skip
    assert "created eve" in result.output
    assert "eve-password-123" not in result.output
    assert Passwords().verify(stored_hash(data_dir, "eve"), "eve-password-123")
    listing = run("users", "list").output
    assert "\teve\tadmin,sales_rep\tnorth\tactive" in listing


def test_users_create_generates_and_prints_a_password_when_none_is_given(run, data_dir):
    run("migrate")
    result = run("users", "create", "--username", "fay", "--role", "marketing")
    password = result.output.split("password: ")[1].strip()
    assert Passwords().verify(stored_hash(data_dir, "fay"), password)


def test_users_create_refuses_bad_input_with_a_clear_message(run):
    run("migrate")
    unknown_role = run("users", "create", "--username", "gus", "--role", "wizard", ok=False)
    assert unknown_role.exit_code == 2 and "wizard" in unknown_role.output
    weak = run(
        "users",
        "create",
        "--username",
        "gus",
        "--role",
        "marketing",
        "--password-stdin",
        stdin="x\n",
        ok=False,
    )
    assert weak.exit_code == 1 and "password" in weak.output
    run("users", "create", "--username", "gus", "--role", "marketing")
    taken = run("users", "create", "--username", "GUS", "--role", "marketing", ok=False)
    assert "taken" in taken.output


def test_users_set_password(run, data_dir):
    run("migrate")
    run("users", "create", "--username", "hal", "--role", "management")
    run("users", "set-password", "--username", "hal", "--password-stdin", stdin="hal-new-password\n")
    assert Passwords().verify(stored_hash(data_dir, "hal"), "hal-new-password")
    missing = run("users", "set-password", "--username", "nobody", ok=False)
    assert "no user" in missing.output.lower()
