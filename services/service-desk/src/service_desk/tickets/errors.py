"""Problems of the tickets feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class TicketNotFound(crmkit.NotFound):
    code = "servicedesk.ticket.not_found"


class TransitionNotAllowed(crmkit.Conflict):
    """The ticket's state machine does not allow this move; `allowed` lists the moves it does."""

    title = "Transition Not Allowed"
    code = "servicedesk.ticket.transition_not_allowed"


class TicketMerged(crmkit.Conflict):
    """The ticket was merged into another; `merged_into` names it. Work on that ticket instead."""

    title = "Ticket Merged"
    code = "servicedesk.ticket.merged"


class TicketInvalid(crmkit.ValidationFailed):
    code = "servicedesk.ticket.invalid"


class MergeInvalid(crmkit.ValidationFailed):
    code = "servicedesk.ticket.merge_invalid"


class LinkInvalid(crmkit.ValidationFailed):
    code = "servicedesk.ticket.link_invalid"


class LinkNotFound(crmkit.NotFound):
    code = "servicedesk.ticket.link_not_found"


class GroupNotFound(crmkit.NotFound):
    code = "servicedesk.group.not_found"


class GroupNameTaken(crmkit.Conflict):
    code = "servicedesk.group.name_taken"


class CannedResponseNotFound(crmkit.NotFound):
    code = "servicedesk.canned_response.not_found"


class CannedResponseTitleTaken(crmkit.Conflict):
    code = "servicedesk.canned_response.title_taken"


class NotYourTicket(crmkit.Forbidden):
    code = "servicedesk.ticket.forbidden"
