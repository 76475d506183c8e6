"""flask-smorest subclassed once: problem+json errors in the OpenAPI document, our Schema base."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import flask_smorest
import marshmallow as ma
from werkzeug.exceptions import HTTPException

from crmkit.errors import handle_http_exception

T = TypeVar("T")


class Schema(ma.Schema):
    """Base schema: unknown fields are an error (a typo must not be silently ignored), and so is a NUL
    character in any string (PostgreSQL cannot store one: it would fail at write time, not here)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load(pass_collection=True)
    def _refuse_nul_characters(self, data: Any, **_: Any) -> Any:
        bad = sorted(nul_paths(data))
        if bad:
            raise ma.ValidationError({path: ["must not contain NUL (\\u0000) characters"] for path in bad})
        return data


def nul_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths of the strings (keys included) inside `value` that hold a NUL character."""
    if isinstance(value, str):
        return [path or "_schema"] if "\x00" in value else []
    if isinstance(value, Mapping):
        found = [f"{path}.{key}".lstrip(".") for key in value if isinstance(key, str) and "\x00" in key]
        for key, item in value.items():
            found.extend(nul_paths(item, f"{path}.{key}".lstrip(".")))
        return found
    if isinstance(value, list | tuple):
        return [
            found
            for index, item in enumerate(value)
            for found in nul_paths(item, f"{path}.{index}".lstrip("."))
        ]
    return []


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
