"""Problems of quotes and discount rules (codes listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class QuoteNotFound(crmkit.NotFound):
    code = "sales.quote.not_found"


class QuoteInvalid(crmkit.ValidationFailed):
    """A line names a product that is unknown, inactive or without a price in the quote's currency."""

    code = "sales.quote.invalid"


class QuoteNotEditable(crmkit.Conflict):
    """Only a draft can change; sent, decided and superseded versions are read-only (revise instead)."""

    title = "Quote Not Editable"
    code = "sales.quote.not_editable"


class QuoteTransitionInvalid(crmkit.Conflict):
    """The action does not fit the quote's status (e.g. accepting a draft); `status` names it."""

    title = "Quote Status Conflict"
    code = "sales.quote.invalid_transition"


class QuoteApprovalRequired(crmkit.Conflict):
    """The discount is above the threshold: a sales manager must approve it before the quote is sent."""

    title = "Discount Approval Required"
    code = "sales.quote.approval_required"


class QuoteApprovalNotNeeded(crmkit.Conflict):
    code = "sales.quote.approval_not_needed"


class QuoteSelfApproval(crmkit.Forbidden):
    """A sales manager may not approve the discount they asked approval for (management may)."""

    code = "sales.quote.self_approval"


class QuoteOpportunityInvalid(crmkit.ValidationFailed):
    """The opportunity is unknown, not yours, or closed."""

    code = "sales.quote.opportunity_invalid"


class QuoteAccountPending(crmkit.Conflict):
    """The opportunity's account is still being created by the customer service: accept a little later."""

    code = "sales.quote.account_pending"


class QuoteExpired(crmkit.Conflict):
    """The quote's valid_until has passed: it cannot be sent or accepted (revise it)."""

    code = "sales.quote.expired"


class DiscountRuleNotFound(crmkit.NotFound):
    code = "sales.discount_rule.not_found"


class DiscountRuleExists(crmkit.Conflict):
    code = "sales.discount_rule.exists"
