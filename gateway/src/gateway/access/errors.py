"""Access problems: `access.*` for denied requests and API key administration, `auth.*` for API key sign-in."""

from __future__ import annotations

from crmkit import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, ValidationFailed


class AccessDenied(Forbidden):
    code = "access.denied"


class InvalidApiKey(Unauthorized):
    code = "auth.invalid_api_key"


class ApiKeyNotFound(NotFound):
    code = "access.api_key_not_found"


class ApiKeyRevoked(Conflict):
    code = "access.api_key_revoked"


class InvalidScope(ValidationFailed):
    code = "access.invalid_scope"


class RateLimited(TooManyRequests):
    code = "access.rate_limited"
