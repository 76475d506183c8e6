"""Read-only RabbitMQ credentials for an integrator who binds an own queue to crm.events.

The user may declare, bind and consume only queues named `integration.<name>.<anything>` and may read
(bind from) `crm.events`; it can publish nowhere, so it can never inject or remove anyone else's events.
RabbitMQ checks: queue.declare needs *configure* on the queue, queue.bind *write* on the queue and *read*
on the exchange, basic.consume *read* on the queue, basic.publish *write* on the exchange (not granted).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from urllib.parse import quote

from crmkit.events.topology import EVENTS_EXCHANGE, _ManagementApi

USER_PREFIX = "integration-"
QUEUE_PREFIX = "integration."
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclasses.dataclass(frozen=True)
class Grant:
    """The user, its password and the permission patterns it gets on the vhost."""

    user: str
    password: str
    configure: str
    write: str
    read: str

    @property
    def queue_prefix(self) -> str:
        return self.configure.removeprefix("^").removesuffix(".+$").replace("\\.", ".")


def grant_for(name: str, password: str | None = None) -> Grant:
    """The permissions of integrator `name` (lower-case letters, digits, '-' and '_')."""
    if not _NAME.match(name):
        raise ValueError(f"an integration name is lower-case letters, digits, '-' or '_', not {name!r}")
    own = rf"^{re.escape(QUEUE_PREFIX + name + '.')}.+$"
    read = rf"^({re.escape(EVENTS_EXCHANGE)}|{re.escape(QUEUE_PREFIX + name + '.')}.+)$"
    return Grant(USER_PREFIX + name, password or secrets.token_urlsafe(24), own, own, read)


def create_user(api_url: str, admin_user: str, admin_password: str, vhost: str, grant: Grant) -> None:
    """Create (or reset) the user through the management API and set its permissions on `vhost`."""
    api = _ManagementApi(api_url, admin_user, admin_password)
    user = quote(grant.user, safe="")
    api.call("PUT", f"users/{user}", {"password": grant.password, "tags": ""})
    permissions = {"configure": grant.configure, "write": grant.write, "read": grant.read}
    api.call("PUT", f"permissions/{quote(vhost, safe='')}/{user}", permissions)


def delete_user(api_url: str, admin_user: str, admin_password: str, name: str) -> None:
    """Remove integrator `name`'s user (its queues stay until deleted by an operator)."""
    api = _ManagementApi(api_url, admin_user, admin_password)
    api.call("DELETE", f"users/{quote(USER_PREFIX + name, safe='')}")
