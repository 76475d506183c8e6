"""Problems of the templates feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class TemplateNotFound(crmkit.NotFound):
    code = "projects.template.not_found"


class TemplateInvalid(crmkit.ValidationFailed):
    """The template's plan breaks a rule (unknown keys, a cycle, links on summary tasks); `errors` say where."""

    code = "projects.template.invalid"


class TemplateDuplicate(crmkit.Conflict):
    title = "Template Name Taken"
    code = "projects.template.duplicate"
