"""Problems of the rep roster (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class RepNotFound(crmkit.NotFound):
    code = "sales.rep.not_found"


class RepExists(crmkit.Conflict):
    code = "sales.rep.exists"
