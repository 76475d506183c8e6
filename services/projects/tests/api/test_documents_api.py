"""Documents through the HTTP API: multipart upload, versions, download, and the size and type limits."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import crmkit
from projects.app import create_app

Headers = dict[str, str]
PDF = b"%PDF-1.7\n" + b"x" * 500
LIMIT = 1000


@pytest.fixture
def app(settings: crmkit.ServiceSettings) -> Iterator[Flask]:
    """The app with a 1,000-byte document limit and documents in the test's own folder."""
    extra = {"PROJECTS_DOCUMENT_MAX_BYTES": str(LIMIT), "PROJECTS_DOCUMENT_STORE": "local"}
    app = create_app(dataclasses.replace(settings, extra=extra))
    yield app
    crmkit.runtime(app).database.dispose()


@pytest.fixture
def project(create_project: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return create_project()


def upload(
    client: FlaskClient, url: str, headers: Headers, content: bytes, name: str = "tender.pdf", **form: str
) -> Any:
    data = {"file": (io.BytesIO(content), name), **form}
    return client.post(url, data=data, headers=headers, content_type="multipart/form-data")


def stored_files(settings: crmkit.ServiceSettings) -> list[Path]:
    folder = settings.data_dir / "documents"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_upload_version_and_download(client: FlaskClient, project: dict[str, Any], pm: Headers) -> None:
    url = f"/api/v1/projects/{project['id']}/documents"

    first = upload(client, url, pm, PDF, title="Tender", category="tender", comment="as received")
    assert first.status_code == 201, first.json
    document = first.json
    second = upload(client, f"{url}/{document['id']}/versions", pm, PDF + b"v2", name="tender-v2.pdf")

    assert (document["title"], document["category"], document["latest_number"]) == ("Tender", "tender", 1)
    assert document["versions"][0]["size_bytes"] == len(PDF)
    assert second.status_code == 201, second.json
    assert [v["filename"] for v in second.json["versions"]] == ["tender.pdf", "tender-v2.pdf"]
    latest = client.get(f"{url}/{document['id']}/content", headers=pm)
    original = client.get(f"{url}/{document['id']}/versions/1/content", headers=pm)
    assert (latest.status_code, latest.data, latest.mimetype) == (200, PDF + b"v2", "application/pdf")
    assert original.data == PDF
    assert "tender.pdf" in original.headers["Content-Disposition"]
    assert client.get(f"{url}/{document['id']}/versions/9/content", headers=pm).status_code == 404
    assert [item["id"] for item in client.get(url, headers=pm).json["items"]] == [document["id"]]


def test_oversized_upload_is_413_and_nothing_is_written(
    client: FlaskClient, project: dict[str, Any], pm: Headers, settings: crmkit.ServiceSettings
) -> None:
    url = f"/api/v1/projects/{project['id']}/documents"

    response = upload(client, url, pm, b"%PDF-" + b"x" * LIMIT)

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert (response.json["code"], response.json["max_bytes"]) == ("projects.document.too_large", LIMIT)
    assert client.get(url, headers=pm).json["items"] == []
    assert stored_files(settings) == []


def test_huge_body_is_refused_before_it_is_read(
    client: FlaskClient, project: dict[str, Any], pm: Headers
) -> None:
    response = upload(client, f"/api/v1/projects/{project['id']}/documents", pm, b"%PDF-" + b"x" * 200_000)

    assert (response.status_code, response.json["code"]) == (413, "projects.document.too_large")


def test_disallowed_type_is_415_and_nothing_is_written(
    client: FlaskClient, project: dict[str, Any], pm: Headers, settings: crmkit.ServiceSettings
) -> None:
    url = f"/api/v1/projects/{project['id']}/documents"

    script = upload(client, url, pm, b"MZ\x90\x00", name="setup.exe")
    fake_pdf = upload(client, url, pm, b"<html>not a pdf</html>", name="invoice.pdf")

    assert (script.status_code, script.json["code"]) == (415, "projects.document.type_unsupported")
    assert "application/pdf" in script.json["allowed"]
    assert (fake_pdf.status_code, fake_pdf.json["code"]) == (415, "projects.document.type_unsupported")
    assert client.get(url, headers=pm).json["items"] == []
    assert stored_files(settings) == []


def test_missing_or_empty_file_is_422_naming_the_file(
    client: FlaskClient, project: dict[str, Any], pm: Headers
) -> None:
    url = f"/api/v1/projects/{project['id']}/documents"

    missing = client.post(url, data={"title": "x"}, headers=pm, content_type="multipart/form-data")
    empty = upload(client, url, pm, b"", name="empty.txt")
    bad_category = upload(client, url, pm, PDF, category="secret")

    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "file"
    assert (empty.status_code, empty.json["code"], empty.json["errors"][0]["field"]) == (
        422,
        "projects.document.invalid",
        "file",
    )
    assert bad_category.status_code == 422 and bad_category.json["errors"][0]["field"] == "category"


def test_json_body_is_not_an_upload(client: FlaskClient, project: dict[str, Any], pm: Headers) -> None:
    response = client.post(f"/api/v1/projects/{project['id']}/documents", json={"file": "x"}, headers=pm)

    assert response.status_code == 415


def test_outsider_cannot_upload(
    client: FlaskClient, project: dict[str, Any], as_role: Callable[..., Headers]
) -> None:
    outsider = as_role("delivery_member", sub="stranger")

    response = upload(client, f"/api/v1/projects/{project['id']}/documents", outsider, PDF)

    assert response.status_code == 403


def test_openapi_documents_the_multipart_upload(client: FlaskClient) -> None:
    operation = client.get("/openapi.json").json["paths"]["/api/v1/projects/{project_id}/documents"]["post"]

    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"file", "title", "category"} <= set(schema["properties"])
    assert {"413", "415"} <= set(operation["responses"])
