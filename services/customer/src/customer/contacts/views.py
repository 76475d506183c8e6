"""HTTP resources of contacts: an account's contacts, /api/v1/contacts and one contact."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from customer.contacts import service
from customer.contacts.schemas import (
    AccountContactQuerySchema,
    ContactCreateSchema,
    ContactQuerySchema,
    ContactSchema,
    ContactUpdateSchema,
)
from customer.http import created, etag
from customer.roles import EDITORS, MANAGERS

blp = crmkit.Blueprint("contacts", __name__, url_prefix="/api/v1", description="People at accounts.")


@blp.route("/accounts/<account_id>/contacts")
class AccountContacts(MethodView):
    @blp.arguments(AccountContactQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ContactSchema))
    def get(self, query: dict[str, Any], account_id: str) -> Any:
        """List the contacts of an account."""
        return service.list_account_contacts(uow=current_uow(), account_id=account_id, query=query)

    @crmkit.require_roles(*EDITORS)
    @crmkit.idempotent
    @blp.arguments(ContactCreateSchema)
    @blp.response(201, ContactSchema)
    @blp.alt_response(409, description="A contact has this e-mail address (`customer.contact.duplicate`)")
    def post(self, data: dict[str, Any], account_id: str) -> Any:
        """Add a contact to an account."""
        contact = service.create_contact(
            uow=current_uow(), account_id=account_id, data=data, actor=crmkit.current_principal()
        )
        return contact, created(url_for("contacts.ContactById", contact_id=contact.id), contact.version)


@blp.route("/contacts")
class Contacts(MethodView):
    @blp.arguments(ContactQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ContactSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List contacts, filtered by e-mail address, phone number or account."""
        return service.list_contacts(uow=current_uow(), query=query)


@blp.route("/contacts/<contact_id>")
class ContactById(MethodView):
    @blp.response(200, ContactSchema)
    def get(self, contact_id: str) -> Any:
        """Read a contact."""
        contact = service.get_contact(uow=current_uow(), contact_id=contact_id)
        return contact, etag(contact.version)

    @crmkit.require_roles(*EDITORS)
    @blp.arguments(ContactUpdateSchema)
    @blp.response(200, ContactSchema)
    def patch(self, data: dict[str, Any], contact_id: str) -> Any:
        """Change a contact (send If-Match with its ETag); consents are merged per purpose."""
        contact = service.update_contact(
            uow=current_uow(),
            contact_id=contact_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return contact, etag(contact.version)

    @crmkit.require_roles(*MANAGERS)
    @blp.response(204)
    def delete(self, contact_id: str) -> None:
        """Delete a contact (send If-Match with its ETag)."""
        service.delete_contact(
            uow=current_uow(),
            contact_id=contact_id,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
