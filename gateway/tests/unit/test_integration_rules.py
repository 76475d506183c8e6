"""Webhook signatures, the backoff schedule, event type patterns, payload filters and their settings."""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crmkit import SettingsError
from gateway.integrations import patterns, signing
from gateway.integrations.dispatch import backoff_delay
from gateway.integrations.models import Webhook
from gateway.integrations.settings import IntegrationSettings

BODY = b'{"id":"e1","type":"crm.sales.opportunity.won"}'


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    header = signing.signature_header(["whsec_a"], 1700000000, BODY)
    expected = hmac.new(b"whsec_a", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_a_receiver_verifies_with_its_secret_within_the_tolerance():
    header = signing.signature_header(["whsec_a"], 1700000000, BODY)
    assert signing.verify(header, "whsec_a", BODY, now=1700000100)
    assert not signing.verify(header, "whsec_b", BODY, now=1700000100)
    assert not signing.verify(header, "whsec_a", BODY + b" ", now=1700000100)
    assert not signing.verify(header, "whsec_a", BODY, now=1700000000 + 301)
    assert not signing.verify("v1=abc", "whsec_a", BODY, now=1700000000)


def test_during_a_rotation_both_secrets_sign_and_each_verifies():
    header = signing.signature_header(["whsec_new", "whsec_old"], 1700000000, BODY)
    assert header.count("v1=") == 2
    assert signing.verify(header, "whsec_new", BODY, now=1700000000)
    assert signing.verify(header, "whsec_old", BODY, now=1700000000)


def test_the_old_secret_signs_only_until_its_grace_period_ends():
    now = datetime(2026, 11, 23, tzinfo=UTC)
    webhook = Webhook(
        secret="new", previous_secret="old", previous_secret_expires_at=now + timedelta(hours=1)
    )
    assert webhook.secrets_at(now) == ["new", "old"]
    assert webhook.secrets_at(now + timedelta(hours=1)) == ["new"]


def test_new_secrets_are_random_and_prefixed():
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second and first.startswith("whsec_") and len(first) > 40


def test_backoff_doubles_from_the_base_up_to_the_cap_with_jitter_in_the_upper_half():
    settings = IntegrationSettings(backoff_base_seconds=10, backoff_max_seconds=3600)
    rng = random.Random(7)
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (8, 1280), (9, 2560), (10, 3600), (60, 3600)]:
        delays = [backoff_delay(attempts, settings, rng) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays), (attempts, min(delays), max(delays))
        assert len(set(delays)) > 1  # jitter: receivers coming back are not hit by every sender at once


def test_the_default_schedule_keeps_retrying_for_more_than_a_day():
    settings = IntegrationSettings()
    assert settings.retry_hours >= 24
    elapsed, attempts = 0.0, 0
    while elapsed < settings.retry_hours * 3600:
        attempts += 1
        elapsed += backoff_delay(attempts, settings, random.Random(attempts))
    assert attempts > 24  # hourly at worst, so well over a day of attempts


def test_settings_come_from_the_environment_and_refuse_a_retry_window_under_24_hours():
    settings = IntegrationSettings.from_env(
        {"CRM_EVENT_RETENTION_DAYS": "7", "CRM_WEBHOOK_DISPATCH_BATCH": "5"}
    )
    assert (settings.retention_days, settings.dispatch_batch) == (7.0, 5)
    assert IntegrationSettings.from_env({}).retention_days == 30
    with pytest.raises(SettingsError, match="CRM_WEBHOOK_RETRY_HOURS"):
        IntegrationSettings.from_env({"CRM_WEBHOOK_RETRY_HOURS": "12"})
    with pytest.raises(SettingsError, match="CRM_EVENT_RETENTION_DAYS"):
        IntegrationSettings.from_env({"CRM_EVENT_RETENTION_DAYS": "soon"})
    with pytest.raises(SettingsError, match="CRM_WEBHOOK_READ_TIMEOUT"):
        IntegrationSettings.from_env({"CRM_WEBHOOK_READ_TIMEOUT": "-1"})


@pytest.mark.parametrize(
    ("pattern", "routing_key", "expected"),
    [
        ("sales.opportunity.*", "sales.opportunity.won", True),
        ("crm.sales.opportunity.*", "sales.opportunity.won", True),
        ("sales.opportunity.*", "sales.quote.sent", False),
        ("sales.#", "sales.quote.sent", True),
        ("#", "customer.account.created", True),
        ("*.account.*", "customer.account.merged", True),
        ("sales.*", "sales.opportunity.won", False),
        ("customer.account.created", "customer.account.created", True),
    ],
)
def test_type_patterns_are_amqp_topic_patterns(pattern, routing_key, expected):
    assert patterns.matches_any([patterns.normalize_pattern(pattern)], routing_key) is expected


@pytest.mark.parametrize("bad", ["", "sales..won", "sales.opp*", "Sales.Lead", "sales lead", "crm."])
def test_malformed_patterns_are_refused(bad):
    with pytest.raises(ValueError):
        patterns.normalize_pattern(bad)


def test_the_literal_prefix_narrows_the_scan():
    assert patterns.literal_prefix("sales.opportunity.*") == "sales.opportunity."
    assert patterns.literal_prefix("#") == ""
    assert patterns.literal_prefix("*.account.created") == ""
    assert patterns.literal_prefix("customer.account.created") == "customer.account.created"


def test_payload_filters_compare_fields_and_dotted_paths_for_equality():
    data = {"account_id": "a1", "status": "won", "address": {"country": "DE"}, "amount": 5}
    assert patterns.payload_matches({}, data)
    assert patterns.payload_matches({"account_id": "a1", "address.country": "DE"}, data)
    assert not patterns.payload_matches({"account_id": "a2"}, data)
    assert not patterns.payload_matches({"address.region": None}, data)  # missing is not null
    assert not patterns.payload_matches({"amount": "5"}, data)
    patterns.check_payload_filter({"a.b": 1, "c": None, "d": True})
    for bad in ({"": 1}, {"a..b": 1}, {"a": [1]}, {"a": {"b": 1}}):
        with pytest.raises(ValueError):
            patterns.check_payload_filter(bad)


def test_the_verification_snippet_in_the_docs_accepts_our_signatures():
    text = (Path(__file__).resolve().parents[3] / "docs" / "integrations.md").read_text()
    snippet = re.search(r"```python\n(import hashlib.*?)```", text, re.S)
    assert snippet, "docs/integrations.md lost its verification snippet"
    namespace: dict = {}
    exec(snippet.group(1), namespace)  # the reader's code, exactly as documented
    verify = namespace["verify"]
    now = int(time.time())
    header = signing.signature_header(["whsec_new", "whsec_old"], now, BODY)
    assert verify(header, "whsec_new", BODY) and verify(header, "whsec_old", BODY)
    assert not verify(header, "whsec_other", BODY)
    assert not verify(signing.signature_header(["whsec_new"], now - 3600, BODY), "whsec_new", BODY)
