"""Problems of SLA policies and escalation rules (codes are listed in docs/errors.md, never reused)."""

from __future__ import annotations

import crmkit


class SlaPolicyNotFound(crmkit.NotFound):
    code = "servicedesk.sla_policy.not_found"


class SlaPolicyNameTaken(crmkit.Conflict):
    title = "Name Taken"
    code = "servicedesk.sla_policy.name_taken"


class SlaPolicyInvalid(crmkit.ValidationFailed):
    """A reference the policy makes does not hold (e.g. an unknown calendar); `errors` names the field."""

    code = "servicedesk.sla_policy.invalid"


class EscalationRuleNotFound(crmkit.NotFound):
    code = "servicedesk.escalation_rule.not_found"


class EscalationRuleNameTaken(crmkit.Conflict):
    title = "Name Taken"
    code = "servicedesk.escalation_rule.name_taken"


class EscalationRuleInvalid(crmkit.ValidationFailed):
    """A reference the rule makes does not hold (e.g. an unknown group); `errors` names the field."""

    code = "servicedesk.escalation_rule.invalid"
