"""What makes two accounts look like the same company."""

from __future__ import annotations

from customer.accounts.models import DuplicateKeys


def test_keys_are_built_from_raw_values() -> None:
    keys = DuplicateKeys.of(
        name="ACME, Inc.",
        website="https://www.acme.example",
        emails=["Jana@Acme.example"],
        phones=["0049 30 1"],
    )
    assert keys == DuplicateKeys(
        "acme", "acme.example", frozenset({"jana@acme.example"}), frozenset({"+49301"})
    )


def test_each_shared_key_is_a_reason() -> None:
    probe = DuplicateKeys.of(
        name="Acme GmbH", website="acme.example", emails=["a@acme.example"], phones=["+1 555 0100"]
    )
    same = DuplicateKeys.of(
        name="ACME", website="www.acme.example", emails=["A@acme.example"], phones=["001 555 0100"]
    )
    assert probe.reasons(same) == ["name", "domain", "email", "phone"]
    assert probe.reasons(DuplicateKeys.of(name="Acme Analytics", website="acme.example")) == ["domain"]


def test_unknown_keys_never_match_each_other() -> None:
    assert DuplicateKeys().reasons(DuplicateKeys()) == []
    assert DuplicateKeys.of(name="!!!") == DuplicateKeys()


def test_different_companies_have_no_reason() -> None:
    assert (
        DuplicateKeys.of(name="Acme").reasons(DuplicateKeys.of(name="Globex", website="acme.example")) == []
    )
