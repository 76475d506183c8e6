"""Sales end to end through the gateway (ports 182xx): a web lead is assigned, qualified and converted while
the customer service is stopped; when it is back, the opportunity points at the account it created; then
the opportunity moves through its stages to won, and a completed visit reaches the account's timeline."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from crmkit.events.outbox import VALIDATE_ENV
from crmkit.testing.infra import fresh_database, fresh_vhost, load_policies

pytestmark = pytest.mark.e2e
PORTS = {
    "embedded": {"gateway": 18280, "gateway-app": 18290, "customer": 18281, "sales": 18282},
    "rabbitmq": {"gateway": 18283, "gateway-app": 18293, "customer": 18284, "sales": 18285},
}
PLATFORM_VARIABLES = ("CRM_", "BROKER_", "DATABASE_URL", "JWT_")
TIMEOUT = 30.0


@dataclasses.dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    body: Any


class Client:
    """JSON over HTTP to the gateway's /api/v1, with a bearer token once signed in."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.api, self.token = f"{base_url}/api/v1", token

    def call(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> Reply:
        sent = {"Accept": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.api + path, data=data, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                raw = response.read()
                return Reply(response.status, response.headers, json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            with error:
                raw = error.read()
                return Reply(error.code, error.headers, json.loads(raw) if raw else None)

    def sign_in(self, username: str, password: str) -> Client:
        reply = Client(self.api.removesuffix("/api/v1")).call(
            "POST", "/auth/token", {"username": username, "password": password}
        )
        assert reply.status == 200, reply
        return Client(self.api.removesuffix("/api/v1"), reply.body["access_token"])


def _run_local() -> Any:
    module = sys.modules.get("crm_run_local")
    assert module is not None, "tests/e2e/conftest.py loads deploy/scripts/run_local.py"
    return module


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("embedded"),
        pytest.param("rabbitmq", marks=[pytest.mark.rabbitmq, pytest.mark.postgres]),
    ],
)
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Gateway, customer and sales (web and workers) on ports 182xx: on SQLite and the embedded broker as
    `make up` runs them, or in the production shape (a fresh RabbitMQ vhost, a PostgreSQL database each)."""
    run_local = _run_local()
    components = tuple(c for c in run_local.COMPONENTS if c.name in ("gateway", "customer", "sales"))
    assert [c.name for c in components] == ["gateway", "customer", "sales"]
    env = {key: value for key, value in os.environ.items() if not key.startswith(PLATFORM_VARIABLES)}
    env |= {"CRM_ADMIN_PASSWORD": secrets.token_urlsafe(18), VALIDATE_ENV: "1"}
    ports = PORTS[request.param]
    with contextlib.ExitStack() as resources:
        component_env: dict[str, dict[str, str]] = {}
        if request.param == "rabbitmq":
            components = tuple(
                dataclasses.replace(c, setup=(("crm-gateway", "init"),)) if c.name == "gateway" else c
                for c in components
            )
            env["BROKER_URL"] = resources.enter_context(fresh_vhost(load_policies())).url
            component_env = {
                c.name: {"DATABASE_URL": resources.enter_context(fresh_database())} for c in components
            }
        data_dir = tmp_path_factory.mktemp(f"sales-e2e-{request.param}")
        console = resources.enter_context((data_dir / "console.log").open("w"))
        platform = run_local.Platform(
            data_dir=data_dir,
            components=components,
            ports=ports,
            env=env,
            component_env=component_env,
            console=console,
        )
        resources.callback(platform.stop)
        try:
            platform.start()
            platform.wait_ready(90)
        except run_local.StartupError as exc:
            pytest.fail(f"the sales platform did not start: {exc}\n{exc.log_tail}", pytrace=False)
        yield platform


def eventually(check: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def make_user(
    admin: Client, platform: Any, username: str, roles: list[str], team: str | None
) -> tuple[Client, str]:
    password = secrets.token_urlsafe(16)
    created = admin.call(
        "POST", "/users", {"username": username, "password": password, "roles": roles, "team": team}
    )
    assert created.status == 201, created
    return Client(platform.gateway_url).sign_in(username, password), created.body["id"]


def test_web_lead_to_won_opportunity_with_the_customer_service_down_during_conversion(platform: Any) -> None:
    admin = Client(platform.gateway_url).sign_in(platform.admin_username, platform.admin_password)
    team = admin.call("POST", "/teams", {"name": "north"})
    assert team.status in (201, 409), team
    manager, _ = make_user(admin, platform, "maria.manager", ["sales_manager"], "north")
    rep, rep_id = make_user(admin, platform, "robert.rep", ["sales_rep"], "north")

    # The manager sets up the roster, an assignment rule and a web form.
    assert (
        manager.call("POST", "/sales-reps", {"id": rep_id, "name": "Robert", "team": "north"}).status == 201
    )
    rule = manager.call(
        "POST", "/lead-assignment-rules", {"name": "Web leads", "sources": ["web"], "rep_ids": [rep_id]}
    )
    assert rule.status == 201, rule
    form = manager.call("POST", "/web-forms", {"name": "Website", "consent_text": "Contact me about offers."})
    assert form.status == 201, form

    # A visitor submits the form: no token, the form's key.
    visitor = Client(platform.gateway_url)
    lead_body = {
        "first_name": "Lena",
        "last_name": "Krause",
        "company": "Nordwind Logistik E2E",
        "email": "lena.krause@nordwind-e2e.example",
        "website": "https://nordwind-e2e.example",
        "consent": True,
    }
    refused = visitor.call("POST", "/web-leads", lead_body, headers={"X-Api-Key": "wf_not-a-key"})
    assert refused.status == 401 and refused.body["code"] == "sales.web_form.key_invalid"
    receipt = visitor.call("POST", "/web-leads", lead_body, headers={"X-Api-Key": form.body["api_key"]})
    assert receipt.status == 201, receipt
    lead_id = receipt.body["id"]

    # It was assigned to the rep, who qualifies it.
    lead = rep.call("GET", f"/leads/{lead_id}")
    assert (lead.body["owner_id"], lead.body["consent"]["granted"]) == (rep_id, True)
    assert rep.call("POST", f"/leads/{lead_id}/qualify").status == 200
    bad = rep.call(
        "POST", f"/leads/{lead_id}/convert", {"opportunity": {"amount": "lots", "currency": "EUR"}}
    )
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "opportunity.amount"

    # The customer service is down while the lead is converted: the opportunity exists at once.
    platform.kill("customer-worker", signal.SIGTERM)
    platform.kill("customer", signal.SIGTERM)
    try:
        body = {"opportunity": {"amount": "48000.00", "currency": "EUR", "expected_close_date": "2026-12-15"}}
        converted = rep.call(
            "POST", f"/leads/{lead_id}/convert", body, headers={"Idempotency-Key": "e2e-convert"}
        )
        assert converted.status == 201, converted
        opportunity_id = converted.body["opportunity"]["id"]
        assert converted.body["opportunity"]["account_pending"] is True
        time.sleep(1.0)  # the sales worker has published by now; nobody answers yet
        assert rep.call("GET", f"/opportunities/{opportunity_id}").body["account_pending"] is True
    finally:
        platform.respawn("customer")
        platform.respawn("customer-worker")
    platform.wait_ready(60)

    def linked() -> dict[str, Any] | None:
        current = rep.call("GET", f"/opportunities/{opportunity_id}").body
        return current if not current["account_pending"] else None

    opportunity = eventually(linked, "the opportunity getting its account")
    account = rep.call("GET", f"/accounts/{opportunity['account_id']}")
    assert account.status == 200 and account.body["name"] == "Nordwind Logistik E2E"
    assert rep.call("GET", f"/leads/{lead_id}").body["account_id"] == opportunity["account_id"]
    accounts = rep.call("GET", "/accounts?q=Nordwind%20Logistik%20E2E").body["items"]
    assert len(accounts) == 1  # never two accounts for one lead

    # Stages, then won.
    proposal = next(
        stage["id"]
        for pipeline in rep.call("GET", "/pipelines").body["items"]
        for stage in pipeline["stages"]
        if pipeline["is_default"] and stage["name"] == "Proposal"
    )
    moved = rep.call("POST", f"/opportunities/{opportunity_id}/stage", {"stage_id": proposal})
    assert moved.status == 200 and moved.body["weighted_amount"] == "24000.00"
    won = rep.call("POST", f"/opportunities/{opportunity_id}/win")
    assert won.status == 200 and won.body["status"] == "won"
    history = rep.call("GET", f"/opportunities/{opportunity_id}/stage-history").body["items"]
    assert [item["stage_name"] for item in history] == ["Qualification", "Proposal", "Won"]

    # A completed visit lands on the account's timeline in the customer service.
    visit = rep.call(
        "POST",
        "/activities",
        {
            "kind": "visit",
            "subject": "Kick-off visit",
            "due_at": "2026-12-01T09:00:00Z",
            "opportunity_id": opportunity_id,
        },
    )
    assert visit.status == 201 and visit.body["account_id"] == opportunity["account_id"]
    done = rep.call("POST", f"/activities/{visit.body['id']}/complete", {"outcome": "successful"})
    assert done.status == 200, done
    timeline = f"/accounts/{opportunity['account_id']}/interactions"

    def visit_logged() -> bool:
        items = rep.call("GET", timeline).body["items"]
        return any(item["source"] == "sales" and "Kick-off visit" in item["summary"] for item in items)

    eventually(visit_logged, "the completed visit on the account's timeline")
    platform.check_alive()


def test_rep_sees_only_own_leads_through_the_gateway(platform: Any) -> None:
    admin = Client(platform.gateway_url).sign_in(platform.admin_username, platform.admin_password)
    other, _ = make_user(admin, platform, "olga.other", ["sales_rep"], "south")
    assert other.call("GET", "/leads").body["items"] == []
    assert other.call("POST", "/web-forms", {"name": "x"}).status == 403
    anonymous = Client(platform.gateway_url)
    assert anonymous.call("GET", "/leads").status == 401
