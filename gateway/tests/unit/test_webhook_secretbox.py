"""The webhook secrets' keyring: Fernet under the first key, every key decrypts, legacy clear values, the
key file, and settings errors that name the variable (never the key)."""

from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet

from crmkit import SettingsError
from gateway.integrations import secretbox
from gateway.integrations.secretbox import Keyring, SecretKeyError
from gateway.settings import GatewaySettings

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_secret_is_stored_as_a_fernet_token_and_read_back(tmp_path):
    keyring = Keyring([NEW], tmp_path)
    stored = keyring.encrypt("whsec_abc")
    assert stored.startswith("fernet:") and "whsec_abc" not in stored
    assert keyring.decrypt(stored) == "whsec_abc"
    assert keyring.encrypt("whsec_abc") != stored  # a fresh IV each time


def test_the_first_key_encrypts_every_key_decrypts_and_reencrypt_moves_to_the_first(tmp_path):
    stored_with_old = Keyring([OLD], tmp_path).encrypt("whsec_abc")
    rotated = Keyring([NEW, OLD], tmp_path)
    assert rotated.decrypt(stored_with_old) == "whsec_abc"
    moved = rotated.reencrypt(stored_with_old)
    assert Keyring([NEW], tmp_path).decrypt(moved) == "whsec_abc"
    with pytest.raises(SecretKeyError, match="no key in CRM_WEBHOOK_SECRET_KEYS decrypts it"):
        Keyring([OLD], tmp_path).decrypt(moved)


def test_a_legacy_clear_secret_is_read_as_it_is_and_encrypted_by_reencrypt(tmp_path):
    keyring = Keyring([NEW], tmp_path)
    assert keyring.decrypt("whsec_legacy") == "whsec_legacy"
    assert keyring.decrypt(keyring.reencrypt("whsec_legacy")) == "whsec_legacy"
    assert keyring.reencrypt("whsec_legacy").startswith("fernet:")


def test_reveal_needs_no_key_for_a_legacy_value_but_does_for_a_token(tmp_path, monkeypatch):
    monkeypatch.setattr(secretbox._Process, "keyring", None)  # restored after the test
    assert secretbox.reveal("whsec_legacy") == "whsec_legacy"
    with pytest.raises(SecretKeyError):
        secretbox.seal("whsec_abc")
    secretbox.use(Keyring([NEW], tmp_path))
    assert secretbox.reveal("whsec_legacy") == "whsec_legacy"
    assert secretbox.reveal(secretbox.seal("whsec_abc")) == "whsec_abc"


def test_the_key_file_is_made_once_with_mode_600_and_read_when_no_variable_is_set(tmp_path):
    keyring = Keyring([], tmp_path / "keys")
    with pytest.raises(SecretKeyError, match="crm-gateway keys ensure"):
        keyring.encrypt("whsec_abc")  # no file yet: says how to make one
    path = keyring.ensure_file()
    assert path == tmp_path / "keys" / secretbox.KEY_FILE
    content = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert keyring.ensure_file() == path and path.read_text() == content  # never replaced
    stored = keyring.encrypt("whsec_abc")
    assert Keyring([], tmp_path / "keys").decrypt(stored) == "whsec_abc"


def test_with_the_variable_set_no_key_file_is_made(tmp_path):
    assert Keyring([NEW], tmp_path).ensure_file() is None
    assert not (tmp_path / secretbox.KEY_FILE).exists()


def test_a_key_file_line_that_is_not_a_key_is_named(tmp_path):
    (tmp_path / secretbox.KEY_FILE).write_text(f"# comment\n{NEW}\nnot-a-key\n")
    with pytest.raises(SecretKeyError, match=r"webhook-secrets.keys line 3: not a Fernet key"):
        Keyring([], tmp_path).check()


def test_settings_read_the_comma_separated_keys_and_keep_them_out_of_repr(tmp_path):
    env = {"CRM_DATA_DIR": str(tmp_path), "CRM_WEBHOOK_SECRET_KEYS": f" {NEW} , {OLD} ,"}
    settings = GatewaySettings.from_env(env=env)
    assert settings.webhook_secret_keys == (NEW, OLD)
    assert NEW not in repr(settings)
    assert GatewaySettings.from_env(env={"CRM_DATA_DIR": str(tmp_path)}).webhook_secret_keys == ()


@pytest.mark.parametrize("bad", ["not-a-key", "c2hvcnQ=", Fernet.generate_key().decode()[:-2]])
def test_a_bad_key_is_a_settings_error_naming_the_variable_not_the_key(tmp_path, bad):
    env = {"CRM_DATA_DIR": str(tmp_path), "CRM_WEBHOOK_SECRET_KEYS": f"{NEW},{bad}"}
    with pytest.raises(
        SettingsError, match="CRM_WEBHOOK_SECRET_KEYS: key 2 of 2 is not a Fernet key"
    ) as error:
        GatewaySettings.from_env(env=env)
    assert bad not in str(error.value) and NEW not in str(error.value)
