"""Inbound mail: authenticate the mailbox, thread the message onto a ticket or open a new one, keep files.

Threading: In-Reply-To / References against the Message-IDs stored for tickets, then a ticket token such
as [#T-1042] in the subject (accepted only from the ticket's requester or a contact of its account, so a
guessed token cannot post into someone else's ticket). Anything else opens a new ticket.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock, config
from service_desk.customers import service as customers
from service_desk.db import new_id
from service_desk.mail import storage
from service_desk.mail.errors import AttachmentRejected, MailboxSecretInvalid
from service_desk.mail.models import Attachment, Mailbox, MailMessage
from service_desk.mail.parsing import InboundMail, MailFile, parse_mail
from service_desk.tickets import service as tickets
from service_desk.tickets.models import Ticket, TicketComment


@dataclasses.dataclass
class Outcome:
    action: str  # "created" | "replied" | "duplicate" | "ignored"
    ticket: Ticket | None
    comment_id: str | None
    attachments: list[Attachment]


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def receive_mail(*, uow: crmkit.UnitOfWork, secret: str | None, raw: bytes, data_dir: Path) -> Outcome:
    """Take one raw message: nothing is written unless all of it (ticket or reply, files) is."""
    written: list[Path] = []
    try:
        with uow:
            session = uow.session
            mailbox = _authenticate(session, secret)
            mail = parse_mail(raw)
            _check_files(mail.files)
            if mail.automatic:  # answering an auto-reply would start a mail loop; nothing is written
                return Outcome("ignored", None, None, [])
            known = session.get(MailMessage, mail.message_id)
            if known is not None:
                ticket = tickets.load_ticket(session, known.ticket_id)
                return Outcome("duplicate", ticket, known.comment_id, [])
            outcome = _thread(session, mailbox, mail)
            outcome.attachments = _store_files(session, outcome, mail.files, data_dir, written)
            uow.commit()
            return outcome
    except BaseException:
        storage.remove_files(written)
        raise


def _authenticate(session: Session, secret: str | None) -> Mailbox:
    if not secret:
        raise MailboxSecretInvalid("Send the mailbox's secret in X-Inbound-Secret.")
    mailbox = session.scalars(sa.select(Mailbox).where(Mailbox.secret_hash == secret_hash(secret))).first()
    if mailbox is None or not mailbox.active:
        raise MailboxSecretInvalid("X-Inbound-Secret names no active mailbox.")
    return mailbox


def _check_files(files: list[MailFile]) -> None:
    limit, allowed = config.max_attachment_bytes(), config.attachment_types()
    problems = [
        {"field": f"attachments.{index}", "message": message, "in": "body"}
        for index, file in enumerate(files)
        for message in _file_problems(file, limit, allowed)
    ]
    if problems:
        raise AttachmentRejected(
            "An attachment is too large or of a type not accepted; nothing was stored.", errors=problems
        )


def _file_problems(file: MailFile, limit: int, allowed: frozenset[str]) -> list[str]:
    found = []
    if len(file.content) > limit:
        found.append(f"{file.filename}: {len(file.content)} bytes is more than the {limit} allowed")
    if file.content_type not in allowed:
        found.append(f"{file.filename}: type {file.content_type} is not accepted")
    return found


def _thread(session: Session, mailbox: Mailbox, mail: InboundMail) -> Outcome:
    now = clock.now()
    ticket = _ticket_replied_to(session, mail)
    if ticket is None:
        ticket = _new_ticket(session, mailbox, mail, now)
        _remember(session, mail, ticket, None, mailbox, now)
        return Outcome("created", ticket, None, [])
    comment = TicketComment(
        ticket_id=ticket.id,
        kind="public",
        author_kind="requester",
        author_email=mail.sender,
        body=mail.reply_text or "(empty message)",
        channel="email",
        seq=ticket.next_comment_seq(),
        created_at=now,
    )
    session.add(comment)
    session.flush()
    _remember(session, mail, ticket, comment.id, mailbox, now)
    tickets.requester_replied(session, ticket, now)
    ticket.updated_at = now
    session.flush()
    return Outcome("replied", ticket, comment.id, [])


def _ticket_replied_to(session: Session, mail: InboundMail) -> Ticket | None:
    """The ticket this message answers: by Message-ID threading, else by a token from a trusted sender."""
    if mail.references:
        known = session.scalars(
            sa.select(MailMessage).where(MailMessage.message_id.in_(mail.references))
        ).all()
        by_id = {row.message_id: row.ticket_id for row in known}
        for message_id in mail.references:
            if message_id in by_id:
                return _live(session, tickets.load_ticket(session, by_id[message_id]))
    if mail.ticket_number is not None:
        ticket = tickets.find_by_number(session, mail.ticket_number)
        if ticket is not None and _may_reply(session, ticket, mail.sender):
            return _live(session, ticket)
    return None


def _live(session: Session, ticket: Ticket) -> Ticket:
    """Follow merges to the ticket the conversation lives on in."""
    seen = {ticket.id}
    while ticket.merged_into_id and ticket.merged_into_id not in seen:
        ticket = tickets.load_ticket(session, ticket.merged_into_id)
        seen.add(ticket.id)
    return ticket


def _may_reply(session: Session, ticket: Ticket, sender: str) -> bool:
    if ticket.requester_email and ticket.requester_email.lower() == sender:
        return True
    if ticket.account_id is None:
        return False
    requester = customers.match_requester(session, sender)
    return requester.contact_id is not None and requester.account_id == ticket.account_id


def _new_ticket(session: Session, mailbox: Mailbox, mail: InboundMail, now: Any) -> Ticket:
    new = tickets.NewTicket(
        subject=mail.subject,
        description=mail.text,
        channel="email",
        created_by=f"mailbox:{mailbox.id}",
        priority=mailbox.default_priority,
        type=mailbox.default_type,
        requester_email=mail.sender,
        requester_name=mail.sender_name,
        group_id=mailbox.group_id,
    )
    return tickets.open_ticket(session, new, now)


def _remember(
    session: Session, mail: InboundMail, ticket: Ticket, comment_id: str | None, mailbox: Mailbox, now: Any
) -> None:
    session.add(
        MailMessage(
            message_id=mail.message_id,
            ticket_id=ticket.id,
            comment_id=comment_id,
            mailbox_id=mailbox.id,
            sender=mail.sender,
            received_at=now,
        )
    )
    session.flush()


def _store_files(
    session: Session, outcome: Outcome, files: list[MailFile], data_dir: Path, written: list[Path]
) -> list[Attachment]:
    assert outcome.ticket is not None
    stored = []
    for file in files:
        attachment = Attachment(
            id=new_id(),
            ticket_id=outcome.ticket.id,
            comment_id=outcome.comment_id,
            filename=file.filename,
            content_type=file.content_type,
            size=len(file.content),
            sha256=hashlib.sha256(file.content).hexdigest(),
            storage_key="",
            created_at=clock.now(),
        )
        attachment.storage_key = f"{outcome.ticket.id}/{attachment.id}"
        written.append(storage.write_file(data_dir, attachment.storage_key, file.content))
        session.add(attachment)
        stored.append(attachment)
    session.flush()
    return stored
