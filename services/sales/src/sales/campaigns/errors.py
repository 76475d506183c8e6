"""Problems of campaigns (codes listed in docs/errors.md)."""

from __future__ import annotations

import crmkit


class CampaignNotFound(crmkit.NotFound):
    code = "sales.campaign.not_found"


class CampaignInvalid(crmkit.ValidationFailed):
    """The campaign ends before it starts, or a segment selects nothing at all (`errors` names the field)."""

    code = "sales.campaign.invalid"


class CampaignClosed(crmkit.Conflict):
    """A completed or cancelled campaign takes no more members or responses."""

    code = "sales.campaign.closed"
