"""The sales service's periodic jobs (run by the worker; `crm-sales jobs run <name> [--at ...]` runs one).

Each job is `run(session, now) -> int` (how many things it did) inside one unit of work.
"""

from __future__ import annotations

from crmkit.jobs import PeriodicJob
from sales.forecast.snapshots import weekly_snapshot
from sales.leads.service import assign_waiting_leads
from sales.quotes.lifecycle import expire_due_quotes

HOUR = 3600.0

JOBS: list[PeriodicJob] = [
    PeriodicJob(
        "forecast-weekly-snapshot",
        HOUR,
        weekly_snapshot,
        "Snapshot the current quarter's forecast once per ISO week (immutable).",
    ),
    PeriodicJob("quotes-expire", HOUR, expire_due_quotes, "Expire sent quotes whose valid_until has passed."),
    PeriodicJob(
        "leads-assign-waiting",
        15 * 60.0,
        assign_waiting_leads,
        "Assign unassigned open leads once an assignment rule has a rep free for them (S1, sales core).",
    ),
]
