"""Bad input anywhere gets application/problem+json naming the field, and nothing is half-written: no
record changes, and no event is published (the next good change is the only event the tail shows)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from crmkit.events.envelope import type_for

pytestmark = pytest.mark.e2e


@dataclasses.dataclass(frozen=True)
class Bad:
    """A request the platform must refuse. In `path`, `{account}` is the test's account; in the body,
    `{ref}` is the test's random reference (its accounts' names start with it)."""

    method: str
    path: str
    body: Any
    status: int
    code: str
    field: str | None = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    signed_in: bool = True

    def body_for(self, ref: str) -> Any:
        if isinstance(self.body, bytes):
            return self.body
        return json.loads(json.dumps(self.body).replace("{ref}", ref))


STALE = {"If-Match": '"7"'}
CURRENT = {"If-Match": '"1"'}
BAD_CONTACT = {"name": "Ann", "emails": [{"address": "ann-at-acme"}]}
CASES = [
    pytest.param(Bad("POST", "/accounts", {"tier": "key"}, 422, "validation_failed", "name"), id="no-name"),
    pytest.param(
        Bad(
            "POST",
            "/accounts",
            {"name": "{ref} Rejected", "contacts": [BAD_CONTACT]},
            422,
            "validation_failed",
            "contacts.0.emails.0.address",
        ),
        id="account-with-a-bad-contact",
    ),
    pytest.param(
        Bad(
            "POST",
            "/accounts",
            {"name": "{ref} Rejected", "custom_fields": {"no_such_field": 1}},
            422,
            "customer.custom_field.invalid",
            "custom_fields.no_such_field",
        ),
        id="undefined-custom-field",
    ),
    pytest.param(
        Bad("POST", "/accounts", b'{"name": "{ref} Rejected"', 400, "bad_request", "json"), id="broken-json"
    ),
    pytest.param(
        Bad(
            "POST", "/accounts/{account}/contacts", BAD_CONTACT, 422, "validation_failed", "emails.0.address"
        ),
        id="contact-with-a-bad-email",
    ),
    pytest.param(
        Bad("PATCH", "/accounts/{account}", {"tier": "platinum"}, 422, "validation_failed", "tier", CURRENT),
        id="unknown-tier",
    ),
    pytest.param(
        Bad("PATCH", "/accounts/{account}", {"tier": "key"}, 428, "precondition_required"), id="no-if-match"
    ),
    pytest.param(
        Bad("PATCH", "/accounts/{account}", {"tier": "key"}, 412, "stale_version", headers=STALE),
        id="stale-if-match",
    ),
    pytest.param(
        Bad("POST", "/accounts", {"name": "{ref} Rejected"}, 401, "auth.missing_token", signed_in=False),
        id="no-token",
    ),
    pytest.param(
        Bad(
            "POST",
            "/auth/token",
            {"username": "admin"},
            422,
            "validation_failed",
            "password",
            signed_in=False,
        ),
        id="sign-in-without-password",
    ),
]


@pytest.fixture(scope="module")
def gateway(embedded_stack: Any) -> Any:
    return embedded_stack.admin()


@pytest.fixture(scope="module")
def tail(embedded_stack: Any) -> Iterator[Any]:
    with embedded_stack.watch("customer.#") as tail:
        yield tail


@pytest.mark.parametrize("bad", CASES)
def test_bad_input_gets_problem_json_naming_the_field_and_writes_and_publishes_nothing(
    bad: Bad, gateway: Any, tail: Any, random_ref: Callable[[str], str]
) -> None:
    ref = random_ref("e2e").replace("-", "")
    account = gateway.post("/accounts", {"name": f"{ref} Existing"}).body
    tail.wait_for("customer.account.created", account["id"])
    before, mark = snapshot(gateway, ref, account["id"]), tail.mark()
    assert [item["id"] for item in before[0]["items"]] == [account["id"]]  # the list would show a new one

    request_id = random_ref("e2e-bad")
    headers = {"X-Request-ID": request_id, **bad.headers}
    path = bad.path.format(account=account["id"])
    reply = gateway.request(bad.method, path, bad.body_for(ref), headers=headers, signed_in=bad.signed_in)

    assert_problem(reply, bad, request_id)
    assert snapshot(gateway, ref, account["id"]) == before
    changed = gateway.patch(f"/accounts/{account['id']}", {"industry": "Testing"}, headers=CURRENT)
    assert changed.status == 200, changed
    tail.wait_for("customer.account.updated", account["id"])
    assert tail.seen(since=mark) == [(type_for("customer.account.updated"), account["id"])]


def snapshot(gateway: Any, ref: str, account_id: str) -> tuple[Any, ...]:
    """What a refused request must leave as it was: the test's accounts, its account and its contacts."""
    accounts = gateway.get(f"/accounts?q={ref}&limit=100")
    account = gateway.get(f"/accounts/{account_id}")
    contacts = gateway.get(f"/accounts/{account_id}/contacts?limit=100")
    assert (accounts.status, account.status, contacts.status) == (200, 200, 200)
    return accounts.body, account.etag, account.body, contacts.body


def assert_problem(reply: Any, bad: Bad, request_id: str) -> None:
    """An RFC 9457 problem with our status and code, naming the bad field, carrying our request id."""
    assert reply.status == bad.status, reply
    assert reply.headers.get_content_type() == "application/problem+json"
    problem = reply.body
    assert (problem["status"], problem["code"]) == (bad.status, bad.code)
    assert problem["type"].endswith(f"/{bad.code}") and problem["title"] and problem["detail"]
    assert problem["request_id"] == reply.headers["X-Request-ID"] == request_id
    if bad.field is not None:
        assert bad.field in [error["field"] for error in problem["errors"]], problem
