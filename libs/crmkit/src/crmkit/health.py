"""Liveness and readiness: /healthz says the process runs, /readyz that its database and broker answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from kombu.connection import Connection

from crmkit.db import Database
from crmkit.settings import ServiceSettings

log = logging.getLogger(__name__)
READY_CACHE_SECONDS = 2.0

blueprint = Blueprint("health", __name__)
Check = Callable[[], None]


def database_check(database: Database) -> Check:
    return database.ping


def broker_check(settings: ServiceSettings) -> Check:
    def check() -> None:
        if settings.uses_filesystem_broker:
            for folder in ("queues", "control"):
                if not (settings.broker_dir / folder).is_dir():
                    raise OSError(f"broker folder {settings.broker_dir / folder} is missing")
            return
        with Connection(settings.broker_url, connect_timeout=2) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=1, timeout=2)

    return check


class Readiness:
    """Named checks, their last result cached briefly so probes do not hammer the database or broker."""

    def __init__(self, checks: dict[str, Check]) -> None:
        self.checks = checks
        self._last: tuple[float, dict[str, Any]] | None = None

    def report(self) -> dict[str, Any]:
        if self._last and time.monotonic() - self._last[0] < READY_CACHE_SECONDS:
            return self._last[1]
        results = {name: self._run(name, check) for name, check in self.checks.items()}
        report = {
            "status": "ok" if all(r == "ok" for r in results.values()) else "unavailable",
            "checks": results,
        }
        self._last = (time.monotonic(), report)
        return report

    @staticmethod
    def _run(name: str, check: Check) -> str:
        try:
            check()
        except Exception as error:  # any failure means "not ready"; the reason is reported, not raised
            log.warning("readiness check %s failed: %s", name, error)
            return f"failed: {error}"
        return "ok"


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Say the process is alive."""
    return jsonify(status="ok", service=current_app.extensions["crm"].settings.service)


@blueprint.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Say whether the database and the broker answer."""
    report = current_app.extensions["crm"].readiness.report()
    return jsonify(report), (200 if report["status"] == "ok" else 503)
