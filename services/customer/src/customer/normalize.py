"""Normalised forms of names, web domains, e-mail addresses and phone numbers (pure functions).

They feed the search keys and the duplicate rules, so "ACME, Inc." and "Acme" or "https://www.acme.com/x"
and "acme.com" compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# Trailing words that name a legal form rather than the company (compared after name_key()).
LEGAL_SUFFIXES = frozenset(
    {
        "ab", "ag", "aps", "as", "bv", "co", "company", "corp", "corporation", "cv", "ev", "gbr", "gmbh", "inc",
        "incorporated", "kg", "kgaa", "kk", "lda", "limited", "llc", "llp", "lp", "ltd", "mbh", "nv", "ohg", "oy",
        "plc", "pte", "pty", "sa", "sab", "sarl", "sas", "sc", "se", "spa", "srl", "ug",
    }
)  # fmt: skip
# Apostrophes and dots join what they separate ("O'Reilly", "S.A."); other punctuation separates words.
JOINED_PUNCTUATION = re.compile("[.'\u2019`\u00b4]")
NOT_WORD = re.compile(r"[\W_]+")
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
EMAIL = re.compile(r"^[^@\s]+@([^@\s]+\.[^@\s]+)$")
PHONE_ALLOWED = re.compile(r"^\+?[0-9 ()./-]+$")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 5, 15
# The greatest code point: `key < prefix + KEY_MAX` bounds every key that starts with `prefix`.
KEY_MAX = "\U0010ffff"


def name_key(name: str) -> str:
    """Fold case and accents, drop punctuation: the key names are searched and sorted by."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(NOT_WORD.sub(" ", JOINED_PUNCTUATION.sub("", letters)).split())


def dedupe_name(name: str) -> str:
    """Reduce a company name to what identifies it: name_key without legal-form words and spaces."""
    words = name_key(name).split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return "".join(words)


def web_domain(website: str) -> str:
    """Return the host of a web address without `www.`, lower case and IDNA-encoded; ValueError if none."""
    raw = website.strip()
    if "://" not in raw:
        raw = "http://" + raw
    try:
        host = (urlsplit(raw).hostname or "").rstrip(".")
        host = host.encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        raise ValueError("not a web address") from None
    labels = host.split(".")
    if len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValueError("not a web address with a domain name")
    return host.removeprefix("www.") if len(labels) > 2 else host


def email_key(email: str) -> str:
    """Return the address trimmed and lower-cased; ValueError when it is not an address."""
    address = email.strip().lower()
    match = EMAIL.match(address)
    if not match or len(address) > 254:
        raise ValueError("not an e-mail address")
    web_domain(match.group(1))
    return address


def phone_key(phone: str) -> str:
    """Return the digits (with `+` for an international number, `00` read as `+`); ValueError if invalid."""
    raw = phone.strip()
    if not PHONE_ALLOWED.match(raw):
        raise ValueError("a phone number has digits, spaces, + ( ) . / - only")
    digits = re.sub(r"\D", "", raw)
    international = raw.startswith("+") or digits.startswith("00")
    digits = digits[2:] if not raw.startswith("+") and digits.startswith("00") else digits
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        raise ValueError(f"a phone number has {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits")
    return ("+" if international else "") + digits


def prefix_bounds(query: str) -> tuple[str, str] | None:
    """The [low, high) range of name keys starting with the normalised `query` (None when it is empty)."""
    prefix = name_key(query)
    if not prefix:
        return None
    # A trailing space in the query means "whole word": keep it, name_key() strips it.
    if query.endswith(" "):
        prefix += " "
    return prefix, prefix + KEY_MAX
