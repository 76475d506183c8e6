"""Attachment files under CRM_DATA_DIR/attachments/<ticket id>/<attachment id>; rows keep the key."""

from __future__ import annotations

from pathlib import Path

ROOT = "attachments"


def attachment_path(data_dir: Path, storage_key: str) -> Path:
    return data_dir / ROOT / storage_key


def write_file(data_dir: Path, storage_key: str, content: bytes) -> Path:
    path = attachment_path(data_dir, storage_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def remove_files(paths: list[Path]) -> None:
    """Undo written files when the unit of work fails, so nothing half-written remains."""
    for path in paths:
        path.unlink(missing_ok=True)
