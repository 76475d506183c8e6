"""TokenVerifier remembers a verified token until it expires, and never remembers a refused one."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from crmkit.auth import KeySet, TokenVerifier
from crmkit.errors import Unauthorized
from crmkit.testing.auth import TokenFactory


@pytest.fixture
def verifier(token_factory: TokenFactory) -> TokenVerifier:
    return TokenVerifier(KeySet(token_factory.jwks_url), issuer="crm-gateway", audience="crm", cache_size=2)


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose signature was really checked."""
    seen: list[str] = []
    real = jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    return seen


def test_a_token_is_checked_once_while_it_is_valid(verifier, token_factory, decodes) -> None:
    token = token_factory.token("sales_rep", sub="u-1")
    first, second = verifier.verify(token), verifier.verify(token)
    assert first == second and first.subject == "u-1"
    assert decodes == [token]


def test_the_cache_never_vouches_for_a_token_past_its_expiry(
    verifier, token_factory, decodes, monkeypatch
) -> None:
    token = token_factory.token("sales_rep", ttl=60)
    verifier.verify(token)
    later = time.time() + 60 + TokenVerifier.LEEWAY_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    verifier.verify(token)  # past its exp by our clock: checked again (PyJWT's clock then decides)
    assert decodes == [token, token]


def test_refused_tokens_are_not_remembered(verifier, token_factory, decodes) -> None:
    expired = token_factory.token("sales_rep", ttl=-60)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            verifier.verify(expired)
    assert decodes == [expired, expired]


def test_the_cache_keeps_the_most_recently_used_tokens(verifier, token_factory, decodes) -> None:
    a, b, c = (token_factory.token("sales_rep", sub=name) for name in "abc")
    for token in (a, b, a, c):  # c pushes out b, the least recently used
        verifier.verify(token)
    verifier.verify(a)
    verifier.verify(b)
    assert decodes == [a, b, c, b]


def test_remembered_answers_only_from_the_cache(verifier, token_factory, decodes) -> None:
    token = token_factory.token("sales_rep", sub="u-9")
    assert verifier.remembered(token) is None  # never seen: no key work, no answer
    assert decodes == []
    verifier.verify(token)
    remembered = verifier.remembered(token)
    assert remembered is not None and remembered.subject == "u-9"
    assert decodes == [token]


def test_the_key_set_check_loads_it_or_says_why_not(token_factory, tmp_path) -> None:
    KeySet(token_factory.jwks_url).check()
    with pytest.raises(Unauthorized) as missing:
        KeySet((tmp_path / "nowhere.json").as_uri()).check()
    assert missing.value.code == "auth.keys_unavailable"
    empty = tmp_path / "empty.json"
    empty.write_text('{"keys": []}')
    with pytest.raises(Unauthorized, match="no signing key"):
        KeySet(empty.as_uri()).check()
