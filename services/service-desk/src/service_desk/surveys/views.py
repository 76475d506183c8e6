"""HTTP resources of surveys: the public /api/v1/survey-responses/<token> and /api/v1/surveys/results."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

import crmkit
from crmkit import current_uow
from service_desk.roles import REPORT_READERS
from service_desk.surveys import results, service
from service_desk.surveys.schemas import (
    ResultsQuerySchema,
    ResultsSchema,
    SurveyAnsweredSchema,
    SurveyAnswerSchema,
    SurveyPageSchema,
)

responses_blp = crmkit.Blueprint(
    "survey_responses",
    __name__,
    url_prefix="/api/v1/survey-responses",
    description="The public survey link a requester gets when a ticket is resolved (no login; single use).",
)
surveys_blp = crmkit.Blueprint(
    "surveys", __name__, url_prefix="/api/v1/surveys", description="Satisfaction survey results."
)


@responses_blp.route("/<token>")
class SurveyResponse(MethodView):
    @crmkit.public
    @responses_blp.response(200, SurveyPageSchema)
    def get(self, token: str) -> Any:
        """What the survey page shows: the ticket, and whether the link can still be answered."""
        return service.read_survey(uow=current_uow(), token=token)

    @crmkit.public
    @responses_blp.arguments(SurveyAnswerSchema)
    @responses_blp.response(201, SurveyAnsweredSchema)
    @responses_blp.alt_response(409, description="Already answered (`servicedesk.survey.already_answered`)")
    @responses_blp.alt_response(410, description="Link expired or replaced (`servicedesk.survey.expired`)")
    def post(self, data: dict[str, Any], token: str) -> Any:
        """Rate the resolution 1-5 with an optional comment; the link then stops working."""
        return service.answer_survey(uow=current_uow(), token=token, data=data)


@surveys_blp.route("/results")
class SurveyResults(MethodView):
    @crmkit.require_roles(*REPORT_READERS)
    @surveys_blp.arguments(ResultsQuerySchema, location="query")
    @surveys_blp.response(200, ResultsSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Responses, average rating and CSAT for [from, to), by agent, group, account, day, week or month."""
        return results.survey_results(uow=current_uow(), query={**query, "from": query.pop("from_")})
