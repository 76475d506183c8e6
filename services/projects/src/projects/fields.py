"""Marshmallow fields the features share: RFC 3339 times and decimal money/hours as strings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma

from crmkit.events.envelope import format_time


class Timestamp(ma.fields.AwareDateTime):
    """RFC 3339 in UTC with `Z` on the way out (as in events); an explicit offset required on the way in."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return format_time(value) if value is not None else None


def money(**kwargs: Any) -> ma.fields.Decimal:
    """A non-negative amount with at most 2 decimals, as a decimal string."""
    kwargs.setdefault("validate", ma.validate.Range(min=0, max=10**12))
    return ma.fields.Decimal(as_string=True, places=2, **kwargs)


def hours(**kwargs: Any) -> ma.fields.Decimal:
    """Non-negative hours with at most 2 decimals, as a decimal string."""
    kwargs.setdefault("validate", ma.validate.Range(min=0, max=10**7))
    return ma.fields.Decimal(as_string=True, places=2, **kwargs)
