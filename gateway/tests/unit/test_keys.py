"""Signing keys on disk: creation, rotation, retirement, the published key set."""

from __future__ import annotations

import json
import stat

import jwt
import pytest

from gateway.keys import KeyStore, KeyStoreError


def published_kids(store: KeyStore) -> list[str]:
    return [jwk["kid"] for jwk in json.loads((store.folder / "jwks.json").read_text())["keys"]]


def test_ensure_creates_one_private_key_readable_only_by_its_owner(tmp_path):
    store = KeyStore(tmp_path / "keys")
    key = store.ensure()
    pem = store.folder / f"{key.kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700
    assert store.ensure().kid == key.kid
    assert [k.kid for k in store.published()] == [key.kid]


def test_the_key_set_file_holds_public_keys_only(tmp_path):
    store = KeyStore(tmp_path / "keys")
    key = store.ensure()
    (jwk,) = json.loads((store.folder / "jwks.json").read_text())["keys"]
    assert jwk["kid"] == key.kid
    assert jwk["kty"] == "RSA"
    assert jwk["alg"] == "RS256"
    assert jwk["use"] == "sig"
    assert "d" not in jwk and "p" not in jwk


def test_rotation_makes_the_new_key_sign_and_keeps_the_old_one_published(tmp_path):
    store = KeyStore(tmp_path / "keys")
    old = store.ensure()
    new = store.rotate()
    assert store.signing_key().kid == new.kid
    assert published_kids(store) == [old.kid, new.kid]
    assert new.created_at >= old.created_at


def test_another_process_sees_a_rotation(tmp_path):
    web, cli = KeyStore(tmp_path / "keys"), KeyStore(tmp_path / "keys")
    web.ensure()
    rotated = cli.rotate()
    assert web.signing_key().kid == rotated.kid


def test_retiring_a_key_stops_publishing_it(tmp_path):
    store = KeyStore(tmp_path / "keys")
    old = store.ensure()
    new = store.rotate()
    store.retire(old.kid)
    assert published_kids(store) == [new.kid]
    assert not (store.folder / f"{old.kid}.pem").exists()


def test_refuses_to_retire_the_signing_key_or_an_unknown_one(tmp_path):
    store = KeyStore(tmp_path / "keys")
    key = store.ensure()
    with pytest.raises(KeyStoreError, match="signing key"):
        store.retire(key.kid)
    with pytest.raises(KeyStoreError, match="no key"):
        store.retire("nope")


def test_an_empty_folder_has_no_signing_key(tmp_path):
    store = KeyStore(tmp_path / "keys")
    assert store.jwks() == {"keys": []}
    with pytest.raises(KeyStoreError, match="keys ensure"):
        store.signing_key()


def test_published_key_verifies_what_the_signing_key_signed(tmp_path):
    store = KeyStore(tmp_path / "keys")
    key = store.ensure()
    token = jwt.encode({"sub": "x"}, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    public = jwt.PyJWK.from_dict(store.jwks()["keys"][0]).key
    assert jwt.decode(token, public, algorithms=["RS256"]) == {"sub": "x"}
