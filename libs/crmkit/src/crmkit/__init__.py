"""crmkit: the mechanics every CRM service shares. No domain model lives here."""

from crmkit.api import Blueprint, Schema
from crmkit.app import Runtime, accepts_body, create_service_app, current_uow, public, runtime
from crmkit.auth import Principal, current_principal, require_roles
from crmkit.concurrency import VersionedMixin, check_version, etag_for, expected_version
from crmkit.db import Database, UnitOfWork
from crmkit.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Problem,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from crmkit.idempotency import idempotent
from crmkit.pagination import Page, PageQuerySchema, page_schema, paginate, parse_sort
from crmkit.settings import ServiceSettings, SettingsError

__all__ = [
    "BadRequest",
    "Blueprint",
    "Conflict",
    "Database",
    "Forbidden",
    "NotFound",
    "Page",
    "PageQuerySchema",
    "PreconditionFailed",
    "PreconditionRequired",
    "Principal",
    "Problem",
    "Runtime",
    "Schema",
    "ServiceSettings",
    "SettingsError",
    "TooManyRequests",
    "Unauthorized",
    "UnitOfWork",
    "ValidationFailed",
    "VersionedMixin",
    "accepts_body",
    "check_version",
    "create_service_app",
    "current_principal",
    "current_uow",
    "etag_for",
    "expected_version",
    "idempotent",
    "page_schema",
    "paginate",
    "parse_sort",
    "public",
    "require_roles",
    "runtime",
]
