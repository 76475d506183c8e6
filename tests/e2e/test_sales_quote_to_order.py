"""Sales commercial end to end through the gateway (ports 1826x): a campaign response becomes a lead, is
assigned, qualified and converted; a discounted quote needs and gets a manager's approval, is sent and
accepted; the order is confirmed; then the forecast, a snapshot, the campaign's ROI and the rep's performance
show exactly that deal."""

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
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from crmkit.events.outbox import VALIDATE_ENV

pytestmark = pytest.mark.e2e
PORTS = {"gateway": 18260, "gateway-app": 18269, "customer": 18261, "sales": 18262}
PLATFORM_VARIABLES = ("CRM_", "BROKER_", "DATABASE_URL", "JWT_", "SALES_")
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
                return Reply(response.status, _decode(raw, response.headers.get_content_type()))
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, _decode(error.read(), "application/json"))

    def sign_in(self, username: str, password: str) -> Client:
        reply = Client(self.base_url).call(
            "POST", "/auth/token", {"username": username, "password": password}
        )
        assert reply.status == 200, reply
        return Client(self.base_url, reply.body["access_token"])


def _decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    return raw.decode() if content_type == "text/html" else json.loads(raw)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Gateway, customer and sales (web and workers) on SQLite and the embedded broker, ports 1826x."""
    run_local = sys.modules.get("crm_run_local")
    assert run_local is not None, "tests/e2e/conftest.py loads deploy/scripts/run_local.py"
    components = tuple(c for c in run_local.COMPONENTS if c.name in ("gateway", "customer", "sales"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(PLATFORM_VARIABLES)}
    env |= {"CRM_ADMIN_PASSWORD": secrets.token_urlsafe(18), VALIDATE_ENV: "1"}
    data_dir = tmp_path_factory.mktemp("sales-commercial-e2e")
    with (data_dir / "console.log").open("w") as console:
        platform = run_local.Platform(
            data_dir=data_dir, components=components, ports=PORTS, env=env, console=console
        )
        try:
            platform.start()
            platform.wait_ready(90)
            yield platform
        except run_local.StartupError as exc:
            pytest.fail(f"the sales platform did not start: {exc}\n{exc.log_tail}", pytrace=False)
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


def make_user(
    admin: Client, platform: Any, username: str, roles: list[str], team: str | None
) -> tuple[Client, str]:
    password = secrets.token_urlsafe(16)
    created = admin.call(
        "POST", "/users", {"username": username, "password": password, "roles": roles, "team": team}
    )
    assert created.status == 201, created
    return Client(platform.gateway_url).sign_in(username, password), created.body["id"]


def quarter(today: date) -> tuple[date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end = date(today.year + 1, 1, 1) if first_month == 10 else date(today.year, first_month + 3, 1)
    return start, end - timedelta(days=1)


def set_up_catalog(boss: Client) -> str:
    """A consulting day at 1200.00 EUR (19 % tax); reps may give 10 % without approval. Return the product."""
    product = boss.call(
        "POST",
        "/products",
        {"sku": "E2E-DAY", "name": "Consulting day", "kind": "service", "unit": "day", "tax_rate": "19"},
    )
    assert product.status == 201, product
    prices = {
        "currency": "EUR",
        "name": "Euro list",
        "prices": [{"product_id": product.body["id"], "unit_price": "1200.00"}],
    }
    assert boss.call("POST", "/price-lists", prices).status == 201
    rule = boss.call(
        "POST", "/discount-rules", {"role": "sales_rep", "tier": "any", "max_discount_percent": "10"}
    )
    assert rule.status == 201, rule
    return str(product.body["id"])


def test_campaign_lead_to_approved_quote_order_forecast_snapshot_roi_and_performance(platform: Any) -> None:
    admin = Client(platform.gateway_url).sign_in(platform.admin_username, platform.admin_password)
    assert admin.call("POST", "/teams", {"name": "north"}).status in (201, 409)
    manager, _ = make_user(admin, platform, "mona.manager", ["sales_manager"], "north")
    rep, rep_id = make_user(admin, platform, "ralf.rep", ["sales_rep"], "north")
    boss, _ = make_user(admin, platform, "bea.boss", ["management"], None)
    marketer, _ = make_user(admin, platform, "mia.marketing", ["marketing"], None)
    product_id = set_up_catalog(boss)
    assert manager.call("POST", "/sales-reps", {"id": rep_id, "name": "Ralf", "team": "north"}).status == 201
    rule = {"name": "Campaign leads", "sources": ["campaign"], "rep_ids": [rep_id]}
    assert manager.call("POST", "/lead-assignment-rules", rule).status == 201

    # Marketing runs a campaign; a response becomes a lead that the rules assign to the rep.
    campaign = marketer.call(
        "POST",
        "/campaigns",
        {"name": "Autumn webinar", "channel": "webinar", "budget": "5000", "actual_cost": "4000"},
    )
    assert campaign.status == 201, campaign
    response = marketer.call(
        "POST",
        f"/campaigns/{campaign.body['id']}/responses",
        {
            "first_name": "Sven",
            "last_name": "Sturm",
            "company": "Sturmvogel E2E GmbH",
            "email": "sven@sturmvogel-e2e.example",
        },
    )
    assert response.status == 201, response
    lead_id = response.body["lead_id"]
    assert rep.call("GET", f"/leads/{lead_id}").body["owner_id"] == rep_id

    # The rep qualifies and converts it; the customer service links the account.
    today = datetime.now(UTC).date()
    assert rep.call("POST", f"/leads/{lead_id}/qualify").status == 200
    body = {
        "opportunity": {"amount": "30000.00", "currency": "EUR", "expected_close_date": today.isoformat()}
    }
    converted = rep.call("POST", f"/leads/{lead_id}/convert", body)
    assert converted.status == 201, converted
    opportunity_id = converted.body["opportunity"]["id"]
    eventually(
        lambda: not rep.call("GET", f"/opportunities/{opportunity_id}").body["account_pending"],
        "the account link",
    )

    # A 15 % discount is above the rep's 10 %: approval first, then send and accept.
    line = {"product_id": product_id, "quantity": "20", "discount_percent": "15"}
    quote = rep.call("POST", "/quotes", {"opportunity_id": opportunity_id, "lines": [line]})
    assert quote.status == 201, quote
    assert (quote.body["net_total"], quote.body["total"], quote.body["approval_required"]) == (
        "20400.00",
        "24276.00",
        True,
    )
    quote_url = f"/quotes/{quote.body['id']}"
    refused = rep.call("POST", f"{quote_url}/send", {})
    assert refused.status == 409 and refused.body["code"] == "sales.quote.approval_required"
    assert rep.call("POST", f"{quote_url}/approval-request", {"note": "strategic"}).status == 200
    assert manager.call("POST", f"{quote_url}/approve", {}).status == 200
    assert rep.call("POST", f"{quote_url}/send", {}).body["status"] == "sent"
    document = rep.call("GET", f"{quote_url}/document")
    assert document.status == 200 and "24276.00" in document.body
    accepted = rep.call("POST", f"{quote_url}/accept", {})
    assert accepted.status == 200, accepted
    order = rep.call("GET", f"/orders/{accepted.body['order_id']}").body
    assert (order["status"], order["total"], order["total_in_base"]) == ("confirmed", "24276.00", "24276.00")
    assert rep.call("GET", f"/opportunities/{opportunity_id}").body["status"] == "won"

    # Forecast, snapshot, ROI and performance reflect exactly that deal.
    start, end = quarter(today)
    period = f"from={start.isoformat()}&to={end.isoformat()}"
    forecast = rep.call("GET", f"/forecast?{period}&group_by=owner").body
    assert forecast["totals"]["closed_won"] == "20400.00" and forecast["rows"][0]["owner_id"] == rep_id
    snapshot = manager.call("POST", "/forecast-snapshots", {})
    assert snapshot.status == 201 and snapshot.body["totals"]["closed_won"] == "20400.00"
    accuracy = manager.call("GET", f"/forecast-snapshots/{snapshot.body['id']}/accuracy").body
    assert (
        accuracy["totals"]["actual_won"] == "20400.00"
        and accuracy["totals"]["accuracy_commit_percent"] == "100.00"
    )
    roi = marketer.call("GET", f"/campaigns/{campaign.body['id']}/roi").body
    assert (roi["won_revenue"], roi["roi"], roi["converted_leads"]) == ("20400.00", "4.1000", 1)
    performance = manager.call("GET", f"/sales-performance?{period}").body["rows"]
    mine = next(row for row in performance if row["owner_id"] == rep_id)
    assert (mine["won_amount"], mine["win_rate_percent"], mine["lead_conversion_percent"]) == (
        "20400.00",
        "100.00",
        "100.00",
    )
    platform.check_alive()
