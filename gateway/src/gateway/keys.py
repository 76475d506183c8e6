"""RSA signing keys as PEM files: the newest signs, every key still on disk is published (JWKS)."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ALGORITHM = "RS256"
KEY_SIZE = 2048
JWKS_FILE = "jwks.json"
KEY_SUFFIX = ".pem"


class KeyStoreError(Exception):
    """A key operation that cannot be done (unknown kid, retiring the signing key)."""


@dataclasses.dataclass(frozen=True)
class SigningKey:
    """One private key and its id; the id starts with its creation time, so ids sort oldest first."""

    kid: str
    private_key: rsa.RSAPrivateKey

    @property
    def created_at(self) -> datetime:
        return datetime.strptime(self.kid.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK with kid, use and alg."""
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": ALGORITHM})
        return jwk


class KeyStore:
    """Signing keys in one folder (mode 700, key files 600), shared by every gateway process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._loaded: dict[str, SigningKey] = {}

    def published(self) -> list[SigningKey]:
        """Every published key, oldest first (re-read from disk, so another process's rotation shows)."""
        if not self.folder.is_dir():
            return []
        kids = sorted(path.name.removesuffix(KEY_SUFFIX) for path in self.folder.glob("*" + KEY_SUFFIX))
        return [self._load(kid) for kid in kids]

    def signing_key(self) -> SigningKey:
        """The newest key: the one that signs new tokens."""
        keys = self.published()
        if not keys:
            raise KeyStoreError(f"no signing key in {self.folder}; run `crm-gateway keys ensure`")
        return keys[-1]

    def jwks(self) -> dict[str, Any]:
        """The public key set (RFC 7517) of every published key."""
        return {"keys": [key.public_jwk() for key in self.published()]}

    def ensure(self) -> SigningKey:
        """Return the signing key, creating the first one if there is none."""
        with self._locked():
            keys = self.published()
            key = keys[-1] if keys else self._create()
            self.write_jwks()
            return key

    def rotate(self) -> SigningKey:
        """Create a new signing key; the older ones stay published until retired."""
        with self._locked():
            key = self._create()
            self.write_jwks()
            return key

    def retire(self, kid: str) -> None:
        """Stop publishing a key and delete it; tokens it signed stop verifying."""
        with self._locked():
            kids = [key.kid for key in self.published()]
            if kid not in kids:
                raise KeyStoreError(f"no key with kid {kid!r} in {self.folder}")
            if kid == kids[-1]:
                raise KeyStoreError(f"{kid} is the signing key; rotate first, then retire it")
            (self.folder / (kid + KEY_SUFFIX)).unlink()
            self._loaded.pop(kid, None)
            self.write_jwks()

    def write_jwks(self) -> Path:
        """Write the public key set next to the keys, atomically (readers never see half a file)."""
        target = self.folder / JWKS_FILE
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".jwks-", suffix=".tmp")
        with os.fdopen(descriptor, "w") as handle:
            json.dump(self.jwks(), handle, indent=2)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        return target

    def check(self) -> None:
        """Readiness: raise unless there is a key to sign with."""
        self.signing_key()

    def _load(self, kid: str) -> SigningKey:
        key = self._loaded.get(kid)
        if key is None:
            pem = (self.folder / (kid + KEY_SUFFIX)).read_bytes()
            private_key = serialization.load_pem_private_key(pem, password=None)
            if not isinstance(private_key, rsa.RSAPrivateKey):
                raise KeyStoreError(f"{kid}{KEY_SUFFIX} is not an RSA private key")
            key = self._loaded[kid] = SigningKey(kid, private_key)
        return key

    def _create(self) -> SigningKey:
        kid = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        descriptor = os.open(self.folder / (kid + KEY_SUFFIX), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        key = self._loaded[kid] = SigningKey(kid, private_key)
        return key

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise key changes between processes (gunicorn workers starting together)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
