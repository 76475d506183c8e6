"""Schema fields for money, percentages, quantities and currency codes (decimal strings on the wire)."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import marshmallow as ma

BASE_CURRENCY_ENV = "SALES_BASE_CURRENCY"
DEFAULT_BASE_CURRENCY = "EUR"


def base_currency() -> str:
    """The currency forecasts, quotas, campaign ROI and order totals roll up into (SALES_BASE_CURRENCY)."""
    code = os.environ.get(BASE_CURRENCY_ENV, DEFAULT_BASE_CURRENCY).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"{BASE_CURRENCY_ENV} must be an ISO 4217 code such as EUR, not {code!r}")
    return code


def _max_places(places: int) -> Any:
    def check(value: Decimal) -> None:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise ma.ValidationError(f"must have at most {places} decimal places")

    return check


class DecimalString(ma.fields.Decimal):
    """A decimal in (number or string) and out (string): exact, never a float."""

    def __init__(
        self, *, places: int = 2, minimum: str = "0", maximum: str | None = None, **kwargs: Any
    ) -> None:
        validators = [
            _max_places(places),
            ma.validate.Range(min=Decimal(minimum), max=Decimal(maximum) if maximum else None),
        ]
        super().__init__(as_string=True, validate=validators, **kwargs)
        self.exponent = Decimal(1).scaleb(-places)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        """Always `places` decimals out, whether the value came from the database or was just computed."""
        if isinstance(value, Decimal):
            value = value.quantize(self.exponent)
        return super()._serialize(value, attr, obj, **kwargs)


def Money(**kwargs: Any) -> DecimalString:
    kwargs.setdefault("metadata", {"description": "Decimal string, 2 decimals", "example": "1250.00"})
    return DecimalString(places=2, maximum="9999999999999999.99", **kwargs)


def Percent(**kwargs: Any) -> DecimalString:
    kwargs.setdefault("metadata", {"description": "Percent 0-100, 2 decimals", "example": "10.00"})
    return DecimalString(places=2, maximum="100", **kwargs)


def Quantity(**kwargs: Any) -> DecimalString:
    kwargs.setdefault(
        "metadata", {"description": "Decimal string, up to 4 decimals, above 0", "example": "8"}
    )
    field = DecimalString(places=4, minimum="0.0001", maximum="99999999999999", **kwargs)
    return field


def Currency(**kwargs: Any) -> ma.fields.String:
    kwargs.setdefault("metadata", {"description": "ISO 4217 code", "example": "EUR"})
    return ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Z]{3}$", error="must be an ISO 4217 code such as EUR"), **kwargs
    )


class Day(ma.fields.Date):
    """A calendar day, ISO 8601 (2026-03-31)."""
