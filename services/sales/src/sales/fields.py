"""Marshmallow fields the features share: times, money, currency codes, trimmed text, e-mail addresses."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma

from crmkit.events.envelope import format_time

MAX_AMOUNT = Decimal("9999999999999999.99")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Timestamp(ma.fields.AwareDateTime):
    """RFC 3339 in UTC with `Z` on the way out (as in events); an explicit offset required on the way in."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return format_time(value) if value is not None else None


class Money(ma.fields.Field):
    """An amount as a decimal string ("1234.50"); numbers are accepted on the way in, never floats out."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value):.2f}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ma.ValidationError('must be a decimal amount such as "1250.00"')
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ma.ValidationError('must be a decimal amount such as "1250.00"') from None
        if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
            raise ma.ValidationError(f"must be between 0 and {MAX_AMOUNT}")
        if amount != amount.quantize(Decimal("0.01")):
            raise ma.ValidationError("must have at most two decimals")
        return amount.quantize(Decimal("0.01"))


class Currency(ma.fields.String):
    """An ISO 4217 code such as EUR (upper case)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).strip()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ma.ValidationError("must be an ISO 4217 currency code such as EUR")
        return code


class Text(ma.fields.String):
    """Trimmed text of 1 to `max_length` characters."""

    def __init__(self, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(validate=ma.validate.Length(1, max_length), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return str(super()._deserialize(value, attr, data, **kwargs)).strip()


class EmailAddress(ma.fields.String):
    """An e-mail address, trimmed (the case is kept; duplicate checks compare lower-cased)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(text) > 254 or not _EMAIL.match(text):
            raise ma.ValidationError("must be an e-mail address such as jana@acme.example")
        return text


class UserRef(ma.fields.String):
    """A user id (the token's `sub`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=ma.validate.Length(1, 64), **kwargs)
