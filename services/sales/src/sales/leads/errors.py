"""Problems of the leads feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class LeadNotFound(crmkit.NotFound):
    code = "sales.lead.not_found"


class LeadDuplicate(crmkit.Conflict):
    """Open leads or known contacts share the e-mail; `candidates` lists them. Send allow_duplicate to go on."""

    title = "Possible Duplicate"
    code = "sales.lead.duplicate"


class LeadStatusInvalid(crmkit.Conflict):
    """The lead's status does not allow this step (e.g. converting a lead that is not qualified)."""

    title = "Invalid Status Change"
    code = "sales.lead.status_invalid"


class LeadClosed(crmkit.Conflict):
    """Converted and disqualified leads are not edited or reassigned."""

    title = "Lead Closed"
    code = "sales.lead.closed"


class WebFormNotFound(crmkit.NotFound):
    code = "sales.web_form.not_found"


class WebFormKeyInvalid(crmkit.Unauthorized):
    """X-Api-Key is missing, unknown or belongs to a deactivated web form."""

    code = "sales.web_form.key_invalid"


class AssignmentRuleNotFound(crmkit.NotFound):
    code = "sales.assignment_rule.not_found"


class AssignmentRuleInvalid(crmkit.ValidationFailed):
    code = "sales.assignment_rule.invalid"


class LeadOwnerUnknown(crmkit.ValidationFailed):
    """Leads are assigned to reps on the roster only (the rep's team becomes the lead's team)."""

    code = "sales.lead.owner_unknown"
