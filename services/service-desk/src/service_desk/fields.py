"""Marshmallow fields the features share: RFC 3339 times and e-mail addresses."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import marshmallow as ma

from crmkit.events.envelope import format_time

EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


class Timestamp(ma.fields.AwareDateTime):
    """RFC 3339 in UTC with `Z` on the way out (as in events); an explicit offset required on the way in."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return format_time(value) if value is not None else None


class EmailAddress(ma.fields.String):
    """An e-mail address, trimmed and lower-cased."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        address = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if len(address) > 254 or not EMAIL.match(address):
            raise ma.ValidationError("is not an e-mail address such as jana@acme.example")
        return address
