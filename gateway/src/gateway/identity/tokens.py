"""Access tokens (RS256 JWTs signed with the newest key) and opaque refresh token secrets."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import jwt

from crmkit.types import utcnow
from gateway.identity.models import User
from gateway.keys import ALGORITHM, KeyStore

TOKEN_TYPE = "Bearer"


@dataclasses.dataclass(frozen=True)
class TokenPair:
    """What a successful sign-in or refresh answers."""

    access_token: str
    expires_in: int
    refresh_token: str
    token_type: str = TOKEN_TYPE


def digest(secret: str) -> str:
    """The stored form of a refresh token: its SHA-256 (the secret itself is never stored)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenIssuer:
    """Sign access tokens for users and mint refresh token secrets."""

    def __init__(
        self,
        keys: KeyStore,
        *,
        issuer: str,
        audience: str,
        access_ttl: int,
        refresh_ttl: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.access_ttl = access_ttl
        self.refresh_ttl = timedelta(seconds=refresh_ttl)
        self.now = clock

    def access_token(self, user: User) -> str:
        """Sign an access token for `user`."""
        return self.sign(self.claims_for(user))

    def claims_for(self, user: User) -> dict[str, Any]:
        """The claims of an access token for `user` (ADR 0002)."""
        issued = int(self.now().timestamp())
        return {
            "sub": user.id,
            "preferred_username": user.username,
            "roles": user.roles,
            "team": user.team,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": issued,
            "exp": issued + self.access_ttl,
            "jti": uuid.uuid4().hex,
        }

    def integrator_token(
        self, *, key_id: str, name: str, scopes: list[str] | tuple[str, ...], ttl: int
    ) -> str:
        """A short-lived token for one request made with an API key (kind "api_key", role "integrator")."""
        issued = int(self.now().timestamp())
        return self.sign(
            {
                "sub": key_id,
                "preferred_username": name,
                "roles": ["integrator"],
                "team": None,
                "kind": "api_key",
                "scope": " ".join(scopes),
                "iss": self.issuer,
                "aud": self.audience,
                "iat": issued,
                "exp": issued + ttl,
                "jti": uuid.uuid4().hex,
            }
        )

    def sign(self, claims: dict[str, Any]) -> str:
        """Sign `claims` with the newest key, naming it in the `kid` header."""
        key = self.keys.signing_key()
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})

    def refresh_secret(self) -> tuple[str, str, datetime]:
        """A new refresh token: (secret for the client, digest to store, expiry)."""
        secret = secrets.token_urlsafe(32)
        return secret, digest(secret), self.now() + self.refresh_ttl
