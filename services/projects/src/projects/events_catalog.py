"""Every event type the projects service publishes, with its schema and example (the events catalog).

Installed under the `crm.event_catalog` entry point, so the AsyncAPI document and the catalog test see it.
"""

from __future__ import annotations

from crmkit.events.catalog import EventRegistry
from projects.projects import events as project_events
from projects.schedule import events as schedule_events

REGISTRY = EventRegistry("projects")
PROJECT_CREATED = REGISTRY.define(
    project_events.PROJECT_CREATED,
    schema=project_events.ProjectCreatedV1,
    example=project_events.EXAMPLE_CREATED,
    summary=(
        "A project was started (by hand, from a template, or from a confirmed order: `order_id`); the payload "
        "is its state and its scope items."
    ),
)
PROJECT_STATUS_CHANGED = REGISTRY.define(
    project_events.PROJECT_STATUS_CHANGED,
    schema=project_events.ProjectStatusChangedV1,
    example=project_events.EXAMPLE_STATUS_CHANGED,
    summary=(
        "A project's lifecycle status or health (on_track, at_risk, off_track) changed; new state, `changes` "
        "and the status report's comment."
    ),
)
PROJECT_COMPLETED = REGISTRY.define(
    project_events.PROJECT_COMPLETED,
    schema=project_events.ProjectCompletedV1,
    example=project_events.EXAMPLE_COMPLETED,
    summary="A project was completed; the payload is its state.",
)

# -- P2: cost, change control, risks ------------------------------------------------------------------------
from projects.costs import events as cost_events  # noqa: E402

TIMESHEET_APPROVED = REGISTRY.define(
    cost_events.TIMESHEET_APPROVED,
    schema=cost_events.TimesheetApprovedV1,
    example=cost_events.EXAMPLE_APPROVED,
    summary=(
        "A project manager approved a timesheet: its hours x the role's rate are now actual cost of the "
        "project (`cost_amount`, per entry `rate` and `cost`)."
    ),
)
MILESTONE_REACHED = REGISTRY.define(
    schedule_events.MILESTONE_REACHED,
    schema=schedule_events.MilestoneReachedV1,
    example=schedule_events.EXAMPLE_MILESTONE_REACHED,
    summary="A milestone of a project was completed (subject: the milestone task).",
)
TASK_RESCHEDULED = REGISTRY.define(
    schedule_events.TASK_RESCHEDULED,
    schema=schedule_events.TaskRescheduledV1,
    example=schedule_events.EXAMPLE_TASK_RESCHEDULED,
    summary=(
        "A task's planned dates moved because the plan was rescheduled: a task it depends on moved or slipped "
        "(`cause_task_id`), or the task itself was moved; `changes` holds the dates before and after."
    ),
)

from projects.changes import events as change_events  # noqa: E402

CHANGE_REQUEST_APPROVED = REGISTRY.define(
    change_events.CHANGE_REQUEST_APPROVED,
    schema=change_events.ChangeRequestApprovedV1,
    example=change_events.EXAMPLE_APPROVED,
    summary=(
        "A change request was approved and applied: scope items, task moves and budget lines are in the plan "
        "and a new baseline (`baseline_id`) was saved. `price_delta` is what the added scope sells for (the "
        "sales service may treat it as upsell on `account_id`), `cost_delta` the change of the cost budget."
    ),
)

from projects.risks import events as risk_events  # noqa: E402

RISK_RAISED = REGISTRY.define(
    risk_events.RISK_RAISED,
    schema=risk_events.RiskRaisedV1,
    example=risk_events.EXAMPLE_RAISED,
    summary="A risk was put on a project's register; the payload is its state (score = probability x impact).",
)
