"""Test tokens: a throwaway RSA key, its JWKS file, and tokens for any roles."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from crmkit.auth import ALGORITHMS


@dataclasses.dataclass
class TokenFactory:
    """Signs tokens the way the gateway does; `jwks_url` is what services are configured with."""

    jwks_url: str
    private_key: Any
    kid: str
    issuer: str = "crm-gateway"
    audience: str = "crm"

    def token(
        self,
        *roles: str,
        sub: str | None = None,
        username: str | None = None,
        team: str | None = None,
        ttl: int = 600,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        subject = sub or f"user-{uuid.uuid4().hex[:8]}"
        payload = {
            "sub": subject,
            "preferred_username": username or subject,
            "roles": list(roles),
            "team": team,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + ttl,
            **claims,
        }
        return jwt.encode(payload, self.private_key, algorithm=ALGORITHMS[0], headers={"kid": self.kid})

    def headers(self, *roles: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, **kwargs)}"}


def make_token_factory(folder: Path) -> TokenFactory:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex[:12]
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": ALGORITHMS[0]})
    path = folder / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    return TokenFactory(jwks_url=path.as_uri(), private_key=private_key, kid=kid)


@pytest.fixture(scope="session")
def token_factory(tmp_path_factory: pytest.TempPathFactory) -> TokenFactory:
    """A signing key for the whole run; services under test read its JWKS file."""
    return make_token_factory(tmp_path_factory.mktemp("jwks"))
