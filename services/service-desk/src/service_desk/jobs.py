"""The service desk's periodic jobs, run by `crm-service-desk worker` (and `jobs run <name> --at <time>`)."""

from __future__ import annotations

from crmkit.jobs import PeriodicJob
from service_desk.sla import sweep

JOBS = [
    PeriodicJob(
        "sla-sweep",
        every_seconds=sweep.EVERY_SECONDS,
        run=sweep.run,
        description="Announce SLA warnings and breaches that are due (once per clock) and escalate.",
    ),
]
