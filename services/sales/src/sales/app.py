"""The sales service's app factory."""

from __future__ import annotations

from flask import Flask

import crmkit
from sales.activities.views import blp as activities
from sales.activities.views import plans_blp as visit_plans
from sales.commercial import commercial_blueprints
from sales.leads.views import blp as leads
from sales.leads.views import rules_blp as assignment_rules
from sales.leads.views import web_forms_blp as web_forms
from sales.leads.views import web_leads_blp as web_leads
from sales.opportunities.views import blp as opportunities
from sales.opportunities.views import loss_reasons_blp as loss_reasons
from sales.opportunities.views import pipelines_blp as pipelines
from sales.reps.views import blp as reps

SERVICE = "sales"
DESCRIPTION = (
    "Leads (API and web forms) with automatic assignment, qualification and conversion; pipelines and "
    "opportunities; activities and visit plans; products, quotes, orders, forecast and campaigns."
)
# Every HTTP resource of the service; S2 appends its blueprints here.
BLUEPRINTS = [
    reps,
    leads,
    web_leads,
    web_forms,
    assignment_rules,
    pipelines,
    loss_reasons,
    opportunities,
    activities,
    visit_plans,
    *commercial_blueprints(),
]


def load_settings() -> crmkit.ServiceSettings:
    """Read this service's settings from the environment."""
    return crmkit.ServiceSettings.from_env(SERVICE)


def create_app(settings: crmkit.ServiceSettings | None = None) -> Flask:
    """Build the sales service's WSGI app (settings from the environment unless given)."""
    return crmkit.create_service_app(
        settings or load_settings(),
        title="CRM sales service",
        description=DESCRIPTION,
        blueprints=BLUEPRINTS,
    )
