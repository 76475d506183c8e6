"""Catalog use cases: products, price lists (one per currency), exchange rates and roll-up into base."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from sales.catalog.errors import (
    ExchangeRateExists,
    ExchangeRateInvalid,
    ExchangeRateMissing,
    PriceListExists,
    PriceListInvalid,
    PriceListNotFound,
    ProductNotFound,
    ProductSkuTaken,
)
from sales.catalog.fields import base_currency
from sales.catalog.fx import MissingRate, Rate, RateTable
from sales.catalog.models import ExchangeRate, PriceList, Product


def get_product(*, uow: crmkit.UnitOfWork, product_id: str) -> Product:
    """Read one product."""
    with uow:
        return load_product(uow.session, product_id)


def load_product(session: Session, product_id: str) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise ProductNotFound(f"There is no product {product_id}.")
    return product


def list_products(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through products by SKU, optionally only active ones or one kind."""
    stmt = sa.select(Product)
    if query.get("active") is not None:
        stmt = stmt.where(Product.active.is_(query["active"]))
    if query.get("kind"):
        stmt = stmt.where(Product.kind == query["kind"])
    sort = crmkit.parse_sort(query.get("sort"), {"sku": Product.sku, "name": Product.name}, "sku", Product.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def create_product(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> Product:
    """Add a product to the catalog (SKUs are unique)."""
    now = utcnow()
    with uow:
        if uow.session.scalar(sa.select(Product.id).where(Product.sku == data["sku"])):
            raise ProductSkuTaken(f"Another product has SKU {data['sku']}.")
        product = Product(**data, created_at=now, updated_at=now)
        uow.session.add(product)
        uow.commit()
    return product


def update_product(
    *, uow: crmkit.UnitOfWork, product_id: str, data: Mapping[str, Any], expected_version: int
) -> Product:
    """Change a product's name, description, kind, unit, tax rate or active flag."""
    with uow:
        product = load_product(uow.session, product_id)
        crmkit.check_version(product.version, expected_version)
        for field, value in data.items():
            setattr(product, field, value)
        product.updated_at = utcnow()
        uow.commit()
    return product


def load_price_list(session: Session, price_list_id: str) -> PriceList:
    price_list = session.get(PriceList, price_list_id)
    if price_list is None:
        raise PriceListNotFound(f"There is no price list {price_list_id}.")
    return price_list


def price_list_for(session: Session, currency: str) -> PriceList | None:
    return session.scalar(sa.select(PriceList).where(PriceList.currency == currency))


def get_price_list(*, uow: crmkit.UnitOfWork, price_list_id: str) -> PriceList:
    """Read a price list with its prices."""
    with uow:
        return load_price_list(uow.session, price_list_id)


def list_price_lists(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through price lists by currency (filter: currency)."""
    stmt = sa.select(PriceList)
    if query.get("currency"):
        stmt = stmt.where(PriceList.currency == query["currency"])
    sort = crmkit.parse_sort(query.get("sort"), {"currency": PriceList.currency}, "currency", PriceList.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def create_price_list(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> PriceList:
    """Create the price list of a currency (there is one per currency)."""
    now = utcnow()
    with uow:
        if price_list_for(uow.session, data["currency"]) is not None:
            raise PriceListExists(f"The {data['currency']} price list exists already; change its prices.")
        price_list = PriceList(currency=data["currency"], name=data["name"], created_at=now, updated_at=now)
        _set_prices(uow.session, price_list, data.get("prices", []))
        uow.session.add(price_list)
        uow.commit()
    return price_list


def update_price_list(
    *, uow: crmkit.UnitOfWork, price_list_id: str, data: Mapping[str, Any], expected_version: int
) -> PriceList:
    """Rename a price list or set, change and remove (null) prices of products."""
    with uow:
        price_list = load_price_list(uow.session, price_list_id)
        crmkit.check_version(price_list.version, expected_version)
        if "name" in data:
            price_list.name = data["name"]
        _set_prices(uow.session, price_list, data.get("prices", []))
        price_list.updated_at = utcnow()
        uow.commit()
    return price_list


def _set_prices(session: Session, price_list: PriceList, prices: list[Mapping[str, Any]]) -> None:
    known = set(
        session.scalars(sa.select(Product.id).where(Product.id.in_([p["product_id"] for p in prices])))
    )
    errors = [
        {"field": f"prices.{index}.product_id", "message": "no such product", "in": "json"}
        for index, price in enumerate(prices)
        if price["product_id"] not in known
    ]
    if errors:
        raise PriceListInvalid("A price names an unknown product.", errors=errors)
    removed = {price["product_id"] for price in prices if price["unit_price"] is None}
    price_list.entries = [entry for entry in price_list.entries if entry.product_id not in removed]
    price_list.set_prices({p["product_id"]: p["unit_price"] for p in prices if p["unit_price"] is not None})


def list_exchange_rates(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through exchange rates, newest day first."""
    stmt = sa.select(ExchangeRate)
    if query.get("currency"):
        stmt = stmt.where(ExchangeRate.currency == query["currency"])
    sort = crmkit.parse_sort(
        query.get("sort"), {"valid_from": ExchangeRate.valid_from}, "-valid_from", ExchangeRate.id
    )
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def create_exchange_rate(
    *, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal
) -> ExchangeRate:
    """Record the rate of a currency into the base currency from a day on (one rate per currency and day)."""
    base = base_currency()
    if data["currency"] == base:
        error = {"field": "currency", "message": f"{base} is the base currency (rate 1)", "in": "json"}
        raise ExchangeRateInvalid("The base currency needs no rate.", errors=[error])
    with uow:
        exists = sa.select(ExchangeRate.id).where(
            ExchangeRate.currency == data["currency"], ExchangeRate.valid_from == data["valid_from"]
        )
        if uow.session.scalar(exists):
            raise ExchangeRateExists(f"A {data['currency']} rate from {data['valid_from']} exists already.")
        rate = ExchangeRate(**data, base_currency=base, created_at=utcnow(), created_by=actor.subject)
        uow.session.add(rate)
        uow.commit()
    return rate


def rate_table(session: Session, currencies: set[str] | None = None) -> RateTable:
    """Every known rate (of the given currencies) as a lookup table into the base currency."""
    stmt = sa.select(ExchangeRate)
    if currencies is not None:
        stmt = stmt.where(ExchangeRate.currency.in_(currencies))
    rates = [Rate(row.currency, row.rate, row.valid_from) for row in session.scalars(stmt)]
    return RateTable(base_currency(), rates)


def to_base(table: RateTable, amount: Decimal, currency: str, on: date) -> Decimal:
    """Convert with the table, as a problem (409 `sales.exchange_rate.missing`) when no rate is valid."""
    try:
        return table.to_base(amount, currency, on)
    except MissingRate as missing:
        raise ExchangeRateMissing(str(missing), currency=currency, on=on.isoformat()) from None


def rate_on(table: RateTable, currency: str, on: date) -> Decimal:
    try:
        return table.rate_on(currency, on)
    except MissingRate as missing:
        raise ExchangeRateMissing(str(missing), currency=currency, on=on.isoformat()) from None


def convert(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> dict[str, Any]:
    """Roll an amount up into the base currency with the rate valid on a day."""
    with uow:
        table = rate_table(uow.session, {query["currency"]})
    return {
        **query,
        "rate": rate_on(table, query["currency"], query["on"]),
        "base_currency": table.base_currency,
        "amount_in_base": to_base(table, query["amount"], query["currency"], query["on"]),
    }
