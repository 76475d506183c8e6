"""Problems of the interactions feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class InteractionContactInvalid(crmkit.ValidationFailed):
    """The contact named on an interaction is not a live contact of that account."""

    code = "customer.interaction.contact_invalid"
