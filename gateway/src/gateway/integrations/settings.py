"""Settings of the gateway worker: the event log, the webhook dispatcher and the audit log's retention."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any, Self

from crmkit import SettingsError

MIN_RETRY_HOURS = 24.0


@dataclasses.dataclass(frozen=True)
class IntegrationSettings:
    """Retention, dispatcher pace, backoff and retry window, and the HTTP client's limits."""

    retention_days: float = 30.0
    purge_every_seconds: float = 3600.0
    dispatch_every_seconds: float = 1.0
    dispatch_batch: int = 100
    dispatch_concurrency: int = 8
    backoff_base_seconds: float = 10.0
    backoff_max_seconds: float = 3600.0
    retry_hours: float = 72.0
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    # The audit log's retention (`audit-log-purge`); a huge number of days keeps entries practically forever.
    audit_retention_days: float = 365.0
    audit_purge_every_seconds: float = 3600.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Read CRM_EVENT_*, CRM_WEBHOOK_*, CRM_AUDIT_* ; fail fast on a bad value."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(ENV_NAMES[field.name])
            if raw:
                kind = int if field.type == "int" else float
                values[field.name] = _number(ENV_NAMES[field.name], raw, kind)
        settings = cls(**(values | overrides))
        settings.validate()
        return settings

    def validate(self) -> None:
        """Every number positive (not NaN); the retry window at least 24 hours."""
        for field in dataclasses.fields(self):
            if not getattr(self, field.name) > 0:
                raise SettingsError(f"{ENV_NAMES[field.name]} must be greater than 0")
        if self.retry_hours < MIN_RETRY_HOURS:
            raise SettingsError(f"CRM_WEBHOOK_RETRY_HOURS must be at least {MIN_RETRY_HOURS:g}")


ENV_NAMES = {
    "retention_days": "CRM_EVENT_RETENTION_DAYS",
    "purge_every_seconds": "CRM_EVENT_PURGE_EVERY_SECONDS",
    "dispatch_every_seconds": "CRM_WEBHOOK_DISPATCH_EVERY_SECONDS",
    "dispatch_batch": "CRM_WEBHOOK_DISPATCH_BATCH",
    "dispatch_concurrency": "CRM_WEBHOOK_CONCURRENCY",
    "backoff_base_seconds": "CRM_WEBHOOK_BACKOFF_BASE_SECONDS",
    "backoff_max_seconds": "CRM_WEBHOOK_BACKOFF_MAX_SECONDS",
    "retry_hours": "CRM_WEBHOOK_RETRY_HOURS",
    "connect_timeout": "CRM_WEBHOOK_CONNECT_TIMEOUT",
    "read_timeout": "CRM_WEBHOOK_READ_TIMEOUT",
    "audit_retention_days": "CRM_AUDIT_RETENTION_DAYS",
    "audit_purge_every_seconds": "CRM_AUDIT_PURGE_EVERY_SECONDS",
}


def _number(name: str, raw: str, kind: type[int] | type[float]) -> float:
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
