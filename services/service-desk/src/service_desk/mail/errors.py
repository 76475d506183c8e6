"""Problems of inbound mail and mailboxes (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class MailboxSecretInvalid(crmkit.Unauthorized):
    """X-Inbound-Secret is missing or names no active mailbox."""

    code = "servicedesk.mail.secret_invalid"


class MailMalformed(crmkit.BadRequest):
    """The body is not an RFC 822 message at all (empty, or no header section)."""

    title = "Malformed Mail"
    code = "servicedesk.mail.malformed"


class MailInvalid(crmkit.ValidationFailed):
    """The message parses but cannot become a ticket (e.g. no usable From address); `errors` names the header."""

    code = "servicedesk.mail.invalid"


class AttachmentRejected(crmkit.ValidationFailed):
    """An attachment is too large or of a type not accepted; `errors` names it. Nothing was stored."""

    title = "Attachment Rejected"
    code = "servicedesk.mail.attachment_rejected"


class MailboxNotFound(crmkit.NotFound):
    code = "servicedesk.mailbox.not_found"


class MailboxAddressTaken(crmkit.Conflict):
    code = "servicedesk.mailbox.address_taken"


class AttachmentNotFound(crmkit.NotFound):
    code = "servicedesk.attachment.not_found"
