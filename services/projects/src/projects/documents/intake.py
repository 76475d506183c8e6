"""Checking an uploaded file before anything is stored: its type, its content's signature and its size."""

from __future__ import annotations

import dataclasses
import hashlib
import mimetypes
import tempfile
from typing import IO, Any

from projects.costs.config import ControlSettings
from projects.documents.errors import DocumentInvalid, DocumentTooLarge, DocumentTypeUnsupported

CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024
ZIP = (b"PK\x03\x04",)
# The first bytes a file of these types starts with; a file that claims one of them must start so.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "application/zip": ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ZIP,
}


@dataclasses.dataclass
class Upload:
    """A checked file, spooled to memory or a temporary file, ready to be stored."""

    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    content: IO[bytes]

    def close(self) -> None:
        self.content.close()


def take_upload(file: Any, settings: ControlSettings) -> Upload:
    """Check the uploaded file (werkzeug FileStorage) against the limits; raise 413/415/422 problems."""
    filename = (getattr(file, "filename", None) or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not filename:
        raise _invalid("send the file as the multipart part `file`, with a file name")
    content_type = _content_type(file.mimetype, filename)
    if content_type not in settings.document_types:
        raise DocumentTypeUnsupported(
            f"Files of type {content_type} are not accepted.", allowed=list(settings.document_types)
        )
    upload = _spool(file.stream, filename, content_type, settings.document_max_bytes)
    try:
        if upload.size_bytes == 0:
            raise _invalid("the file is empty")
        _check_signature(upload)
    except BaseException:
        upload.close()
        raise
    return upload


def _content_type(declared: str | None, filename: str) -> str:
    if declared and declared != "application/octet-stream":
        return declared.lower()
    guessed, _ = mimetypes.guess_type(filename)
    return (guessed or "application/octet-stream").lower()


def _spool(stream: IO[bytes], filename: str, content_type: str, max_bytes: int) -> Upload:
    content = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (handed to the store, closed with the upload)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            content.close()
            raise DocumentTooLarge(
                f"The file is larger than the limit of {max_bytes} bytes.", max_bytes=max_bytes
            )
        digest.update(chunk)
        content.write(chunk)
    content.seek(0)
    return Upload(filename, content_type, size, digest.hexdigest(), content)


def _check_signature(upload: Upload) -> None:
    signatures = SIGNATURES.get(upload.content_type)
    if signatures is None:
        return
    head = upload.content.read(16)
    upload.content.seek(0)
    if not head.startswith(signatures):
        raise DocumentTypeUnsupported(
            f"The file's content is not {upload.content_type}, as its type claims.",
            allowed=[upload.content_type],
        )


def _invalid(message: str) -> DocumentInvalid:
    return DocumentInvalid(
        "The upload has no usable file.", errors=[{"field": "file", "message": message, "in": "files"}]
    )
