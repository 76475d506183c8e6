"""Problems of satisfaction surveys (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class SurveyNotFound(crmkit.NotFound):
    """No survey has this token (it was mistyped, or never existed)."""

    code = "servicedesk.survey.not_found"


class SurveyAnswered(crmkit.Conflict):
    """The survey was already answered: a link counts once."""

    title = "Survey Already Answered"
    code = "servicedesk.survey.already_answered"


class SurveyExpired(crmkit.Problem):
    """The link is too old, or a newer survey replaced it."""

    status, title, code = 410, "Survey Expired", "servicedesk.survey.expired"


class SurveyQueryInvalid(crmkit.ValidationFailed):
    code = "servicedesk.survey.query_invalid"
