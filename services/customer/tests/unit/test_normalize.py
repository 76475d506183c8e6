"""Normalised names, web domains, e-mail addresses and phone numbers."""

from __future__ import annotations

import pytest

from customer import normalize


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("  ACME   GmbH ", "acme gmbh"),
        ("Müller & Söhne", "muller sohne"),
        ("O'Reilly Media", "oreilly media"),
        ("S.A.P. S.E.", "sap se"),
        ("株式会社トヨタ", "株式会社トヨタ"),
        ("Straße", "strasse"),
    ],
)
def test_name_key_folds_case_accents_and_punctuation(name: str, key: str) -> None:
    assert normalize.name_key(name) == key


@pytest.mark.parametrize(
    "name",
    [
        "Acme",
        "ACME, Inc.",
        "Acme Inc",
        "acme corp.",
        "The Acme Company",
        "Acme GmbH & Co. KG",
        "ACME Ltd.",
        "Ácme S.A.",
    ],
)
def test_dedupe_name_drops_legal_forms_so_variants_of_one_company_agree(name: str) -> None:
    assert normalize.dedupe_name(name) == "acme"


def test_dedupe_name_keeps_words_that_are_the_whole_name_and_joins_the_rest() -> None:
    assert normalize.dedupe_name("Company") == "company"
    assert normalize.dedupe_name("Data Soft Ltd") == normalize.dedupe_name("DataSoft") == "datasoft"
    assert normalize.dedupe_name("Acme Analytics") != normalize.dedupe_name("Acme")


@pytest.mark.parametrize(
    ("website", "domain"),
    [
        ("https://www.Acme.example/about?x=1", "acme.example"),
        ("acme.example", "acme.example"),
        ("http://shop.acme.example:8080", "shop.acme.example"),
        ("www.acme.co.uk", "acme.co.uk"),
        ("https://bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_web_domain_is_the_lower_case_host_without_www(website: str, domain: str) -> None:
    assert normalize.web_domain(website) == domain


@pytest.mark.parametrize(
    "website", ["not a site", "localhost", "http://", "https://10.0.0.1", "-bad-.example"]
)
def test_web_domain_refuses_what_is_not_a_domain(website: str) -> None:
    with pytest.raises(ValueError):
        normalize.web_domain(website)


def test_email_key_trims_and_lower_cases_and_refuses_non_addresses() -> None:
    assert normalize.email_key("  Jana.Novak@ACME.example ") == "jana.novak@acme.example"
    for bad in ("jana", "jana@", "@acme.example", "a@b@c.example", "jana@localhost"):
        with pytest.raises(ValueError):
            normalize.email_key(bad)


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("+49 (30) 123-4567", "+49301234567"),
        ("0049 30 1234567", "+49301234567"),
        ("030 / 123 45 67", "0301234567"),
        ("555.0100", "5550100"),
    ],
)
def test_phone_key_keeps_digits_and_reads_00_as_plus(phone: str, key: str) -> None:
    assert normalize.phone_key(phone) == key


@pytest.mark.parametrize("phone", ["call me", "+49", "1234", "+1 234 567 890 123 456 78"])
def test_phone_key_refuses_what_is_not_a_number(phone: str) -> None:
    with pytest.raises(ValueError):
        normalize.phone_key(phone)


def test_prefix_bounds_cover_exactly_the_keys_starting_with_the_query() -> None:
    low, high = normalize.prefix_bounds("ACMe") or ("", "")
    inside = ["acme", "acme gmbh", "acmeé", "acme\U0001f600"]
    outside = ["acmd", "acm", "acnf", "b"]
    assert all(low <= key < high for key in inside)
    assert not any(low <= key < high for key in outside)
    assert normalize.prefix_bounds("!!!") is None
    assert normalize.prefix_bounds("acme ") == ("acme ", "acme \U0010ffff")
