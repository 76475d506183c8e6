"""Small HTTP helpers the views share: Location and ETag headers, the optional If-Match."""

from __future__ import annotations

from flask import request

import crmkit


def created(location: str, version: int) -> dict[str, str]:
    """The Location and ETag headers of a created entity."""
    return {"Location": location, "ETag": crmkit.etag_for(version)}


def etag(version: int) -> dict[str, str]:
    return {"ETag": crmkit.etag_for(version)}


def optional_version() -> int | None:
    """The version If-Match names, or None when the client sent none (for actions where it is optional)."""
    return crmkit.expected_version() if request.headers.get("If-Match") else None
