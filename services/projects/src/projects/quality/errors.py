"""Problems of quality (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class QualityPlanNotFound(crmkit.NotFound):
    code = "projects.quality_plan.not_found"


class NonConformanceNotFound(crmkit.NotFound):
    code = "projects.non_conformance.not_found"


class QualityReviewInvalid(crmkit.ValidationFailed):
    """Checklist results name items the plan does not have, leave some out, or contradict the result."""

    code = "projects.quality_review.invalid"


class NonConformanceInvalid(crmkit.ValidationFailed):
    """The non-conformance names a review or plan of another project."""

    code = "projects.non_conformance.invalid"


class QualityPlanInvalid(crmkit.ValidationFailed):
    """The plan names a task of another project."""

    code = "projects.quality_plan.invalid"
