"""Problems of the risk register (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class RiskNotFound(crmkit.NotFound):
    code = "projects.risk.not_found"
