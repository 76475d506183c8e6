"""The service desk's own settings, read from the environment when used (so tests can set them).

SURVEY_LINK_BASE        where the public survey link points (default /api/v1/survey-responses/)
SURVEY_VALID_DAYS       how long a survey link can be answered (default 30)
SURVEY_LOW_RATING       ratings at or below this are low (default 2)
SURVEY_LOW_RATING_ACTION reopen | flag (default reopen: a resolved/closed ticket reopens, else it is flagged)
MAIL_MAX_ATTACHMENT_BYTES  largest attachment kept (default 10 MiB)
MAIL_MAX_MESSAGE_BYTES  largest raw message taken, attachments base64-encoded inside (default 25 MiB)
MAIL_ATTACHMENT_TYPES   comma-separated allowed MIME types (default: common documents and images)
"""

from __future__ import annotations

import os

DEFAULT_ATTACHMENT_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() else default


def survey_link_base() -> str:
    return os.environ.get("SURVEY_LINK_BASE", "/api/v1/survey-responses/")


def survey_valid_days() -> int:
    return _int("SURVEY_VALID_DAYS", 30)


def survey_low_rating() -> int:
    return _int("SURVEY_LOW_RATING", 2)


def survey_low_rating_action() -> str:
    action = os.environ.get("SURVEY_LOW_RATING_ACTION", "reopen").strip().lower()
    return action if action in ("reopen", "flag") else "reopen"


def max_attachment_bytes() -> int:
    return _int("MAIL_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


def max_message_bytes() -> int:
    return _int("MAIL_MAX_MESSAGE_BYTES", 25 * 1024 * 1024)


def attachment_types() -> frozenset[str]:
    raw = os.environ.get("MAIL_ATTACHMENT_TYPES", "")
    types = [item.strip().lower() for item in raw.split(",") if item.strip()]
    return frozenset(types or DEFAULT_ATTACHMENT_TYPES)
