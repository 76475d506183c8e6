"""Documents in an S3-compatible store (PROJECTS_DOCUMENT_STORE=s3), against moto's in-process S3."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from flask import Flask
from flask.testing import FlaskClient
from moto import mock_aws

import crmkit
from projects.app import create_app
from projects.documents.storage import S3Store

Headers = dict[str, str]
BUCKET = "crm-documents"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        yield client


@pytest.fixture
def app(settings: crmkit.ServiceSettings, s3: Any) -> Iterator[Flask]:
    extra = {
        "PROJECTS_DOCUMENT_STORE": "s3",
        "PROJECTS_S3_BUCKET": BUCKET,
        "PROJECTS_S3_REGION": "eu-central-1",
        "PROJECTS_S3_PREFIX": "docs/",
    }
    app = create_app(dataclasses.replace(settings, extra=extra))
    yield app
    crmkit.runtime(app).database.dispose()


def test_s3_store_puts_reads_and_deletes(s3: Any) -> None:
    store = S3Store(BUCKET, "p/", s3)

    store.put("a/b", io.BytesIO(b"hello"), "text/plain")

    assert b"".join(store.read("a/b")) == b"hello"
    assert s3.head_object(Bucket=BUCKET, Key="p/a/b")["ContentType"] == "text/plain"
    store.delete("a/b")
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_upload_goes_to_the_bucket_and_downloads_back(
    client: FlaskClient, create_project: Callable[..., dict[str, Any]], pm: Headers, s3: Any
) -> None:
    project = create_project()
    url = f"/api/v1/projects/{project['id']}/documents"

    created = client.post(
        url, data={"file": (io.BytesIO(PNG), "site.png")}, headers=pm, content_type="multipart/form-data"
    )

    assert created.status_code == 201, created.json
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(keys) == 1 and keys[0].startswith(f"docs/{project['id']}/{created.json['id']}/1-")
    download = client.get(f"{url}/{created.json['id']}/content", headers=pm)
    assert (download.data, download.mimetype) == (PNG, "image/png")
