"""Gateway settings: the kit's, plus token lifetimes, signing keys, service URLs and upstream timeouts."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Self, TypeVar

from crmkit import ServiceSettings, SettingsError
from gateway.integrations import secretbox
from gateway.routes import service_urls_from_env

SERVICE_NAME = "gateway"
PASSWORD_HASH_PROFILES = ("RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "CHEAPEST")
# An editable install runs from the repository: <repo>/gateway/src/gateway/settings.py.
REPOSITORY_CATALOG = ("docs", "events", "asyncapi.yaml")
N = TypeVar("N", int, float)


@dataclasses.dataclass(frozen=True)
class GatewaySettings(ServiceSettings):
    """What the gateway needs beyond every service's settings."""

    keys_dir: Path = Path("var/keys")
    access_token_ttl: int = 900
    refresh_token_ttl: int = 14 * 24 * 3600
    service_urls: Mapping[str, str] = dataclasses.field(default_factory=dict)
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 15.0
    upstream_pool_size: int = 10
    openapi_cache_ttl: float = 60.0
    events_catalog: Path | None = None
    admin_username: str | None = None
    admin_password: str | None = dataclasses.field(default=None, repr=False)
    # Lockout: this many failed sign-ins in a row lock the account for `login_lockout_seconds`.
    login_max_failures: int = 5
    login_lockout_seconds: int = 900
    # Rate limits per caller and window (0 turns a limit off); counted in the database (all replicas).
    rate_limit_window: int = 60
    rate_limit_per_user: int = 1200
    rate_limit_per_api_key: int = 600
    # Lifetime of the gateway-signed token an API key is exchanged for, per request.
    api_key_token_ttl: int = 300
    # CRM_WEBHOOK_SECRET_KEYS: Fernet keys encrypting webhook secrets at rest (none: the keys folder's file).
    webhook_secret_keys: tuple[str, ...] = dataclasses.field(default=(), repr=False)
    # Not read from the environment: tests pass "CHEAPEST" so hashing does not dominate their runtime.
    password_hash_profile: str = "RFC_9106_LOW_MEMORY"

    @classmethod
    def from_env(
        cls, service: str = SERVICE_NAME, env: Mapping[str, str] | None = None, **overrides: Any
    ) -> Self:
        """Build the gateway's settings from `env` (default: os.environ); fail fast on bad values."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("CRM_DATA_DIR", "var")).resolve()
        values: dict[str, Any] = {
            "keys_dir": Path(env.get("CRM_KEYS_DIR") or data_dir / "keys").resolve(),
            "access_token_ttl": _number(env, "CRM_ACCESS_TOKEN_TTL", 900, int),
            "refresh_token_ttl": _number(env, "CRM_REFRESH_TOKEN_TTL", 14 * 24 * 3600, int),
            "service_urls": service_urls_from_env(env),
            "upstream_connect_timeout": _number(env, "CRM_UPSTREAM_CONNECT_TIMEOUT", 2.0, float),
            "upstream_read_timeout": _number(env, "CRM_UPSTREAM_READ_TIMEOUT", 15.0, float),
            "upstream_pool_size": _number(env, "CRM_UPSTREAM_POOL_SIZE", 10, int),
            "openapi_cache_ttl": _number(env, "CRM_OPENAPI_CACHE_TTL", 60.0, float),
            "events_catalog": _path(env, "CRM_EVENTS_CATALOG") or repository_events_catalog(),
            "admin_username": env.get("CRM_ADMIN_USERNAME") or None,
            "admin_password": env.get("CRM_ADMIN_PASSWORD") or None,
            "login_max_failures": _number(env, "CRM_LOGIN_MAX_FAILURES", 5, int),
            "login_lockout_seconds": _number(env, "CRM_LOGIN_LOCKOUT_SECONDS", 900, int),
            "rate_limit_window": _number(env, "CRM_RATE_LIMIT_WINDOW", 60, int),
            "rate_limit_per_user": _number(env, "CRM_RATE_LIMIT_PER_USER", 1200, int),
            "rate_limit_per_api_key": _number(env, "CRM_RATE_LIMIT_PER_API_KEY", 600, int),
            "api_key_token_ttl": _number(env, "CRM_API_KEY_TOKEN_TTL", 300, int),
            "webhook_secret_keys": secretbox.parse_keys(env.get(secretbox.ENV_NAME, "")),
        }
        return super().from_env(service, env, **(values | overrides))

    def validate(self) -> None:
        """Raise SettingsError naming the first bad setting."""
        super().validate()
        positive = {
            "CRM_ACCESS_TOKEN_TTL": self.access_token_ttl,
            "CRM_REFRESH_TOKEN_TTL": self.refresh_token_ttl,
            "CRM_UPSTREAM_CONNECT_TIMEOUT": self.upstream_connect_timeout,
            "CRM_UPSTREAM_READ_TIMEOUT": self.upstream_read_timeout,
            "CRM_UPSTREAM_POOL_SIZE": self.upstream_pool_size,
            "CRM_LOGIN_LOCKOUT_SECONDS": self.login_lockout_seconds,
            "CRM_RATE_LIMIT_WINDOW": self.rate_limit_window,
            "CRM_API_KEY_TOKEN_TTL": self.api_key_token_ttl,
        }
        for name, value in positive.items():
            if value <= 0:
                raise SettingsError(f"{name} must be greater than 0, not {value!r}")
        for name, limit in (
            ("CRM_RATE_LIMIT_PER_USER", self.rate_limit_per_user),
            ("CRM_RATE_LIMIT_PER_API_KEY", self.rate_limit_per_api_key),
            ("CRM_LOGIN_MAX_FAILURES", self.login_max_failures),
        ):
            if limit < 0:
                raise SettingsError(f"{name} must be 0 (off) or more, not {limit!r}")
        if self.openapi_cache_ttl < 0:
            raise SettingsError(f"CRM_OPENAPI_CACHE_TTL must be 0 or more, not {self.openapi_cache_ttl!r}")
        for service, url in self.service_urls.items():
            if not url.startswith(("http://", "https://")):
                raise SettingsError(f"the URL of the {service} service must be http(s)://, not {url!r}")
        if self.password_hash_profile not in PASSWORD_HASH_PROFILES:
            raise SettingsError(f"unknown password hash profile {self.password_hash_profile!r}")
        _check_webhook_secret_keys(self.webhook_secret_keys)


def _check_webhook_secret_keys(keys: tuple[str, ...]) -> None:
    """Each key a Fernet key; the message names the variable and the key's position, never the key."""
    for position, key in enumerate(keys, 1):
        problem = secretbox.key_problem(key)
        if problem:
            raise SettingsError(f"{secretbox.ENV_NAME}: key {position} of {len(keys)} is {problem}")


def _number(env: Mapping[str, str], name: str, default: N, kind: Callable[[str], N]) -> N:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).resolve() if raw else None


def repository_events_catalog() -> Path | None:
    """The repository's committed events catalog, when this package runs from a checkout (editable install)."""
    parents = Path(__file__).resolve().parents
    if len(parents) < 4:
        return None
    return parents[3].joinpath(*REPOSITORY_CATALOG)
