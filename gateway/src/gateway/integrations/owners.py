"""What a webhook's owner may receive now: its API key's current scopes, or its user's current roles.

Checked at every delivery, so a revoked or expired API key, a deactivated user, or one who is no longer an
admin stops receiving events at once, and a narrowed key gets what its scopes allow today.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy.orm import Session

from gateway.access.apikeys import ApiKey
from gateway.access.rules import INTEGRATOR
from gateway.identity.models import User
from gateway.integrations import patterns
from gateway.integrations.models import Webhook

API_KEY, USER = "api_key", "user"


@dataclasses.dataclass(frozen=True)
class Grants:
    """The owner's roles and scopes (for masking) and the event types it may receive (None: all)."""

    roles: frozenset[str]
    scopes: frozenset[str]
    event_patterns: tuple[str, ...] | None

    def allows(self, routing_key: str) -> bool:
        return self.event_patterns is None or patterns.matches_any(self.event_patterns, routing_key)


def current_grants(session: Session, webhook: Webhook, now: datetime) -> Grants | None:
    """The owner's grants at `now`, or None when it may no longer receive anything."""
    if webhook.owner_kind == API_KEY:
        key = session.get(ApiKey, webhook.owner_id)
        if key is None or not key.is_usable(now):
            return None
        scopes = frozenset(key.scopes)
        return Grants(frozenset({INTEGRATOR}), scopes, tuple(patterns.scope_patterns(scopes)))
    if webhook.owner_kind == USER:
        user = session.get(User, webhook.owner_id)
        if user is None or not user.active or not user.is_admin:
            return None
        return Grants(frozenset(user.roles), frozenset(), None)
    return None
