"""Password hashing with argon2id (argon2-cffi), and a dummy check that keeps failed logins evenly slow."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hash and verify passwords with one argon2id parameter profile."""

    def __init__(self, profile: str = "RFC_9106_LOW_MEMORY") -> None:
        self._hasher = PasswordHasher.from_parameters(getattr(profiles, profile))
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Say whether a stored hash was made with other parameters than ours."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def verify_dummy(self, password: str) -> None:
        """Spend the time a real check costs, for a user that does not exist (no user enumeration)."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hash(secrets.token_urlsafe(16))
        self.verify(self._dummy_hash, password)


def generate_password() -> str:
    """A random password for a user created without one (printed once by the CLI)."""
    return secrets.token_urlsafe(18)
