"""Service desk SLA and knowledge base end to end through the gateway (ports 1835x): a key customer's
ticket gets the stricter policy, its clock stops while pending, the sla-sweep (run as an operator runs it,
at a later instant: no sleeping) announces warning and breach, an escalation rule notifies the account
manager, the breach lands on the account's timeline in the customer service, and the matching knowledge
article is suggested for the ticket."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crmkit.events.outbox import VALIDATE_ENV

pytestmark = pytest.mark.e2e
PORTS = {"gateway": 18350, "gateway-app": 18360, "customer": 18351, "service-desk": 18353}
PLATFORM_VARIABLES = ("CRM_", "BROKER_", "DATABASE_URL", "JWT_")
TIMEOUT = 30.0
BIN = Path(sys.executable).parent


class Client:
    """JSON over HTTP to the gateway's /api/v1, with a bearer token once signed in."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url, self.token = base_url, token

    def call(self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        sent = {"Accept": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(
            f"{self.base_url}/api/v1{path}", data=data, headers=sent, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            with error:
                raw = error.read()
                return error.code, json.loads(raw) if raw else None

    def sign_in(self, username: str, password: str) -> Client:
        status, body = self.call("POST", "/auth/token", {"username": username, "password": password})
        assert status == 200, body
        return Client(self.base_url, body["access_token"])


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Gateway, customer and service desk (web and workers) on SQLite and the embedded broker."""
    run_local = sys.modules["crm_run_local"]
    wanted = ("gateway", "customer", "service-desk")
    components = tuple(c for c in run_local.COMPONENTS if c.name in wanted)
    env = {key: value for key, value in os.environ.items() if not key.startswith(PLATFORM_VARIABLES)}
    env |= {"CRM_ADMIN_PASSWORD": secrets.token_urlsafe(18), VALIDATE_ENV: "1"}
    data_dir = tmp_path_factory.mktemp("service-desk-sla-e2e")
    with (data_dir / "console.log").open("w") as console:
        platform = run_local.Platform(
            data_dir=data_dir, components=components, ports=PORTS, env=env, console=console
        )
        try:
            platform.start()
            platform.wait_ready(90)
            yield platform
        except run_local.StartupError as exc:
            pytest.fail(f"the service desk platform did not start: {exc}\n{exc.log_tail}", pytrace=False)
        finally:
            platform.stop()


def eventually(check: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def make_user(admin: Client, platform: Any, username: str, roles: list[str]) -> tuple[Client, str]:
    password = secrets.token_urlsafe(16)
    status, body = admin.call("POST", "/users", {"username": username, "password": password, "roles": roles})
    assert status == 201, body
    return Client(platform.gateway_url).sign_in(username, password), body["id"]


def desk_knows_account(platform: Any, account_id: str) -> bool:
    """Whether the service desk's read model has the account (its worker consumed the customer event)."""
    with sqlite3.connect(platform.data_dir / "service-desk.db") as connection:
        row = connection.execute("SELECT tier FROM customer_accounts WHERE id = ?", (account_id,)).fetchone()
    return row is not None and row[0] == "key"


def run_sweep(platform: Any, at: datetime) -> str:
    """`crm-service-desk jobs run sla-sweep --at ...`, as an operator runs it."""
    completed = subprocess.run(
        [
            str(BIN / "crm-service-desk"),
            "jobs",
            "run",
            "sla-sweep",
            "--at",
            at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ],
        env=platform.env_for("service-desk"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return completed.stdout


def test_key_customer_ticket_pauses_warns_breaches_escalates_and_finds_its_article(platform: Any) -> None:
    admin = Client(platform.gateway_url).sign_in(platform.admin_username, platform.admin_password)
    manager, _ = make_user(admin, platform, "sam.servicemanager", ["service_manager"])
    agent, _ = make_user(admin, platform, "ada.agent", ["service_agent"])
    rep, rep_id = make_user(admin, platform, "ken.keyaccounts", ["sales_rep"])

    # The key account (with its account manager) exists in the customer service.
    account_body = {
        "name": "Bank E2E AG",
        "tier": "key",
        "owner_id": rep_id,
        "contacts": [{"name": "Clara Cfo", "emails": [{"address": "cfo@bank-e2e.example"}]}],
    }
    status, account = rep.call("POST", "/accounts", account_body)
    assert status == 201, account
    eventually(lambda: desk_knows_account(platform, account["id"]), "the desk learning about the key account")

    # SLA set-up: a stricter policy for key customers first, escalation on breach.
    for policy in (
        {
            "name": "Key accounts",
            "conditions": {"tiers": ["key"]},
            "first_response_seconds": 3600,
            "resolution_seconds": 4 * 3600,
        },
        {"name": "Everyone", "first_response_seconds": 8 * 3600, "resolution_seconds": 40 * 3600},
    ):
        status, body = manager.call("POST", "/sla-policies", policy)
        assert status == 201, body
    rule = {"name": "Key breach", "trigger": "breach", "tiers": ["key"], "notify_account_manager": True}
    assert manager.call("POST", "/escalation-rules", rule)[0] == 201

    # Knowledge: a published article about the problem.
    status, article = agent.call(
        "POST",
        "/kb/articles",
        {"title": "Payment export fails", "body": "Re-run the payment export after midnight."},
    )
    assert status == 201, article
    assert manager.call("POST", f"/kb/articles/{article['id']}/publish", {})[0] == 200

    # The key customer's ticket gets the stricter policy.
    status, ticket = agent.call(
        "POST",
        "/tickets",
        {"subject": "Payment export fails since today", "requester_email": "cfo@bank-e2e.example"},
    )
    assert status == 201, ticket
    assert ticket["account_id"] == account["id"]
    status, sla = agent.call("GET", f"/tickets/{ticket['id']}/sla")
    assert status == 200 and sla["policy"]["name"] == "Key accounts", sla

    # Pending stops the clock; open again starts it.
    assert agent.call("POST", f"/tickets/{ticket['id']}/status", {"status": "pending"})[0] == 200
    paused = agent.call("GET", f"/tickets/{ticket['id']}/sla")[1]
    assert {clock["status"] for clock in paused["clocks"]} == {"paused"}
    assert all(clock["due_at"] is None for clock in paused["clocks"])
    assert agent.call("POST", f"/tickets/{ticket['id']}/status", {"status": "open"})[0] == 200

    # Two hours later (as far as the sweep is told): warning and breach of the first response.
    later = datetime.now(UTC) + timedelta(hours=2)
    assert "handled 2" in run_sweep(platform, later)
    assert "handled 0" in run_sweep(platform, later + timedelta(minutes=5))  # once per clock
    comments = agent.call("GET", f"/tickets/{ticket['id']}/comments")[1]["items"]
    assert any(f"Account manager {rep_id} notified" in comment["body"] for comment in comments)

    # The breach reaches the account's timeline in the customer service (through the bus).
    def breach_on_timeline() -> bool:
        status, page = rep.call("GET", f"/accounts/{account['id']}/interactions")
        return status == 200 and any("Service level breached" in str(item) for item in page["items"])

    eventually(breach_on_timeline, "the breach on the account's timeline")

    # The matching article is suggested for the ticket.
    status, suggested = agent.call("GET", f"/tickets/{ticket['id']}/suggested-articles")
    assert status == 200 and suggested["items"][0]["article"]["id"] == article["id"], suggested
