"""Problems of documents (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit
from crmkit.errors import PayloadTooLarge, UnsupportedMediaType


class DocumentNotFound(crmkit.NotFound):
    code = "projects.document.not_found"


class DocumentVersionNotFound(crmkit.NotFound):
    code = "projects.document_version.not_found"


class DocumentTooLarge(PayloadTooLarge):
    """The file is larger than PROJECTS_DOCUMENT_MAX_BYTES (`max_bytes`)."""

    code = "projects.document.too_large"


class DocumentTypeUnsupported(UnsupportedMediaType):
    """The file's type is not allowed (`allowed` lists the types), or its content is not what it claims."""

    code = "projects.document.type_unsupported"


class DocumentInvalid(crmkit.ValidationFailed):
    """No file, an empty file or a file without a name."""

    code = "projects.document.invalid"


class DocumentProjectClosed(crmkit.Conflict):
    title = "Project Closed For Documents"
    code = "projects.document.project_closed"
