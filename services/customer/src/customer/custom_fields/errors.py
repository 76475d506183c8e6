"""Problems of the custom-fields feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class CustomFieldNotFound(crmkit.NotFound):
    code = "customer.custom_field.not_found"


class CustomFieldExists(crmkit.Conflict):
    code = "customer.custom_field.exists"


class CustomFieldInvalid(crmkit.ValidationFailed):
    """Custom field values do not match their definitions; `errors` names each bad `custom_fields.<key>`."""

    code = "customer.custom_field.invalid"
