"""HTTP resources of custom field definitions: /api/v1/custom-fields (changes: admin only)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from customer.custom_fields import service
from customer.custom_fields.schemas import (
    CustomFieldCreateSchema,
    CustomFieldQuerySchema,
    CustomFieldSchema,
    CustomFieldUpdateSchema,
)
from customer.http import created, etag
from customer.roles import ADMINS

blp = crmkit.Blueprint(
    "custom_fields", __name__, url_prefix="/api/v1/custom-fields", description="Extra account fields."
)


@blp.route("")
class CustomFields(MethodView):
    @blp.arguments(CustomFieldQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(CustomFieldSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List the custom field definitions."""
        return service.list_definitions(uow=current_uow(), query=query)

    @crmkit.require_roles(*ADMINS)
    @crmkit.idempotent
    @blp.arguments(CustomFieldCreateSchema)
    @blp.response(201, CustomFieldSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Define a custom field for accounts."""
        definition = service.create_definition(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return definition, created(
            url_for("custom_fields.CustomFieldByKey", key=definition.key), definition.version
        )


@blp.route("/<key>")
class CustomFieldByKey(MethodView):
    @blp.response(200, CustomFieldSchema)
    def get(self, key: str) -> Any:
        """Read a custom field definition."""
        definition = service.get_definition(uow=current_uow(), key=key)
        return definition, etag(definition.version)

    @crmkit.require_roles(*ADMINS)
    @blp.arguments(CustomFieldUpdateSchema)
    @blp.response(200, CustomFieldSchema)
    def patch(self, data: dict[str, Any], key: str) -> Any:
        """Change a definition's label, options or required flag (send If-Match with its ETag)."""
        definition = service.update_definition(
            uow=current_uow(),
            key=key,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return definition, etag(definition.version)

    @crmkit.require_roles(*ADMINS)
    @blp.response(204)
    def delete(self, key: str) -> None:
        """Remove a definition (send If-Match with its ETag)."""
        service.delete_definition(
            uow=current_uow(),
            key=key,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
