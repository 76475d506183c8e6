"""Problems of products, price lists and exchange rates (codes listed in docs/errors.md)."""

from __future__ import annotations

import crmkit


class ProductNotFound(crmkit.NotFound):
    code = "sales.product.not_found"


class ProductSkuTaken(crmkit.Conflict):
    code = "sales.product.sku_taken"


class PriceListNotFound(crmkit.NotFound):
    code = "sales.price_list.not_found"


class PriceListExists(crmkit.Conflict):
    """A price list of this currency exists already (one per currency)."""

    code = "sales.price_list.exists"


class PriceListInvalid(crmkit.ValidationFailed):
    """A price names an unknown product (`errors` names the entry)."""

    code = "sales.price_list.invalid"


class ExchangeRateExists(crmkit.Conflict):
    code = "sales.exchange_rate.exists"


class ExchangeRateMissing(crmkit.Conflict):
    """An amount cannot be rolled up: no rate of its currency is valid on that day."""

    code = "sales.exchange_rate.missing"


class ExchangeRateInvalid(crmkit.ValidationFailed):
    code = "sales.exchange_rate.invalid"
