"""Problems of the contacts feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class ContactNotFound(crmkit.NotFound):
    code = "customer.contact.not_found"


class ContactDuplicate(crmkit.Conflict):
    """A live contact already has one of these e-mail addresses; send allow_duplicate to go ahead."""

    title = "Possible Duplicate"
    code = "customer.contact.duplicate"
