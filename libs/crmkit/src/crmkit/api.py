"""flask-smorest subclassed once: problem+json errors in the OpenAPI document, our Schema base."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import flask_smorest
import marshmallow as ma
from werkzeug.exceptions import HTTPException

from crmkit.errors import handle_http_exception

T = TypeVar("T")


class Schema(ma.Schema):
    """Base schema: unknown fields are an error (a typo must not be silently ignored)."""

    class Meta:
        unknown = ma.RAISE


class FieldErrorSchema(ma.Schema):
    field = ma.fields.String(metadata={"description": "Dotted path of the bad field"})
    message = ma.fields.String()
    location = ma.fields.String(data_key="in", metadata={"description": "json, query, headers, ..."})


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every error response of the platform is shaped."""

    type = ma.fields.String(metadata={"description": "URI naming the problem type (derived from code)"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String(metadata={"description": "Stable dotted error code (docs/errors.md)"})
    instance = ma.fields.String()
    request_id = ma.fields.String()
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema))


class Api(flask_smorest.Api):  # type: ignore[misc]
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        return handle_http_exception(error)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """Our blueprint: services import it from crmkit, never from flask_smorest.

    The decorators below only add types (flask-smorest has none), so decorated views stay typed.
    """

    def route(self, rule: str, **options: Any) -> Callable[[T], T]:
        return cast("Callable[[T], T]", super().route(rule, **options))

    def arguments(self, schema: Any, **kwargs: Any) -> Callable[[T], T]:
        return cast("Callable[[T], T]", super().arguments(schema, **kwargs))

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Callable[[T], T]:
        return cast("Callable[[T], T]", super().response(status_code, schema, **kwargs))

    def alt_response(self, status_code: int, response: Any = None, **kwargs: Any) -> Callable[[T], T]:
        return cast("Callable[[T], T]", super().alt_response(status_code, response, **kwargs))

    @staticmethod
    def doc(**kwargs: Any) -> Callable[[T], T]:
        return cast("Callable[[T], T]", flask_smorest.Blueprint.doc(**kwargs))
