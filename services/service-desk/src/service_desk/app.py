"""The service desk's app factory."""

from __future__ import annotations

from flask import Flask

import crmkit

SERVICE = "service-desk"
DESCRIPTION = (
    "Multichannel tickets (web form, API, inbound e-mail, phone) with states, groups, assignment, replies "
    "and notes; SLA policies and clocks on business-hours calendars with escalation; satisfaction surveys; "
    "the knowledge base; service reports."
)


def load_settings() -> crmkit.ServiceSettings:
    """Read this service's settings from the environment."""
    return crmkit.ServiceSettings.from_env(SERVICE)


def blueprints() -> list[crmkit.Blueprint]:
    """Every feature's blueprint (imported here so the models are mapped before the app starts)."""
    from service_desk.calendars.views import blp as business_calendars
    from service_desk.kb.views import blp as kb
    from service_desk.kb.views import ticket_articles_blp as ticket_articles
    from service_desk.mail.views import attachments_blp as attachments
    from service_desk.mail.views import blp as inbound_mail
    from service_desk.reports.views import blp as service_reports
    from service_desk.sla.views import policies_blp as sla_policies
    from service_desk.sla.views import rules_blp as escalation_rules
    from service_desk.sla.views import ticket_sla_blp as ticket_sla
    from service_desk.surveys.views import responses_blp as survey_responses
    from service_desk.surveys.views import surveys_blp as surveys
    from service_desk.tickets.admin_views import canned_blp as canned_responses
    from service_desk.tickets.admin_views import groups_blp as ticket_groups
    from service_desk.tickets.views import blp as tickets

    return [
        tickets,
        ticket_groups,
        canned_responses,
        inbound_mail,
        attachments,
        survey_responses,
        surveys,
        service_reports,
        business_calendars,
        sla_policies,
        escalation_rules,
        ticket_sla,
        kb,
        ticket_articles,
    ]


def create_app(settings: crmkit.ServiceSettings | None = None) -> Flask:
    """Build the service desk's WSGI app (settings from the environment unless given)."""
    return crmkit.create_service_app(
        settings or load_settings(),
        title="CRM service desk",
        description=DESCRIPTION,
        blueprints=blueprints(),
    )
