"""The sales half of lead conversion: take the customer service's answer and point lead and opportunity at it.

`sales.lead.converted` asks the customer service to link or create the account and contact; it answers with
`customer.lead_conversion.completed` {lead_id, opportunity_id, account_id, contact_id, ...}. Until then the
opportunity has account_id null and account_pending true. Applying the answer twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crmkit.types import utcnow
from sales.accounts.service import live_account
from sales.leads.models import Lead
from sales.opportunities.models import Opportunity


def complete_conversion(session: Session, data: Mapping[str, Any]) -> None:
    """Set account_id / contact_id on the converted lead and its opportunity (following merges)."""
    account_id = str(data["account_id"])
    survivor = live_account(session, account_id)
    if survivor is not None:
        account_id = survivor.id
    contact_id = data.get("contact_id")
    now = utcnow()
    lead = session.get(Lead, str(data["lead_id"]))
    if lead is not None and (lead.account_id, lead.contact_id) != (account_id, contact_id):
        lead.account_id, lead.contact_id, lead.updated_at = account_id, contact_id, now
    opportunity_id = data.get("opportunity_id") or (lead.opportunity_id if lead is not None else None)
    opportunity = session.get(Opportunity, opportunity_id) if opportunity_id else None
    if opportunity is not None and (opportunity.account_pending or opportunity.account_id != account_id):
        opportunity.account_id, opportunity.contact_id = account_id, contact_id or opportunity.contact_id
        opportunity.account_pending, opportunity.updated_at = False, now
