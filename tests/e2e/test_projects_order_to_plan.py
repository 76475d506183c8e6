"""Projects end to end through the gateway (ports 1848x): a quote accepted in sales confirms an order, the
projects worker turns it into exactly one project with its scope, budget and first baseline; a project
manager plans tasks with all four dependency types, reads the critical path, slips a task, watches the
dependants and the critical path move, and reads the variance against the baseline."""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from crmkit.events.outbox import VALIDATE_ENV

pytestmark = pytest.mark.e2e
PORTS = {"gateway": 18480, "gateway-app": 18489, "customer": 18481, "sales": 18482, "projects": 18484}
PLATFORM_VARIABLES = ("CRM_", "BROKER_", "DATABASE_URL", "JWT_", "SALES_", "PROJECTS_")
TIMEOUT = 30.0


@dataclasses.dataclass
class Reply:
    status: int
    body: Any


class Client:
    """JSON over HTTP to the gateway's /api/v1, with a bearer token once signed in."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url, self.token = base_url, token

    def call(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> Reply:
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
                return Reply(response.status, json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            with error:
                raw = error.read()
                return Reply(error.code, json.loads(raw) if raw else None)

    def sign_in(self, username: str, password: str) -> Client:
        reply = Client(self.base_url).call(
            "POST", "/auth/token", {"username": username, "password": password}
        )
        assert reply.status == 200, reply
        return Client(self.base_url, reply.body["access_token"])


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Gateway, customer, sales and projects (web and workers) on SQLite and the embedded broker."""
    run_local = sys.modules.get("crm_run_local")
    assert run_local is not None, "tests/e2e/conftest.py loads deploy/scripts/run_local.py"
    wanted = ("gateway", "customer", "sales", "projects")
    components = tuple(c for c in run_local.COMPONENTS if c.name in wanted)
    env = {key: value for key, value in os.environ.items() if not key.startswith(PLATFORM_VARIABLES)}
    env |= {"CRM_ADMIN_PASSWORD": secrets.token_urlsafe(18), VALIDATE_ENV: "1"}
    data_dir = tmp_path_factory.mktemp("projects-e2e")
    with (data_dir / "console.log").open("w") as console:
        platform = run_local.Platform(
            data_dir=data_dir, components=components, ports=PORTS, env=env, console=console
        )
        try:
            platform.start()
            platform.wait_ready(90)
            yield platform
        except run_local.StartupError as exc:
            pytest.fail(f"the projects platform did not start: {exc}\n{exc.log_tail}", pytrace=False)
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
    created = admin.call("POST", "/users", {"username": username, "password": password, "roles": roles})
    assert created.status == 201, created
    return Client(platform.gateway_url).sign_in(username, password), created.body["id"]


def confirm_an_order(admin: Client) -> dict[str, Any]:
    """Sell 10 consulting days at 1000.00 EUR to a new account; return the confirmed order."""
    product = admin.call(
        "POST", "/products", {"sku": "PRJ-DAY", "name": "Consulting day", "kind": "service", "unit": "day"}
    )
    assert product.status == 201, product
    prices = {
        "currency": "EUR",
        "name": "Euro",
        "prices": [{"product_id": product.body["id"], "unit_price": "1000.00"}],
    }
    assert admin.call("POST", "/price-lists", prices).status == 201
    account = admin.call("POST", "/accounts", {"name": "Projekt E2E AG", "allow_duplicate": True})
    assert account.status == 201, account
    opportunity = admin.call(
        "POST",
        "/opportunities",
        {"name": "Rollout", "amount": "10000.00", "currency": "EUR", "account_id": account.body["id"]},
    )
    assert opportunity.status == 201, opportunity
    line = {"product_id": product.body["id"], "quantity": "10"}
    quote = admin.call("POST", "/quotes", {"opportunity_id": opportunity.body["id"], "lines": [line]})
    assert quote.status == 201, quote
    assert admin.call("POST", f"/quotes/{quote.body['id']}/send", {}).status == 200
    accepted = admin.call("POST", f"/quotes/{quote.body['id']}/accept", {})
    assert accepted.status == 200, accepted
    order: dict[str, Any] = admin.call("GET", f"/orders/{accepted.body['order_id']}").body
    assert order["status"] == "confirmed"
    return order


