"""/api/v1/api-keys: integrator API keys (admin). The secret is answered once, at creation."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from crmkit import (
    Blueprint,
    Page,
    current_uow,
    etag_for,
    expected_version,
    idempotent,
    page_schema,
    require_roles,
)
from crmkit.api import ProblemSchema
from gateway.access import apikeys
from gateway.access.apikeys import ApiKey
from gateway.access.schemas import (
    ApiKeyCreateSchema,
    ApiKeyQuerySchema,
    ApiKeySchema,
    ApiKeyUpdateSchema,
    IssuedApiKeySchema,
)
from gateway.audit.service import Actor
from gateway.identity.models import ADMIN

PROBLEM = {"schema": ProblemSchema, "content_type": "application/problem+json"}

api_keys_blp = Blueprint(
    "api_keys", __name__, url_prefix="/api/v1/api-keys", description="Integrator API keys (admin)."
)


@api_keys_blp.route("")
class ApiKeyCollection(MethodView):
    @require_roles(ADMIN)
    @api_keys_blp.arguments(ApiKeyQuerySchema, location="query")
    @api_keys_blp.response(200, page_schema(ApiKeySchema))
    def get(self, query: dict[str, Any]) -> Page:
        """List API keys (never their secrets), a page at a time (filter: active)."""
        with current_uow() as uow:
            return apikeys.list_(uow=uow, query=query)

    @require_roles(ADMIN)
    @idempotent(replay=False)  # the answer holds a secret shown once: never stored
    @api_keys_blp.arguments(ApiKeyCreateSchema)
    @api_keys_blp.response(201, IssuedApiKeySchema)
    @api_keys_blp.alt_response(422, description="An unknown resource or a bad event pattern", **PROBLEM)
    def post(self, data: dict[str, Any]) -> tuple[ApiKey, dict[str, str]]:
        """Create a key; the answer holds the secret `key`, shown this once (only its hash is kept)."""
        with current_uow() as uow:
            issued = apikeys.create(uow=uow, data=data, actor=Actor.current())
        setattr(issued.api_key, "key", issued.key)  # answered once, never stored  # noqa: B010
        return issued.api_key, _headers(issued.api_key, location=True)


@api_keys_blp.route("/<key_id>")
class ApiKeyItem(MethodView):
    @require_roles(ADMIN)
    @api_keys_blp.response(200, ApiKeySchema)
    @api_keys_blp.alt_response(404, description="No such key", **PROBLEM)
    def get(self, key_id: str) -> tuple[ApiKey, dict[str, str]]:
        """Read a key (never its secret)."""
        with current_uow() as uow:
            api_key = apikeys.get_or_raise(uow=uow, key_id=key_id)
        return api_key, _headers(api_key)

    @require_roles(ADMIN)
    @api_keys_blp.arguments(ApiKeyUpdateSchema)
    @api_keys_blp.response(200, ApiKeySchema)
    @api_keys_blp.alt_response(412, description="The key changed since the If-Match version", **PROBLEM)
    def patch(self, data: dict[str, Any], key_id: str) -> tuple[ApiKey, dict[str, str]]:
        """Rename a key or change its scopes or expiry (send If-Match)."""
        version = expected_version()
        with current_uow() as uow:
            api_key = apikeys.update(
                uow=uow, key_id=key_id, data=data, expected_version=version, actor=Actor.current()
            )
        return api_key, _headers(api_key)

    @require_roles(ADMIN)
    @api_keys_blp.response(204)
    @api_keys_blp.alt_response(404, description="No such key", **PROBLEM)
    def delete(self, key_id: str) -> None:
        """Revoke a key at once (send If-Match); it stays listed as revoked."""
        version = expected_version()
        with current_uow() as uow:
            apikeys.revoke(uow=uow, key_id=key_id, expected_version=version, actor=Actor.current())


@api_keys_blp.route("/<key_id>/rotate")
class ApiKeyRotation(MethodView):
    @require_roles(ADMIN)
    @api_keys_blp.response(200, IssuedApiKeySchema)
    @api_keys_blp.alt_response(404, description="No such key", **PROBLEM)
    @api_keys_blp.alt_response(409, description="The key is revoked", **PROBLEM)
    def post(self, key_id: str) -> tuple[ApiKey, dict[str, str]]:
        """Give the key a new secret, answered this once as `key`; the old secret stops working at once."""
        with current_uow() as uow:
            issued = apikeys.rotate(uow=uow, key_id=key_id, actor=Actor.current())
        setattr(issued.api_key, "key", issued.key)  # answered once, never stored  # noqa: B010
        return issued.api_key, _headers(issued.api_key)


def _headers(api_key: ApiKey, *, location: bool = False) -> dict[str, str]:
    headers = {"ETag": etag_for(api_key.version)}
    if location:
        headers["Location"] = url_for("api_keys.ApiKeyItem", key_id=api_key.id)
    return headers
