"""Reading a raw RFC 822 message into what the desk needs: sender, subject, threading ids, text, files.

Pure functions (no database), so every malformed-mail case is unit-testable.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr

from service_desk.mail.errors import MailInvalid, MailMalformed

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
TICKET_TOKEN = re.compile(r"\[#?T-(\d{1,9})\]", re.IGNORECASE)
QUOTE_HEADER = re.compile(r"^(On .{0,300} wrote:|-{2,} ?Original Message ?-{2,}|From: .+)$", re.IGNORECASE)
TAGS = re.compile(r"<[^>]+>")
MAX_SUBJECT = 300
AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
DAEMONS = frozenset({"mailer-daemon", "postmaster"})


@dataclasses.dataclass(frozen=True)
class MailFile:
    filename: str
    content_type: str
    content: bytes


@dataclasses.dataclass(frozen=True)
class InboundMail:
    message_id: str
    sender: str
    sender_name: str | None
    subject: str
    text: str
    reply_text: str  # the text without the quoted earlier messages
    references: list[str]  # In-Reply-To first, then References newest first
    ticket_number: int | None
    files: list[MailFile]
    automatic: bool = False  # an auto-reply, bounce or bulk mail: never opens or reopens a ticket


def parse_mail(raw: bytes) -> InboundMail:
    """Parse the message or raise MailMalformed (400: not a message) / MailInvalid (422: unusable)."""
    if not raw.strip():
        raise MailMalformed("The body is empty; send the raw RFC 822 message.")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:
        raise MailMalformed("The body could not be read as an RFC 822 message.") from None
    header_names = {name.lower() for name in message.keys()}  # noqa: SIM118  (a Message iterates headers)
    if not header_names & {"from", "subject", "message-id"}:
        raise MailMalformed("The body has no RFC 822 header section (From, Subject, Message-ID ...).")
    sender, sender_name = _sender(message)
    subject = _header(message, "Subject").strip()[:MAX_SUBJECT] or "(no subject)"
    text = _body_text(message)
    token = TICKET_TOKEN.search(subject)
    return InboundMail(
        message_id=_message_id(message, raw),
        sender=sender,
        sender_name=sender_name,
        subject=subject,
        text=text,
        reply_text=strip_quoted(text),
        references=_references(message),
        ticket_number=int(token.group(1)) if token else None,
        files=_files(message),
        automatic=_is_automatic(message, sender),
    )


def _is_automatic(message: Message, sender: str) -> bool:
    """Out-of-office replies, bounces and list mail (RFC 3834 Auto-Submitted, Precedence, daemons)."""
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    return (
        (bool(auto_submitted) and auto_submitted != "no")
        or precedence in AUTOMATIC_PRECEDENCE
        or any(_header(message, name) for name in ("X-Autoreply", "X-Autorespond"))
        or sender.partition("@")[0] in DAEMONS
    )


def strip_quoted(text: str) -> str:
    """The new part of a reply: lines before the quoted earlier message ("On ... wrote:", "> ...")."""
    kept: list[str] = []
    for line in text.splitlines():
        if QUOTE_HEADER.match(line.strip()):
            break
        if not line.startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip() or text.strip()


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:
        return ""
    return str(value) if value is not None else ""


def _sender(message: Message) -> tuple[str, str | None]:
    raw = _header(message, "Reply-To") or _header(message, "From")
    if not raw:
        raise MailInvalid(
            "The message has no From address.", errors=[{"field": "From", "message": "missing", "in": "body"}]
        )
    name, address = parseaddr(raw)
    address = address.strip().lower()
    if "@" not in address or " " in address or not _valid_address(address):
        raise MailInvalid(
            "The From address is not an e-mail address.",
            errors=[{"field": "From", "message": f"not an e-mail address: {raw[:200]}", "in": "body"}],
        )
    return address, (name.strip() or None)


def _valid_address(address: str) -> bool:
    try:
        Address(addr_spec=address)
    except Exception:
        return False
    local, _, domain = address.rpartition("@")
    return bool(local) and "." in domain


def _message_id(message: Message, raw: bytes) -> str:
    found = MESSAGE_ID.search(_header(message, "Message-ID"))
    if found:
        return found.group(0)[:500]
    # No Message-ID: derive a stable one, so a provider's retry of the same message is still recognised.
    return f"<{hashlib.sha256(raw).hexdigest()}@generated.servicedesk>"


def _references(message: Message) -> list[str]:
    in_reply_to = MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    references = list(reversed(MESSAGE_ID.findall(_header(message, "References"))))
    return list(dict.fromkeys(in_reply_to + references))


def _body_text(message: Message) -> str:
    if not isinstance(message, EmailMessage):
        return ""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except Exception:
        content = str(part.get_payload())
    text = str(content)
    if part.get_content_type() == "text/html":
        text = html.unescape(TAGS.sub(" ", text))
    return text.replace("\r\n", "\n").strip()


def _files(message: Message) -> list[MailFile]:
    """Every part sent as a file: disposition attachment, or a named non-text part (nested ones too)."""
    files: list[MailFile] = []
    for part in message.walk():
        if part.is_multipart() or not _is_file(part):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = _safe_name(part.get_filename() or f"attachment-{len(files) + 1}")
        files.append(MailFile(filename, part.get_content_type().lower(), content))
    return files


def _is_file(part: Message) -> bool:
    disposition = part.get_content_disposition()
    if disposition == "attachment":
        return True
    return bool(part.get_filename()) and part.get_content_maintype() != "text"


def _safe_name(filename: str) -> str:
    name = re.sub(r"[\\/\x00-\x1f]", "_", filename).strip(". ") or "attachment"
    return name[:255]
