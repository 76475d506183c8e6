"""Rules of change approval, the document store and intake, and the control settings, without I/O of note."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import crmkit
from crmkit.settings import SettingsError
from projects.changes.service import approval_level
from projects.costs.config import ControlSettings
from projects.documents import service as documents
from projects.documents.errors import DocumentTooLarge, DocumentTypeUnsupported
from projects.documents.intake import take_upload
from projects.documents.storage import LocalStore

LIMIT = Decimal("10000")


@pytest.mark.parametrize(
    ("cost", "price", "level"),
    [
        ("10000", "0", "project_manager"),
        ("10000.01", "0", "management"),
        ("-12000", "0", "management"),
        ("100", "15000", "management"),
        ("0", "0", "project_manager"),
    ],
)
def test_changes_above_the_limit_in_cost_or_price_go_to_management(cost: str, price: str, level: str) -> None:
    assert approval_level(Decimal(cost), Decimal(price), LIMIT) == level


def test_local_store_round_trip_and_refuses_keys_outside_its_folder(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "docs")

    store.put("p/d/1-x", io.BytesIO(b"abc" * 30000), "text/plain")

    assert b"".join(store.read("p/d/1-x")) == b"abc" * 30000
    store.delete("p/d/1-x")
    assert [path for path in (tmp_path / "docs").rglob("*") if path.is_file()] == []
    with pytest.raises(ValueError, match="escapes"):
        store.put("../outside", io.BytesIO(b"x"), "text/plain")


class FailingUnitOfWork:
    """Flushes fine, fails to commit (a lost race, a dropped connection ...)."""

    def flush(self) -> None:
        return None

    def commit(self) -> None:
        raise RuntimeError("commit failed")


def test_stored_bytes_are_removed_when_the_commit_fails(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    version: Any = SimpleNamespace(storage_key="p/d/1-x")
    upload: Any = SimpleNamespace(content=io.BytesIO(b"%PDF-1"), content_type="application/pdf")
    uow: Any = FailingUnitOfWork()

    with pytest.raises(RuntimeError):
        documents._store_and_commit(uow, store, version, upload)

    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def file(content: bytes, name: str, mimetype: str = "application/octet-stream") -> Any:
    return SimpleNamespace(filename=name, mimetype=mimetype, stream=io.BytesIO(content))


def test_intake_guesses_the_type_from_the_name_and_checks_the_content() -> None:
    settings = ControlSettings(document_max_bytes=100)

    upload = take_upload(file(b"\x89PNG\r\n\x1a\n....", "C:\\site\\photo.png"), settings)

    assert (upload.filename, upload.content_type, upload.size_bytes) == ("photo.png", "image/png", 12)
    upload.close()
    with pytest.raises(DocumentTypeUnsupported):
        take_upload(file(b"GIF89a", "photo.png"), settings)
    with pytest.raises(DocumentTooLarge):
        take_upload(file(b"x" * 101, "notes.txt"), settings)


def settings_with(**extra: str) -> crmkit.ServiceSettings:
    return crmkit.ServiceSettings.from_env(
        "projects", env={"CRM_DATA_DIR": "/tmp/crm-test"}, testing=True, extra=extra
    )


def test_control_settings_read_extra_and_fail_fast_on_bad_values() -> None:
    settings = ControlSettings.from_settings(
        settings_with(
            PROJECTS_CHANGE_APPROVAL_LIMIT="2500", PROJECTS_DOCUMENT_TYPES="application/pdf, text/plain"
        ),
        env={},
    )

    assert settings.change_approval_limit == Decimal("2500")
    assert settings.document_types == ("application/pdf", "text/plain")
    assert settings.document_dir == Path("/tmp/crm-test/documents")
    for bad in (
        {"PROJECTS_DOCUMENT_STORE": "s3"},
        {"PROJECTS_STANDARD_DAY_HOURS": "eight"},
        {"PROJECTS_DOCUMENT_STORE": "ftp"},
    ):
        with pytest.raises(SettingsError):
            ControlSettings.from_settings(settings_with(**bad), env={})