def test_a_confirmed_order_becomes_a_project_that_a_manager_plans_slips_and_compares(platform: Any) -> None:
    admin = Client(platform.gateway_url).sign_in(platform.admin_username, platform.admin_password)
    pm, pm_id = make_user(admin, platform, "paula.pm", ["project_manager"])
    order = confirm_an_order(admin)

    projects = eventually(
        lambda: pm.call("GET", f"/projects?order={order['id']}").body["items"], "the project"
    )
    (project,) = projects
    assert (project["account_id"], project["budget_amount"], project["source"]) == (
        order["account_id"],
        "10000.00",
        "order",
    )
    pid = project["id"]
    scope = pm.call("GET", f"/projects/{pid}/scope").body["items"]
    assert [(item["category"], item["amount"]) for item in scope] == [("labour", "10000.00")]
    (baseline,) = pm.call("GET", f"/projects/{pid}/baselines").body["items"]
    assert baseline["budget_amount"] == "10000.00"

    # The project manager staffs themselves, then plans with FS, SS, FF and SF links.
    joined = pm.call("POST", f"/projects/{pid}/team", {"user_id": pm_id, "role": "project_manager"})
    assert joined.status == 201, joined
    planner = pm
    (consulting,) = planner.call("GET", f"/projects/{pid}/tasks").body["items"]
    ids = {"A": consulting["id"]}
    for name, days in (("B", 2), ("C", 4), ("D", 2), ("E", 0)):
        body = {"name": name, "duration_days": days} if days else {"name": name, "is_milestone": True}
        created = planner.call("POST", f"/projects/{pid}/tasks", body)
        assert created.status == 201, created
        ids[name] = created.body["id"]
    for predecessor, successor, kind, lag in (
        ("A", "B", "FS", 0),
        ("A", "C", "SS", 2),
        ("B", "D", "FF", 1),
        ("C", "E", "SF", 3),
        ("D", "E", "FS", 0),
    ):
        link = {
            "predecessor_id": ids[predecessor],
            "successor_id": ids[successor],
            "type": kind,
            "lag_days": lag,
        }
        response = planner.call("POST", f"/projects/{pid}/dependencies", link)
        assert response.status == 201, response
    cycle = planner.call(
        "POST", f"/projects/{pid}/dependencies", {"predecessor_id": ids["E"], "successor_id": ids["A"]}
    )
    assert cycle.status == 422 and cycle.body["code"] == "projects.dependency.cycle"

    path = planner.call("GET", f"/projects/{pid}/critical-path").body
    assert path["critical_task_ids"] == [ids["A"], ids["B"], ids["D"], ids["E"]]
    saved = planner.call("POST", f"/projects/{pid}/baselines", {"name": "Plan"})
    assert saved.status == 201, saved

    # C slips to 20 days: it now ends last and becomes critical; B and D get float.
    current = planner.call("GET", f"/tasks/{ids['C']}")
    slipped = planner.call(
        "PATCH",
        f"/tasks/{ids['C']}",
        {"duration_days": 20},
        headers={"If-Match": f'"{current.body["version"]}"'},
    )
    assert slipped.status == 200, slipped
    moved = planner.call("GET", f"/projects/{pid}/critical-path").body
    assert ids["C"] in moved["critical_task_ids"] and ids["B"] not in moved["critical_task_ids"]
    assert moved["finish_date"] > path["finish_date"]
    variance = planner.call("GET", f"/projects/{pid}/baselines/{saved.body['id']}/variance").body
    rows = {row["task_id"]: row for row in variance["tasks"]}
    assert rows[ids["C"]]["finish_variance_days"] > 0 and variance["project"]["finish_variance_days"] > 0
    platform.check_alive()
