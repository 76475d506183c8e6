"""Problems of the opportunities feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class OpportunityNotFound(crmkit.NotFound):
    code = "sales.opportunity.not_found"


class OpportunityClosed(crmkit.Conflict):
    """Won and lost opportunities do not change stage, amount or owner any more."""

    title = "Opportunity Closed"
    code = "sales.opportunity.closed"


class StageInvalid(crmkit.ValidationFailed):
    """The stage is not one of the opportunity's pipeline, or a lost stage was chosen without a reason."""

    code = "sales.opportunity.stage_invalid"


class LossReasonInvalid(crmkit.ValidationFailed):
    code = "sales.opportunity.loss_reason_invalid"


class PipelineNotFound(crmkit.NotFound):
    code = "sales.pipeline.not_found"


class PipelineInvalid(crmkit.ValidationFailed):
    """A pipeline needs open stages plus exactly one won and one lost stage, with distinct names."""

    code = "sales.pipeline.invalid"


class PipelineInUse(crmkit.Conflict):
    """A stage still holding opportunities cannot be removed."""

    title = "Stage In Use"
    code = "sales.pipeline.stage_in_use"


class PipelineExists(crmkit.Conflict):
    code = "sales.pipeline.exists"


class LossReasonNotFound(crmkit.NotFound):
    code = "sales.loss_reason.not_found"


class LossReasonExists(crmkit.Conflict):
    code = "sales.loss_reason.exists"
