"""RFC 9457 problem details: one exception hierarchy, one renderer, stable dotted codes."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, Response, current_app, json, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from crmkit.requestid import current_request_id

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://crm.example.org/problems/"
log = logging.getLogger(__name__)


class Problem(Exception):
    """An error a client can be told about; subclasses fix status, title and code."""

    status = 500
    title = "Internal Server Error"
    code = "internal_error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: Iterable[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.code = code or self.code
        self.errors = [dict(item) for item in errors or ()]
        self.headers = dict(headers or {})
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class BadRequest(Problem):
    status, title, code = 400, "Bad Request", "bad_request"


class ValidationFailed(Problem):
    status, title, code = 422, "Validation Failed", "validation_failed"


class Unauthorized(Problem):
    status, title, code = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="crm"'})
        super().__init__(detail, **kwargs)


class Forbidden(Problem):
    status, title, code = 403, "Forbidden", "forbidden"


class NotFound(Problem):
    status, title, code = 404, "Not Found", "not_found"


class MethodNotAllowed(Problem):
    status, title, code = 405, "Method Not Allowed", "method_not_allowed"


class Conflict(Problem):
    status, title, code = 409, "Conflict", "conflict"


class PreconditionFailed(Problem):
    status, title, code = 412, "Precondition Failed", "precondition_failed"


class PayloadTooLarge(Problem):
    status, title, code = 413, "Payload Too Large", "payload_too_large"


class UnsupportedMediaType(Problem):
    status, title, code = 415, "Unsupported Media Type", "unsupported_media_type"


class PreconditionRequired(Problem):
    status, title, code = 428, "Precondition Required", "precondition_required"


class TooManyRequests(Problem):
    status, title, code = 429, "Too Many Requests", "rate_limited"


class ServiceUnavailable(Problem):
    status, title, code = 503, "Service Unavailable", "service_unavailable"


class GatewayTimeout(Problem):
    status, title, code = 504, "Gateway Timeout", "upstream_timeout"


_HTTP_PROBLEMS: dict[int, type[Problem]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PreconditionFailed,
        PayloadTooLarge,
        UnsupportedMediaType,
        ValidationFailed,
        PreconditionRequired,
        TooManyRequests,
        ServiceUnavailable,
    )
}


def field_errors(messages: Mapping[str, Any], prefix: str = "") -> list[dict[str, str]]:
    """Flatten marshmallow's nested messages into [{field, message}] with dotted field paths."""
    flat: list[dict[str, str]] = []
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.extend(field_errors(value, path))
        elif isinstance(value, list | tuple):
            flat.extend(_list_errors(value, path))
        else:
            flat.append({"field": path, "message": str(value)})
    return flat


def _list_errors(values: list[Any] | tuple[Any, ...], path: str) -> list[dict[str, str]]:
    flat: list[dict[str, str]] = []
    for value in values:
        if isinstance(value, Mapping):
            flat.extend(field_errors(value, path))
        else:
            flat.append({"field": path, "message": str(value)})
    return flat


def problem_from_http_exception(error: HTTPException) -> Problem:
    """Turn werkzeug/webargs HTTP errors into our problems (webargs puts field messages in .data)."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    status = error.code or 500
    cls = _HTTP_PROBLEMS.get(status, Problem)
    if messages and status in (400, 422):
        errors = _webargs_errors(messages)
        return cls("The request has invalid fields.", errors=errors)
    problem = cls(data.get("message") or error.description)
    if status == 500:
        problem.detail = "An unexpected error occurred."
    problem.headers.update(data.get("headers") or {})
    if status == 405 and error.get_response().headers.get("Allow"):
        problem.headers["Allow"] = error.get_response().headers["Allow"]
    return problem


def _webargs_errors(messages: Mapping[str, Any]) -> list[dict[str, str]]:
    """webargs nests messages by location ("json", "query", ...); keep the location on each error."""
    errors: list[dict[str, str]] = []
    for location, fields in messages.items():
        if isinstance(fields, Mapping):
            for item in field_errors(fields):
                errors.append({**item, "in": str(location)})
        else:
            errors.extend(field_errors({location: fields}))
    return errors


def render_problem(problem: Problem) -> Response:
    body = problem.to_dict()
    body["instance"] = request.path
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    response = current_app.response_class(
        json.dumps(body), status=problem.status, mimetype=PROBLEM_CONTENT_TYPE
    )
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def handle_problem(problem: Problem) -> Response:
    if problem.status >= 500:
        log.error("problem %s: %s", problem.code, problem.detail)
    return render_problem(problem)


def handle_http_exception(error: HTTPException) -> Response:
    return render_problem(problem_from_http_exception(error))


def handle_unexpected(error: Exception) -> Response:
    """Anything not foreseen becomes a logged 500 problem; the client never sees a traceback."""
    log.exception("unhandled error: %s", error)
    return render_problem(Problem("An unexpected error occurred."))


def handle_lost_race(error: Exception) -> Response:
    """A concurrent writer won (version check at UPDATE, or a unique key taken meanwhile): 409, not 500."""
    log.info("write lost a race: %s", error)
    return render_problem(
        Conflict(
            "The resource was changed by someone else at the same moment; read it and retry.",
            code="write_conflict",
        )
    )


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(Problem, handle_problem)
    app.register_error_handler(StaleDataError, handle_lost_race)
    app.register_error_handler(IntegrityError, handle_lost_race)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
