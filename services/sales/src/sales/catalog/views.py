"""HTTP resources of the catalog: /api/v1/products, /api/v1/price-lists, /api/v1/exchange-rates."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.catalog import service
from sales.catalog.schemas import (
    CurrencyConversionQuerySchema,
    CurrencyConversionSchema,
    ExchangeRateCreateSchema,
    ExchangeRateQuerySchema,
    ExchangeRateSchema,
    PriceListCreateSchema,
    PriceListQuerySchema,
    PriceListSchema,
    PriceListWriteSchema,
    ProductCreateSchema,
    ProductQuerySchema,
    ProductSchema,
    ProductWriteSchema,
)
from sales.http import created, etag
from sales.roles import MANAGERS

products = crmkit.Blueprint(
    "products", __name__, url_prefix="/api/v1/products", description="Products and services sold."
)
price_lists = crmkit.Blueprint(
    "price_lists", __name__, url_prefix="/api/v1/price-lists", description="One price list per currency."
)
exchange_rates = crmkit.Blueprint(
    "exchange_rates",
    __name__,
    url_prefix="/api/v1/exchange-rates",
    description="Dated exchange rates into the base currency, and the roll-up of an amount.",
)


@products.route("")
class Products(MethodView):
    @products.arguments(ProductQuerySchema, location="query")
    @products.response(200, crmkit.page_schema(ProductSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List products by SKU (filter: active, kind)."""
        return service.list_products(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @products.arguments(ProductCreateSchema)
    @products.response(201, ProductSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a product (sales managers and management)."""
        product = service.create_product(uow=current_uow(), data=data)
        return product, created(url_for("products.ProductById", product_id=product.id), product.version)


@products.route("/<product_id>")
class ProductById(MethodView):
    @products.response(200, ProductSchema)
    def get(self, product_id: str) -> Any:
        """Read a product."""
        product = service.get_product(uow=current_uow(), product_id=product_id)
        return product, etag(product.version)

    @crmkit.require_roles(*MANAGERS)
    @products.arguments(ProductWriteSchema)
    @products.response(200, ProductSchema)
    def patch(self, data: dict[str, Any], product_id: str) -> Any:
        """Change a product (send If-Match with its ETag)."""
        product = service.update_product(
            uow=current_uow(), product_id=product_id, data=data, expected_version=crmkit.expected_version()
        )
        return product, etag(product.version)


@price_lists.route("")
class PriceLists(MethodView):
    @price_lists.arguments(PriceListQuerySchema, location="query")
    @price_lists.response(200, crmkit.page_schema(PriceListSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List price lists by currency (filter: currency)."""
        return service.list_price_lists(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @price_lists.arguments(PriceListCreateSchema)
    @price_lists.response(201, PriceListSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create the price list of a currency, with prices (one list per currency)."""
        price_list = service.create_price_list(uow=current_uow(), data=data)
        location = url_for("price_lists.PriceListById", price_list_id=price_list.id)
        return price_list, created(location, price_list.version)


@price_lists.route("/<price_list_id>")
class PriceListById(MethodView):
    @price_lists.response(200, PriceListSchema)
    def get(self, price_list_id: str) -> Any:
        """Read a price list with its prices."""
        price_list = service.get_price_list(uow=current_uow(), price_list_id=price_list_id)
        return price_list, etag(price_list.version)

    @crmkit.require_roles(*MANAGERS)
    @price_lists.arguments(PriceListWriteSchema)
    @price_lists.response(200, PriceListSchema)
    def patch(self, data: dict[str, Any], price_list_id: str) -> Any:
        """Rename a price list, or set and remove (null) prices (send If-Match)."""
        price_list = service.update_price_list(
            uow=current_uow(),
            price_list_id=price_list_id,
            data=data,
            expected_version=crmkit.expected_version(),
        )
        return price_list, etag(price_list.version)


@exchange_rates.route("")
class ExchangeRates(MethodView):
    @exchange_rates.arguments(ExchangeRateQuerySchema, location="query")
    @exchange_rates.response(200, crmkit.page_schema(ExchangeRateSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List exchange rates, newest first (filter: currency)."""
        return service.list_exchange_rates(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @exchange_rates.arguments(ExchangeRateCreateSchema)
    @exchange_rates.response(201, ExchangeRateSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Record a currency's rate into the base currency from a day on."""
        return service.create_exchange_rate(uow=current_uow(), data=data, actor=crmkit.current_principal())


@exchange_rates.route("/convert")
class Conversion(MethodView):
    @exchange_rates.arguments(CurrencyConversionQuerySchema, location="query")
    @exchange_rates.response(200, CurrencyConversionSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Roll an amount up into the base currency with the rate valid on a day."""
        return service.convert(uow=current_uow(), query=query)
