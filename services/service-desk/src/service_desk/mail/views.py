"""HTTP resources of inbound mail: POST /api/v1/inbound-mail (raw RFC 822, X-Inbound-Secret), the
mailboxes managers configure, and the attachments kept on tickets."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from flask import current_app, request, send_file, url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from service_desk import config
from service_desk.http import created, etag
from service_desk.mail import mailboxes, service, storage
from service_desk.mail.errors import AttachmentNotFound
from service_desk.mail.models import Attachment
from service_desk.mail.schemas import (
    AttachmentListSchema,
    InboundResultSchema,
    MailboxCreateSchema,
    MailboxSchema,
    MailboxWithSecretSchema,
    MailboxWriteSchema,
)
from service_desk.roles import MANAGERS
from service_desk.tickets.service import load_ticket

blp = crmkit.Blueprint(
    "inbound_mail",
    __name__,
    url_prefix="/api/v1/inbound-mail",
    description="Mail providers' inbound hook (raw RFC 822) and the mailboxes it may post for.",
)
attachments_blp = crmkit.Blueprint(
    "attachments", __name__, url_prefix="/api/v1/tickets", description="Files that came in with tickets."
)
SECRET_HEADER = "X-Inbound-Secret"


def _with_secret(mailbox: Any, secret: str) -> dict[str, Any]:
    """The mailbox's fields plus its new secret, for the one answer that shows it."""
    return {**{name: getattr(mailbox, name) for name in MailboxSchema().fields}, "secret": secret}


@blp.route("")
class InboundMail(MethodView):
    @crmkit.public
    @crmkit.accepts_body("message/rfc822")
    @blp.response(201, InboundResultSchema)
    @blp.alt_response(
        200, description="Taken before (same Message-ID), or an auto-reply/bounce: nothing written"
    )
    @blp.alt_response(400, description="Not an RFC 822 message (`servicedesk.mail.malformed`)")
    @blp.alt_response(
        401, description="X-Inbound-Secret missing or wrong (`servicedesk.mail.secret_invalid`)"
    )
    @blp.alt_response(422, description="Unusable sender or rejected attachment; nothing written")
    def post(self) -> Any:
        """Take one raw message (Content-Type message/rfc822): a new thread opens a ticket, a reply
        (In-Reply-To/References, or [#T-123] in the subject) becomes a public comment on its ticket."""
        # Mail with attachments is larger than the kit's JSON body cap; above this limit: 413, nothing read.
        request.max_content_length = config.max_message_bytes()
        outcome = service.receive_mail(
            uow=current_uow(),
            secret=request.headers.get(SECRET_HEADER),
            raw=request.get_data(cache=False),
            data_dir=crmkit.runtime(current_app).settings.data_dir,
        )
        ticket = outcome.ticket
        body = {
            "action": outcome.action,
            "ticket_id": ticket.id if ticket else None,
            "reference": ticket.reference if ticket else None,
            "comment_id": outcome.comment_id,
            "attachments": outcome.attachments,
        }
        return body, 201 if outcome.action in ("created", "replied") else 200


@blp.route("/mailboxes")
class Mailboxes(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @blp.arguments(crmkit.PageQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(MailboxSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List mailboxes (secrets are never shown again)."""
        return mailboxes.list_mailboxes(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @blp.arguments(MailboxCreateSchema)
    @blp.response(201, MailboxWithSecretSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a mailbox; the answer carries its secret once (configure it at the mail provider)."""
        mailbox, secret = mailboxes.create_mailbox(
            uow=current_uow(), data=data, actor=crmkit.current_principal()
        )
        return _with_secret(mailbox, secret), created(
            url_for("inbound_mail.MailboxById", mailbox_id=mailbox.id), mailbox.version
        )


@blp.route("/mailboxes/<mailbox_id>")
class MailboxById(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @blp.response(200, MailboxSchema)
    def get(self, mailbox_id: str) -> Any:
        """Read a mailbox."""
        mailbox = mailboxes.get_mailbox(uow=current_uow(), mailbox_id=mailbox_id)
        return mailbox, etag(mailbox.version)

    @crmkit.require_roles(*MANAGERS)
    @blp.arguments(MailboxWriteSchema)
    @blp.response(200, MailboxSchema)
    def patch(self, data: dict[str, Any], mailbox_id: str) -> Any:
        """Change a mailbox (If-Match with its ETag)."""
        mailbox = mailboxes.update_mailbox(
            uow=current_uow(), mailbox_id=mailbox_id, data=data, expected_version=crmkit.expected_version()
        )
        return mailbox, etag(mailbox.version)


@blp.route("/mailboxes/<mailbox_id>/secret")
class MailboxSecret(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @blp.response(200, MailboxWithSecretSchema)
    def post(self, mailbox_id: str) -> Any:
        """Rotate the mailbox's secret; the answer carries the new one once."""
        mailbox, secret = mailboxes.rotate_secret(uow=current_uow(), mailbox_id=mailbox_id)
        return _with_secret(mailbox, secret), etag(mailbox.version)


@attachments_blp.route("/<ticket_id>/attachments")
class TicketAttachments(MethodView):
    @attachments_blp.response(200, AttachmentListSchema)
    def get(self, ticket_id: str) -> Any:
        """Files that came in with the ticket and its replies."""
        uow = current_uow()
        with uow:
            load_ticket(uow.session, ticket_id)
            stmt = (
                sa.select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.created_at)
            )
            return {"items": list(uow.session.scalars(stmt))}


@attachments_blp.route("/<ticket_id>/attachments/<attachment_id>/content")
class AttachmentContent(MethodView):
    @attachments_blp.response(200, description="The file, with its content type")
    def get(self, ticket_id: str, attachment_id: str) -> Any:
        """Download an attachment."""
        uow = current_uow()
        with uow:
            attachment = uow.session.get(Attachment, attachment_id)
            if attachment is None or attachment.ticket_id != ticket_id:
                raise AttachmentNotFound(f"Ticket {ticket_id} has no attachment {attachment_id}.")
            path = storage.attachment_path(
                crmkit.runtime(current_app).settings.data_dir, attachment.storage_key
            )
            if not path.is_file():
                raise AttachmentNotFound(f"The file of attachment {attachment_id} is missing from storage.")
            return send_file(
                io.BytesIO(path.read_bytes()),
                mimetype=attachment.content_type,
                as_attachment=True,
                download_name=attachment.filename,
            )
