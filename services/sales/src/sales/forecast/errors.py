"""Problems of the forecast, quotas and snapshots (codes listed in docs/errors.md)."""

from __future__ import annotations

import crmkit


class PeriodInvalid(crmkit.ValidationFailed):
    """The period ends before it starts, or spans more than the longest period we sum."""

    code = "sales.forecast.period_invalid"


class QuotaNotFound(crmkit.NotFound):
    code = "sales.quota.not_found"


class QuotaExists(crmkit.Conflict):
    """The rep already has a quota for exactly this period: change it instead."""

    code = "sales.quota.exists"


class SnapshotNotFound(crmkit.NotFound):
    code = "sales.forecast_snapshot.not_found"
