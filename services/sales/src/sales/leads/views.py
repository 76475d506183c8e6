"""HTTP resources: /api/v1/leads (status steps, assignment, conversion), /api/v1/web-leads (public),
/api/v1/web-forms and /api/v1/lead-assignment-rules."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request, url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.http import created, etag
from sales.leads import rules, service, web_forms
from sales.leads.schemas import (
    AssignmentListSchema,
    AssignSchema,
    ConvertSchema,
    DisqualifySchema,
    LeadCreateSchema,
    LeadQuerySchema,
    LeadSchema,
    LeadUpdateSchema,
    RuleCreateSchema,
    RuleListSchema,
    RuleSchema,
    RuleWriteSchema,
    WebFormCreateSchema,
    WebFormQuerySchema,
    WebFormSchema,
    WebFormWithKeySchema,
    WebFormWriteSchema,
    WebLeadReceiptSchema,
    WebLeadSchema,
)
from sales.opportunities.schemas import OpportunitySchema
from sales.roles import MANAGERS, SELLERS

LEAD_CAPTURERS = (*SELLERS, "marketing")

blp = crmkit.Blueprint(
    "leads",
    __name__,
    url_prefix="/api/v1/leads",
    description="Leads: capture, duplicate check, automatic assignment, qualification, conversion.",
)
web_leads_blp = crmkit.Blueprint(
    "web_leads",
    __name__,
    url_prefix="/api/v1/web-leads",
    description="Public web-to-lead: a website form posts here with its key in X-Api-Key (no token).",
)
web_forms_blp = crmkit.Blueprint(
    "web_forms", __name__, url_prefix="/api/v1/web-forms", description="Web forms and their API keys."
)
rules_blp = crmkit.Blueprint(
    "assignment_rules",
    __name__,
    url_prefix="/api/v1/lead-assignment-rules",
    description="Rules that assign new leads: conditions, then round robin or least busy among reps.",
)


class ConversionSchema(crmkit.Schema):
    lead = ma.fields.Nested(LeadSchema)
    opportunity = ma.fields.Nested(OpportunitySchema)


@blp.route("")
class Leads(MethodView):
    @blp.arguments(LeadQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(LeadSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List the leads you may see (own, your team's and unassigned, or all), newest first."""
        return service.list_leads(uow=current_uow(), query=query, actor=crmkit.current_principal())

    @crmkit.require_roles(*LEAD_CAPTURERS)
    @crmkit.idempotent
    @blp.arguments(LeadCreateSchema)
    @blp.response(201, LeadSchema)
    @blp.alt_response(409, description="Likely duplicates exist (problem `sales.lead.duplicate`)")
    def post(self, data: dict[str, Any]) -> Any:
        """Capture a lead; the assignment rules pick its owner unless owner_id is given."""
        lead = service.create_lead(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return lead, created(url_for("leads.LeadById", lead_id=lead.id), lead.version)


@blp.route("/<lead_id>")
class LeadById(MethodView):
    @blp.response(200, LeadSchema)
    def get(self, lead_id: str) -> Any:
        """Read a lead."""
        lead = service.get_lead(uow=current_uow(), lead_id=lead_id, actor=crmkit.current_principal())
        return lead, etag(lead.version)

    @crmkit.require_roles(*SELLERS)
    @blp.arguments(LeadUpdateSchema)
    @blp.response(200, LeadSchema)
    def patch(self, data: dict[str, Any], lead_id: str) -> Any:
        """Correct an open lead's details (If-Match)."""
        lead = service.update_lead(
            uow=current_uow(),
            lead_id=lead_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return lead, etag(lead.version)


@blp.route("/<lead_id>/work")
class LeadWork(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.response(200, LeadSchema)
    def post(self, lead_id: str) -> Any:
        """Start working the lead (new -> working; also reopens a disqualified lead)."""
        lead = service.start_work(uow=current_uow(), lead_id=lead_id, actor=crmkit.current_principal())
        return lead, etag(lead.version)


@blp.route("/<lead_id>/qualify")
class LeadQualify(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.response(200, LeadSchema)
    def post(self, lead_id: str) -> Any:
        """Qualify the lead (ready to convert)."""
        lead = service.qualify_lead(uow=current_uow(), lead_id=lead_id, actor=crmkit.current_principal())
        return lead, etag(lead.version)


@blp.route("/<lead_id>/disqualify")
class LeadDisqualify(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.arguments(DisqualifySchema)
    @blp.response(200, LeadSchema)
    def post(self, data: dict[str, Any], lead_id: str) -> Any:
        """Disqualify the lead with a reason."""
        lead = service.disqualify_lead(
            uow=current_uow(), lead_id=lead_id, data=data, actor=crmkit.current_principal()
        )
        return lead, etag(lead.version)


@blp.route("/<lead_id>/assign")
class LeadAssign(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @blp.arguments(AssignSchema)
    @blp.response(200, LeadSchema)
    def post(self, data: dict[str, Any], lead_id: str) -> Any:
        """Reassign the lead to a rep, or (without owner_id) let the rules choose again."""
        lead = service.assign_lead(
            uow=current_uow(), lead_id=lead_id, data=data, actor=crmkit.current_principal()
        )
        return lead, etag(lead.version)


@blp.route("/<lead_id>/assignments")
class LeadAssignments(MethodView):
    @blp.response(200, AssignmentListSchema)
    def get(self, lead_id: str) -> Any:
        """The lead's assignment history, oldest first."""
        items = service.lead_assignments(uow=current_uow(), lead_id=lead_id, actor=crmkit.current_principal())
        return {"items": items}


@blp.route("/<lead_id>/convert")
class LeadConvert(MethodView):
    @crmkit.require_roles(*SELLERS)
    @crmkit.idempotent
    @blp.arguments(ConvertSchema)
    @blp.response(201, ConversionSchema)
    def post(self, data: dict[str, Any], lead_id: str) -> Any:
        """Convert a qualified lead: its opportunity opens now (account_pending until the customer service
        has linked or created the account and contact)."""
        lead, opportunity = service.convert_lead(
            uow=current_uow(), lead_id=lead_id, data=data, actor=crmkit.current_principal()
        )
        location = url_for("opportunities.OpportunityById", opportunity_id=opportunity.id)
        return {"lead": lead, "opportunity": opportunity}, {"Location": location}


@web_leads_blp.route("")
class WebLeads(MethodView):
    @crmkit.public
    @web_leads_blp.arguments(WebLeadSchema)
    @web_leads_blp.response(201, WebLeadReceiptSchema)
    @web_leads_blp.alt_response(401, description="X-Api-Key missing or not an active form's key")
    @web_leads_blp.doc(security=[])
    def post(self, data: dict[str, Any]) -> Any:
        """Submit a lead from a website form (header X-Api-Key: the form's key; no bearer token)."""
        lead = web_forms.submit_web_lead(
            uow=current_uow(), api_key=request.headers.get("X-Api-Key"), data=data
        )
        return {"id": lead.id, "status": "received"}


@web_forms_blp.route("")
class WebForms(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @web_forms_blp.arguments(WebFormQuerySchema, location="query")
    @web_forms_blp.response(200, crmkit.page_schema(WebFormSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List web forms (keys are never shown again)."""
        return web_forms.list_web_forms(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @web_forms_blp.arguments(WebFormCreateSchema)
    @web_forms_blp.response(201, WebFormWithKeySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a web form; the answer shows its key once (only a hash is stored)."""
        form = web_forms.create_web_form(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return form, created(url_for("web_forms.WebFormById", form_id=form.id), form.version)


@web_forms_blp.route("/<form_id>")
class WebFormById(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @web_forms_blp.response(200, WebFormSchema)
    def get(self, form_id: str) -> Any:
        """Read a web form."""
        form = web_forms.get_web_form(uow=current_uow(), form_id=form_id)
        return form, etag(form.version)

    @crmkit.require_roles(*MANAGERS)
    @web_forms_blp.arguments(WebFormWriteSchema)
    @web_forms_blp.response(200, WebFormSchema)
    def patch(self, data: dict[str, Any], form_id: str) -> Any:
        """Rename, deactivate or change consent wording / campaign (If-Match)."""
        form = web_forms.update_web_form(
            uow=current_uow(), form_id=form_id, data=data, expected_version=crmkit.expected_version()
        )
        return form, etag(form.version)


@web_forms_blp.route("/<form_id>/rotate-key")
class WebFormRotateKey(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @web_forms_blp.response(200, WebFormWithKeySchema)
    def post(self, form_id: str) -> Any:
        """Issue a new key (shown once); the old key stops working at once."""
        form = web_forms.rotate_key(uow=current_uow(), form_id=form_id)
        return form, etag(form.version)


@rules_blp.route("")
class Rules(MethodView):
    @crmkit.require_roles(*SELLERS)
    @rules_blp.response(200, RuleListSchema)
    def get(self) -> Any:
        """List the assignment rules in the order they are tried."""
        return {"items": rules.list_rules(uow=current_uow())}

    @crmkit.require_roles(*MANAGERS)
    @rules_blp.arguments(RuleCreateSchema)
    @rules_blp.response(201, RuleSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a rule (empty conditions match anything)."""
        rule = rules.create_rule(uow=current_uow(), data=data)
        return rule, created(url_for("assignment_rules.RuleById", rule_id=rule.id), rule.version)


@rules_blp.route("/<rule_id>")
class RuleById(MethodView):
    @crmkit.require_roles(*SELLERS)
    @rules_blp.response(200, RuleSchema)
    def get(self, rule_id: str) -> Any:
        """Read a rule."""
        rule = rules.get_rule(uow=current_uow(), rule_id=rule_id)
        return rule, etag(rule.version)

    @crmkit.require_roles(*MANAGERS)
    @rules_blp.arguments(RuleWriteSchema)
    @rules_blp.response(200, RuleSchema)
    def patch(self, data: dict[str, Any], rule_id: str) -> Any:
        """Change a rule (If-Match)."""
        rule = rules.update_rule(
            uow=current_uow(), rule_id=rule_id, data=data, expected_version=crmkit.expected_version()
        )
        return rule, etag(rule.version)

    @crmkit.require_roles(*MANAGERS)
    @rules_blp.response(204)
    def delete(self, rule_id: str) -> None:
        """Delete a rule (If-Match)."""
        rules.delete_rule(uow=current_uow(), rule_id=rule_id, expected_version=crmkit.expected_version())
