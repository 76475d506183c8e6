"""End to end through the gateway, with the real processes (gateway, customer, service desk and their
workers, embedded broker): a key customer's e-mail becomes a ticket for the right account, a reply mail
threads onto it, the ticket is resolved, and the requester answers the survey without logging in."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crmkit.events.outbox import VALIDATE_ENV
from crmkit.testing.scripts import load_script

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[4]
PORTS = {"gateway": 18380, "customer": 18381, "service-desk": 18383}
WAIT = 30.0


def _run_local() -> ModuleType:
    """deploy/scripts/run_local.py (a script folder, not a package) as a module."""
    return load_script(ROOT / "deploy" / "scripts" / "run_local.py", "sd_run_local")


class Api:
    def __init__(self, base_url: str) -> None:
        self.base = f"{base_url}/api/v1"
        self.token: str | None = None

    def call(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        sent = {"Accept": "application/json", **(headers or {})}
        if self.token and "X-Inbound-Secret" not in sent:
            sent["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.base + path, data=data, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            with error:
                raw = error.read()
                return error.code, json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    run_local = _run_local()
    wanted = set(PORTS)
    components = tuple(c for c in run_local.COMPONENTS if c.name in wanted)
    assert {c.name for c in components} == wanted, "register service-desk in deploy/scripts/run_local.py"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CRM_", "BROKER_", "DATABASE_URL", "JWT_"))
    }
    env |= {"CRM_ADMIN_PASSWORD": secrets.token_urlsafe(18), VALIDATE_ENV: "1", "WEB_CONCURRENCY": "1"}
    data_dir = tmp_path_factory.mktemp("service-desk-e2e")
    with (data_dir / "console.log").open("w") as console:
        running = run_local.Platform(
            data_dir=data_dir, components=components, ports=PORTS, env=env, console=console, edge=False
        )
        try:
            running.start()
            running.wait_ready(90)
        except BaseException:
            running.stop()
            raise
        try:
            yield running
        finally:
            running.stop()


def until(check: Any, what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {WAIT} s: {what}")


def test_mail_to_ticket_to_survey_through_the_gateway(platform: Any) -> None:
    api = Api(platform.gateway_url)
    status, token = api.call(
        "POST", "/auth/token", {"username": platform.admin_username, "password": platform.admin_password}
    )
    assert status == 200, token
    api.token = token["access_token"]
    status, account = api.call(
        "POST", "/accounts", {"name": "Kestrel Maritime", "tier": "key", "website": "kestrel.example"}
    )
    assert status == 201, account
    status, contact = api.call(
        "POST",
        f"/accounts/{account['id']}/contacts",
        {"name": "Ines Moreau", "emails": [{"address": "ines@kestrel.example"}]},
    )
    assert status == 201, contact

    # the service desk's worker feeds its read model from the customer events
    probe = {"subject": "Read model probe", "contact_id": contact["id"]}
    until(lambda: api.call("POST", "/tickets", probe)[0] == 201, "the contact reached the service desk")

    status, box = api.call("POST", "/inbound-mail/mailboxes", {"address": "help@crm.example"})
    assert status == 201, box
    mail = (
        b"From: Ines Moreau <ines@kestrel.example>\r\nSubject: Vessel tracking is down\r\n"
        b"Message-ID: <q1@kestrel.example>\r\n\r\nNo positions since 08:00.\r\n"
    )
    mail_headers = {"Content-Type": "message/rfc822", "X-Inbound-Secret": box["secret"]}
    status, created = api.call("POST", "/inbound-mail", mail, mail_headers)
    assert status == 201, created
    status, ticket = api.call("GET", f"/tickets/{created['ticket_id']}")
    assert (ticket["account_id"], ticket["contact_id"], ticket["channel"]) == (
        account["id"],
        contact["id"],
        "email",
    )

    reply = (
        b"From: ines@kestrel.example\r\nSubject: Re: Vessel tracking is down\r\nMessage-ID: <q2@kestrel.example>\r\n"
        b"In-Reply-To: <q1@kestrel.example>\r\n\r\nStill down.\r\n"
    )
    status, threaded = api.call("POST", "/inbound-mail", reply, mail_headers)
    assert (status, threaded["action"], threaded["ticket_id"]) == (201, "replied", ticket["id"])
    status, bad = api.call("POST", "/inbound-mail", b"not a message", mail_headers)
    assert (status, bad["code"]) == (400, "servicedesk.mail.malformed")

    status, resolved = api.call("POST", f"/tickets/{ticket['id']}/status", {"status": "resolved"})
    assert (status, resolved["status"]) == (200, "resolved")
    status, comments = api.call("GET", f"/tickets/{ticket['id']}/comments")
    [survey] = [
        m.group(1) for c in comments["items"] if (m := re.search(r"survey-responses/(\S+)", c["body"]))
    ]
    public = Api(platform.gateway_url)  # no login
    status, page = public.call("GET", f"/survey-responses/{survey}")
    assert (status, page["state"]) == (200, "open")
    status, _ = public.call("POST", f"/survey-responses/{survey}", {"rating": 5, "comment": "Fast"})
    assert status == 201
    status, again = public.call("POST", f"/survey-responses/{survey}", {"rating": 1})
    assert (status, again["code"]) == (409, "servicedesk.survey.already_answered")
