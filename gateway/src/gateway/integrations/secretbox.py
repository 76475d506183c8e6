"""Webhook signing secrets at rest: stored Fernet-encrypted as `fernet:<token>` (HMAC needs them back).

Keys: CRM_WEBHOOK_SECRET_KEYS, comma-separated Fernet keys; the first encrypts, every one decrypts (so a new
key goes first, and the old one stays until `crm-gateway integrations reencrypt-secrets` has moved every
secret to the new one). Without it, the file `webhook-secrets.keys` in the gateway's keys folder (one key a
line, the first encrypts), made with mode 600 by `crm-gateway keys ensure` and on the gateway's first start.
A stored value without the prefix is a legacy clear secret: still used, and encrypted at its next write.

Each process sets its keyring once (`use`, at start); the model and the use cases reach it through `seal` and
`reveal`, so `Webhook.secrets_at(now)` keeps answering the clear secrets.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

if TYPE_CHECKING:
    from gateway.settings import GatewaySettings

PREFIX = "fernet:"
KEY_FILE = "webhook-secrets.keys"
ENV_NAME = "CRM_WEBHOOK_SECRET_KEYS"
NOT_A_KEY = "not a Fernet key (32 bytes, urlsafe base64)"
KEY_FILE_HEADER = (
    "# Keys that encrypt webhook signing secrets at rest (Fernet), one a line: the first encrypts, all\n"
    "# decrypt. Used when CRM_WEBHOOK_SECRET_KEYS is unset. Losing this file loses every webhook secret.\n"
)


class SecretKeyError(Exception):
    """No key to encrypt with, or no key that decrypts a stored secret (the message never holds a key)."""


def parse_keys(raw: str) -> tuple[str, ...]:
    """The keys of a comma-separated list (blanks dropped)."""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def key_problem(key: str) -> str | None:
    """Why `key` is not a Fernet key, or None when it is one."""
    try:
        Fernet(key)
    except (ValueError, TypeError):  # binascii.Error (bad base64) is a ValueError
        return NOT_A_KEY
    return None


def is_sealed(stored: str) -> bool:
    """Whether a stored secret is encrypted (a legacy clear secret has no prefix)."""
    return stored.startswith(PREFIX)


class Keyring:
    """The Fernet keys of this process: the given ones (CRM_WEBHOOK_SECRET_KEYS), else the key file's.

    The file is read on first use (and again after a failed read), so a process may start before the file
    exists; restart the processes after changing keys.
    """

    def __init__(self, keys: Sequence[str], folder: Path) -> None:
        self.keys = tuple(keys)
        self.path = folder / KEY_FILE
        self._fernet: MultiFernet | None = None

    @classmethod
    def for_settings(cls, settings: GatewaySettings) -> Keyring:
        return cls(settings.webhook_secret_keys, settings.keys_dir)

    @property
    def source(self) -> str:
        """Where the keys come from, for messages: the variable's name or the file's path."""
        return ENV_NAME if self.keys else str(self.path)

    def ensure_file(self) -> Path | None:
        """Make the key file (mode 600, one new key) unless the keys come from the environment or it exists."""
        if self.keys:
            return None
        if not self.path.exists():
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_new_key_file(self.path)
        return self.path

    def check(self) -> None:
        """Raise SecretKeyError unless there is a key to encrypt with."""
        self._multi()

    def encrypt(self, clear: str) -> str:
        """The stored form of a clear secret, under the first key."""
        return PREFIX + self._multi().encrypt(clear.encode()).decode()

    def decrypt(self, stored: str) -> str:
        """The clear secret of a stored one (a legacy clear value as it is)."""
        if not is_sealed(stored):
            return stored
        try:
            return self._multi().decrypt(_token(stored)).decode()
        except InvalidToken:
            raise SecretKeyError(f"no key in {self.source} decrypts it") from None

    def reencrypt(self, stored: str) -> str:
        """`stored` encrypted under the first key (after a key rotation; legacy clear values too)."""
        if not is_sealed(stored):
            return self.encrypt(stored)
        try:
            return PREFIX + self._multi().rotate(_token(stored)).decode()
        except InvalidToken:
            raise SecretKeyError(f"no key in {self.source} decrypts it") from None

    def _multi(self) -> MultiFernet:
        if self._fernet is None:
            keys = self.keys or _read_key_file(self.path)
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        return self._fernet


def _token(stored: str) -> bytes:
    return stored.removeprefix(PREFIX).encode()


def _read_key_file(path: Path) -> list[str]:
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        raise SecretKeyError(
            f"no webhook secret key: set {ENV_NAME}, or run `crm-gateway keys ensure` to make {path}"
        ) from None
    keys = []
    for number, line in enumerate(lines, 1):
        key = line.strip()
        if key and not key.startswith("#"):
            if key_problem(key):
                raise SecretKeyError(f"{path} line {number}: {NOT_A_KEY}")
            keys.append(key)
    if not keys:
        raise SecretKeyError(f"{path} holds no key")
    return keys


def _write_new_key_file(path: Path) -> None:
    """Write the file whole under a temporary name (mode 600), then link it in: two processes starting
    together never see half a file, and the second keeps the first one's key."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".webhook-keys-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(KEY_FILE_HEADER + Fernet.generate_key().decode() + "\n")
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


class _Process:
    """The keyring this process uses (set at start by the web app, the worker and the command line)."""

    keyring: Keyring | None = None


def use(keyring: Keyring) -> None:
    """Make `keyring` the one `seal` and `reveal` use in this process."""
    _Process.keyring = keyring


def active() -> Keyring:
    """This process's keyring."""
    if _Process.keyring is None:
        raise SecretKeyError("this process has no webhook secret keys (secretbox.use was not called)")
    return _Process.keyring


def seal(clear: str) -> str:
    """The stored form of a new clear secret."""
    return active().encrypt(clear)


def reveal(stored: str) -> str:
    """The clear secret of a stored one; a legacy clear value needs no key."""
    return active().decrypt(stored) if is_sealed(stored) else stored
