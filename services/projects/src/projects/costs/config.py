"""Settings of cost, change control, documents and attendance, read once per app (twelve-factor).

Each comes from the service settings' `extra` mapping first (tests, embedding), then the environment.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import Flask, current_app

import crmkit
from crmkit.settings import SettingsError

DEFAULT_DOCUMENT_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/acad",
    "image/vnd.dwg",
    "image/vnd.dxf",
)


@dataclasses.dataclass(frozen=True)
class ControlSettings:
    """PROJECTS_* settings of the cost, change, document and attendance features."""

    change_approval_limit: Decimal = Decimal("10000")
    document_max_bytes: int = 20 * 1024 * 1024
    document_types: tuple[str, ...] = DEFAULT_DOCUMENT_TYPES
    document_store: str = "local"
    document_dir: Path = Path("var/documents")
    s3_bucket: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_prefix: str = "projects/"
    standard_day_hours: Decimal = Decimal("8")

    @classmethod
    def from_settings(
        cls, settings: crmkit.ServiceSettings, env: Mapping[str, str] | None = None
    ) -> ControlSettings:
        values = {**(os.environ if env is None else env), **settings.extra}
        store = values.get("PROJECTS_DOCUMENT_STORE", "local")
        if store not in ("local", "s3"):
            raise SettingsError("PROJECTS_DOCUMENT_STORE must be local or s3")
        if store == "s3" and not values.get("PROJECTS_S3_BUCKET"):
            raise SettingsError("PROJECTS_S3_BUCKET is required when PROJECTS_DOCUMENT_STORE=s3")
        types = values.get("PROJECTS_DOCUMENT_TYPES")
        return cls(
            change_approval_limit=_decimal(
                values, "PROJECTS_CHANGE_APPROVAL_LIMIT", cls.change_approval_limit
            ),
            document_max_bytes=int(
                _decimal(values, "PROJECTS_DOCUMENT_MAX_BYTES", Decimal(cls.document_max_bytes))
            ),
            document_types=tuple(t.strip() for t in types.split(",") if t.strip())
            if types
            else DEFAULT_DOCUMENT_TYPES,
            document_store=store,
            document_dir=Path(values.get("PROJECTS_DOCUMENT_DIR") or settings.data_dir / "documents"),
            s3_bucket=values.get("PROJECTS_S3_BUCKET", ""),
            s3_endpoint_url=values.get("PROJECTS_S3_ENDPOINT_URL") or None,
            s3_region=values.get("PROJECTS_S3_REGION") or None,
            s3_prefix=values.get("PROJECTS_S3_PREFIX", "projects/"),
            standard_day_hours=_decimal(values, "PROJECTS_STANDARD_DAY_HOURS", cls.standard_day_hours),
        )


def _decimal(values: Mapping[str, str], name: str, default: Decimal) -> Decimal:
    raw = values.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {raw!r}")
    return value


def control_settings(app: Flask | None = None) -> ControlSettings:
    """This app's control settings (read on first use, then kept with the app's runtime)."""
    runtime = crmkit.runtime(app or current_app)
    found = runtime.services.get("projects.control")
    if found is None:
        found = runtime.services["projects.control"] = ControlSettings.from_settings(runtime.settings)
    return found
