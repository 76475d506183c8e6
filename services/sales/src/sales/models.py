"""Imports every feature's models, so Base.metadata holds all sales tables (migrations, merge re-pointing).

S2's features add their model modules to FEATURE_MODELS.
"""

from __future__ import annotations

import importlib

FEATURE_MODELS = [
    "sales.accounts.models",
    "sales.reps.models",
    "sales.leads.models",
    "sales.opportunities.models",
    "sales.activities.models",
    "sales.catalog.models",
    "sales.quotes.models",
    "sales.orders.models",
    "sales.forecast.models",
    "sales.campaigns.models",
]


def import_all() -> None:
    for module in FEATURE_MODELS:
        importlib.import_module(module)
