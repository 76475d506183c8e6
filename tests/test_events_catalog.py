"""The events catalog (docs/events/asyncapi.yaml) is exactly what the installed services' registries say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from crmkit.asyncapi import DEFAULT_PATH, build_document, envelope_schema, render
from crmkit.events.catalog import load_all_registries

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / DEFAULT_PATH
REQUIRED_TYPES = {
    "customer.account.created",
    "customer.account.updated",
    "customer.account.merged",
    "customer.account.deleted",
    "customer.contact.created",
    "customer.contact.updated",
    "customer.contact.deleted",
    "customer.interaction.logged",
}


def committed() -> dict[str, Any]:
    return dict(yaml.safe_load(CATALOG.read_text()))


def test_committed_catalog_matches_the_services_registries() -> None:
    generated = render(build_document(load_all_registries()))
    assert CATALOG.read_text() == generated, "docs/events/asyncapi.yaml is stale: run `crm-asyncapi --write`"


def test_catalog_lists_every_event_type_the_issue_requires() -> None:
    names = {message["name"] for message in committed()["components"]["messages"].values()}
    assert names >= REQUIRED_TYPES


def test_every_example_validates_against_envelope_and_payload_schema() -> None:
    document = committed()
    envelope = Draft202012Validator(envelope_schema())
    for name, message in document["components"]["messages"].items():
        payload_schema = Draft202012Validator(document["components"]["schemas"][name])
        for example in message["examples"]:
            envelope_errors = [error.message for error in envelope.iter_errors(example["payload"])]
            data_errors = [error.message for error in payload_schema.iter_errors(example["payload"]["data"])]
            assert envelope_errors == [] and data_errors == [], (name, envelope_errors, data_errors)
            assert example["payload"]["type"] == f"crm.{message['name']}"


def test_channel_lists_every_message_once() -> None:
    document = committed()
    refs = [item["$ref"] for item in document["channels"]["crm.events"]["subscribe"]["message"]["oneOf"]]
    assert len(refs) == len(set(refs)) == len(document["components"]["messages"])
