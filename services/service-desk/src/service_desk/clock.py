"""The service's clock: every "now" in the service desk comes from here, so tests can drive time.

Tests replace `now` (see the `clock` fixture in tests/conftest.py); code calls `clock.now()` at run time,
never `from service_desk.clock import now`, so the replacement is seen everywhere.
"""

from __future__ import annotations

from datetime import datetime

from crmkit.types import utcnow


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return utcnow()
