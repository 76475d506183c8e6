"""Bearer JWT verification against the gateway's published key set, and role checks."""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jwt
from flask import g, request

from crmkit.errors import Forbidden, Unauthorized

ALGORITHMS = ["RS256"]
JWKS_MIN_REFRESH_SECONDS = 30.0
JWKS_MAX_AGE_SECONDS = 300.0


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who is calling: a user (roles, team) or an integrator key (scopes)."""

    subject: str
    username: str
    roles: frozenset[str]
    team: str | None = None
    scopes: frozenset[str] = frozenset()
    kind: str = "user"

    def has_any_role(self, roles: Iterable[str]) -> bool:
        return bool(self.roles & set(roles)) or "admin" in self.roles

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        return cls(
            subject=str(claims["sub"]),
            username=str(claims.get("preferred_username") or claims["sub"]),
            roles=frozenset(claims.get("roles") or ()),
            team=claims.get("team"),
            scopes=frozenset(str(claims.get("scope") or "").split()),
            kind=str(claims.get("kind") or "user"),
        )


class KeySet:
    """The gateway's public keys (JWKS) from a file:// or http(s):// URL, cached and refreshed on rotation."""

    def __init__(self, url: str, fetch: Callable[[str], dict[str, Any]] | None = None) -> None:
        self.url = url
        self._fetch = fetch or _fetch_jwks
        self._keys: dict[str, Any] = {}
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def key_for(self, kid: str) -> Any:
        key = self._keys.get(kid)
        if key is not None and time.monotonic() - self._loaded_at < JWKS_MAX_AGE_SECONDS:
            return key
        self._refresh(force=key is None)
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("The token was signed with an unknown key.", code="auth.unknown_key")
        return key

    def check(self) -> None:
        """Load the key set now; raise Unauthorized when it cannot be read or holds no key (readiness)."""
        self._refresh(force=False)
        if not self._keys:
            raise Unauthorized("The key set holds no signing key.", code="auth.keys_unavailable")

    def _refresh(self, *, force: bool) -> None:
        with self._lock:
            age = time.monotonic() - self._loaded_at
            if force and age < JWKS_MIN_REFRESH_SECONDS and self._keys:
                return
            try:
                document = self._fetch(self.url)
            except (OSError, ValueError) as error:
                if self._keys:
                    return
                raise Unauthorized(
                    f"Token keys are unavailable ({error}).", code="auth.keys_unavailable"
                ) from None
            self._keys = {
                jwk["kid"]: jwt.PyJWK.from_dict(jwk).key for jwk in document.get("keys", ()) if "kid" in jwk
            }
            self._loaded_at = time.monotonic()


def _fetch_jwks(url: str) -> dict[str, Any]:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return dict(json.loads(Path(parsed.path).read_text()))
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.loads(response.read()))


class TokenVerifier:
    """Verify bearer tokens; a token verified once is remembered until it expires (no second RSA check).

    Every request of a client carries the same token for its lifetime, and an RS256 check plus claim
    parsing costs about half a millisecond; the cache keeps `cache_size` tokens (least recently used
    out first). A remembered token still stops working at its `exp` (with the same leeway).
    """

    LEEWAY_SECONDS = 10

    def __init__(self, keys: KeySet, *, issuer: str, audience: str, cache_size: int = 4096) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.cache_size = cache_size
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        """Check signature, expiry, issuer and audience; return who the token speaks for."""
        remembered = self.remembered(token)
        if remembered is not None:
            return remembered
        principal, expires = self._check(token)
        if self.cache_size > 0:
            with self._cache_lock:
                self._verified[token] = (principal, expires)
                while len(self._verified) > self.cache_size:
                    self._verified.popitem(last=False)
        return principal

    def remembered(self, token: str) -> Principal | None:
        """The principal of a token verified before and not expired yet; None otherwise (no key work)."""
        with self._cache_lock:
            entry = self._verified.get(token)
            if entry is None:
                return None
            if time.time() > entry[1] + self.LEEWAY_SECONDS:
                del self._verified[token]
                return None
            self._verified.move_to_end(token)
            return entry[0]

    def _check(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
            key = self.keys.key_for(str(header.get("kid", "")))
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub"]},
                leeway=self.LEEWAY_SECONDS,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The token has expired.", code="auth.token_expired") from None
        except jwt.PyJWTError as error:
            raise Unauthorized(f"The token is not valid ({error}).", code="auth.invalid_token") from None
        return Principal.from_claims(claims), float(claims["exp"])


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send a bearer token: Authorization: Bearer <token>.", code="auth.missing_token")
    return token.strip()


def current_principal() -> Principal:
    principal: Principal | None = g.get("crm_principal")
    if principal is None:
        raise Unauthorized("Authentication required.", code="auth.missing_token")
    return principal


def require_roles(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow the view to callers holding any of `roles` (admin always passes)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if not principal.has_any_role(roles):
                raise Forbidden(
                    f"This needs one of the roles: {', '.join(sorted(roles))}.", code="auth.role_required"
                )
            return view(*args, **kwargs)

        return wrapper

    return decorator
