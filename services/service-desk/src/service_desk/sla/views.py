"""HTTP resources of the SLA engine: /api/v1/sla-policies, /api/v1/escalation-rules, /api/v1/tickets/<id>/sla."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from service_desk.http import created, etag
from service_desk.roles import MANAGERS
from service_desk.sla import service
from service_desk.sla.schemas import (
    PolicyCreateSchema,
    PolicyQuerySchema,
    PolicySchema,
    PolicyUpdateSchema,
    RuleCreateSchema,
    RuleQuerySchema,
    RuleSchema,
    RuleUpdateSchema,
    TicketSlaSchema,
)

policies_blp = crmkit.Blueprint(
    "sla_policies",
    __name__,
    url_prefix="/api/v1/sla-policies",
    description="SLA policies: conditions (tier, priority, type, channel; first match wins) and targets.",
)
rules_blp = crmkit.Blueprint(
    "escalation_rules",
    __name__,
    url_prefix="/api/v1/escalation-rules",
    description="What happens at an SLA warning or breach: reassign, raise priority, notify the manager.",
)
ticket_sla_blp = crmkit.Blueprint(
    "ticket_sla",
    __name__,
    url_prefix="/api/v1/tickets",
    description="A ticket's SLA: its policy and clocks, explained segment by segment.",
)


@policies_blp.route("")
class Policies(MethodView):
    @policies_blp.arguments(PolicyQuerySchema, location="query")
    @policies_blp.response(200, crmkit.page_schema(PolicySchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List SLA policies in the order they are checked."""
        return service.list_policies(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @policies_blp.arguments(PolicyCreateSchema)
    @policies_blp.response(201, PolicySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an SLA policy (at `position`, default last)."""
        policy = service.create_policy(uow=current_uow(), data=data)
        return policy, created(url_for("sla_policies.PolicyById", policy_id=policy.id), policy.version)


@policies_blp.route("/<policy_id>")
class PolicyById(MethodView):
    @policies_blp.response(200, PolicySchema)
    def get(self, policy_id: str) -> Any:
        """Read an SLA policy."""
        policy = service.get_policy(uow=current_uow(), policy_id=policy_id)
        return policy, etag(policy.version)

    @crmkit.require_roles(*MANAGERS)
    @policies_blp.arguments(PolicyUpdateSchema)
    @policies_blp.response(200, PolicySchema)
    def patch(self, data: dict[str, Any], policy_id: str) -> Any:
        """Change an SLA policy (send If-Match with its ETag)."""
        policy = service.update_policy(
            uow=current_uow(), policy_id=policy_id, data=data, expected_version=crmkit.expected_version()
        )
        return policy, etag(policy.version)

    @crmkit.require_roles(*MANAGERS)
    @policies_blp.response(204)
    def delete(self, policy_id: str) -> None:
        """Delete an SLA policy (send If-Match with its ETag)."""
        service.delete_policy(
            uow=current_uow(), policy_id=policy_id, expected_version=crmkit.expected_version()
        )


@rules_blp.route("")
class Rules(MethodView):
    @rules_blp.arguments(RuleQuerySchema, location="query")
    @rules_blp.response(200, crmkit.page_schema(RuleSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List escalation rules in the order they apply."""
        return service.list_rules(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @rules_blp.arguments(RuleCreateSchema)
    @rules_blp.response(201, RuleSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an escalation rule."""
        rule = service.create_rule(uow=current_uow(), data=data)
        return rule, created(url_for("escalation_rules.RuleById", rule_id=rule.id), rule.version)


@rules_blp.route("/<rule_id>")
class RuleById(MethodView):
    @rules_blp.response(200, RuleSchema)
    def get(self, rule_id: str) -> Any:
        """Read an escalation rule."""
        rule = service.get_rule(uow=current_uow(), rule_id=rule_id)
        return rule, etag(rule.version)

    @crmkit.require_roles(*MANAGERS)
    @rules_blp.arguments(RuleUpdateSchema)
    @rules_blp.response(200, RuleSchema)
    def patch(self, data: dict[str, Any], rule_id: str) -> Any:
        """Change an escalation rule (send If-Match with its ETag)."""
        rule = service.update_rule(
            uow=current_uow(), rule_id=rule_id, data=data, expected_version=crmkit.expected_version()
        )
        return rule, etag(rule.version)

    @crmkit.require_roles(*MANAGERS)
    @rules_blp.response(204)
    def delete(self, rule_id: str) -> None:
        """Delete an escalation rule (send If-Match with its ETag)."""
        service.delete_rule(uow=current_uow(), rule_id=rule_id, expected_version=crmkit.expected_version())


@ticket_sla_blp.route("/<ticket_id>/sla")
class TicketSla(MethodView):
    @ticket_sla_blp.response(200, TicketSlaSchema)
    def get(self, ticket_id: str) -> Any:
        """Show the ticket's SLA policy and clocks: segments, elapsed business time, warning and due times."""
        return service.ticket_sla(uow=current_uow(), ticket_id=ticket_id)
