"""The catalog builder: one message per registered type, examples valid, --check catches a stale file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from crmkit import asyncapi
from crmkit.events.catalog import EventRegistry


def registry() -> EventRegistry:
    demo = EventRegistry("demo")
    schema = {
        "type": "object",
        "required": ["id", "size"],
        "properties": {"id": {"type": "string"}, "size": {"type": "integer"}},
    }
    demo.define(
        "demo.widget.created", schema=schema, example={"id": "w-1", "size": 3}, summary="A widget was made."
    )
    demo.define(
        "demo.widget.created", version=2, schema=schema, example={"id": "w-1", "size": 4}, summary="v2"
    )
    return demo


def test_document_has_one_message_per_type_and_version() -> None:
    document = asyncapi.build_document([registry()])
    assert set(document["components"]["messages"]) == {"demo.widget.created.v1", "demo.widget.created.v2"}
    refs = document["channels"]["crm.events"]["subscribe"]["message"]["oneOf"]
    assert len(refs) == 2
    message = document["components"]["messages"]["demo.widget.created.v2"]
    assert message["bindings"]["amqp"]["messageType"] == "crm.demo.widget.created"


def test_example_envelopes_validate_against_the_envelope_schema() -> None:
    document = asyncapi.build_document([registry()])
    validator = Draft202012Validator(asyncapi.envelope_schema())
    for message in document["components"]["messages"].values():
        payload = message["examples"][0]["payload"]
        assert list(validator.iter_errors(payload)) == []
        assert payload["dataschema"].startswith("urn:crm:events:demo.widget.created:v")


def test_check_reports_a_stale_catalog_and_write_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncapi, "load_all_registries", lambda: [registry()])
    path = tmp_path / "asyncapi.yaml"
    runner = CliRunner()
    stale = runner.invoke(asyncapi.main, ["--path", str(path), "--check"])
    assert stale.exit_code == 1 and "out of date" in stale.output
    assert runner.invoke(asyncapi.main, ["--path", str(path), "--write"]).exit_code == 0
    fresh = runner.invoke(asyncapi.main, ["--path", str(path), "--check"])
    assert fresh.exit_code == 0 and "up to date" in fresh.output
