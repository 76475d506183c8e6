"""S2's (commercial) HTTP resources, for sales.app: catalog, quotes, orders, forecast, campaigns, performance."""

from __future__ import annotations

import crmkit


def commercial_blueprints() -> list[crmkit.Blueprint]:
    """The blueprints of the catalog, quotes, discount rules, orders, forecast, quotas, snapshots, campaigns."""
    from sales.campaigns.views import blp as campaigns
    from sales.catalog.views import exchange_rates, price_lists, products
    from sales.forecast.views import forecast, quota_blp, snapshot_blp
    from sales.orders.views import blp as orders
    from sales.performance.views import blp as performance
    from sales.quotes.views import blp as quotes
    from sales.quotes.views import rules as discount_rules

    return [
        products,
        price_lists,
        exchange_rates,
        quotes,
        discount_rules,
        orders,
        forecast,
        quota_blp,
        snapshot_blp,
        campaigns,
        performance,
    ]
