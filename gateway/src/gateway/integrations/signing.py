"""Webhook signatures: `X-CRM-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>`.

During a secret rotation's grace period the header carries one `v1=` per valid secret (new first), so a
receiver that still holds the old secret keeps verifying. Receivers should also refuse a `t` too far from
their clock (replays); `verify` does both.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

SIGNATURE_HEADER = "X-CRM-Signature"
SCHEME = "v1"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh random signing secret (shown to the subscriber once)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str, timestamp: int, body: bytes) -> str:
    """hex HMAC-SHA256 of f"{timestamp}." + body under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets_: Iterable[str], timestamp: int, body: bytes) -> str:
    """The header value signing `body` at `timestamp` with every secret given."""
    parts = [f"t={timestamp}", *(f"{SCHEME}={digest(secret, timestamp, body)}" for secret in secrets_)]
    return ",".join(parts)


def verify(
    header: str, secret: str, body: bytes, *, now: float, tolerance: int = DEFAULT_TOLERANCE_SECONDS
) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` seconds of `now`."""
    timestamp, signatures = _parse(header)
    if timestamp is None or abs(now - timestamp) > tolerance:
        return False
    expected = digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)


def _parse(header: str) -> tuple[int | None, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == SCHEME:
            signatures.append(value)
    return timestamp, signatures
