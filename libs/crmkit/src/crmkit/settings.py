"""Settings read once from the environment, validated at start-up (twelve-factor)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingsError(ValueError):
    """A setting has a value the service cannot start with."""


@dataclasses.dataclass(frozen=True)
class ServiceSettings:
    """What every service process needs; services subclass it to add their own fields."""

    service: str
    data_dir: Path
    database_url: str
    broker_url: str
    broker_dir: Path
    jwks_url: str
    jwt_issuer: str = "crm-gateway"
    jwt_audience: str = "crm"
    log_level: str = "INFO"
    broker_polling_interval: float = 0.01
    testing: bool = False
    extra: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_env(cls, service: str, env: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Build settings for `service` from `env` (default: os.environ); fail fast on bad values."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("CRM_DATA_DIR", "var")).resolve()
        values: dict[str, Any] = {
            "service": service,
            "data_dir": data_dir,
            "database_url": env.get("DATABASE_URL") or f"sqlite:///{data_dir / (service + '.db')}",
            "broker_url": env.get("BROKER_URL") or "filesystem://",
            "broker_dir": Path(env.get("CRM_BROKER_DIR") or data_dir / "broker").resolve(),
            "jwks_url": env.get("JWT_JWKS_URL") or (data_dir / "keys" / "jwks.json").as_uri(),
            "jwt_issuer": env.get("JWT_ISSUER", "crm-gateway"),
            "jwt_audience": env.get("JWT_AUDIENCE", "crm"),
            "log_level": env.get("LOG_LEVEL", "INFO").upper(),
            "broker_polling_interval": _float(env, "BROKER_POLLING_INTERVAL", 0.01),
        }
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise SettingsError naming the first bad setting."""
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}")
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise SettingsError("DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
        if not self.broker_url.startswith(("filesystem://", "amqp://", "amqps://", "memory://")):
            raise SettingsError("BROKER_URL must be filesystem://, memory:// or amqp(s)://")
        if not self.jwks_url.startswith(("file://", "http://", "https://")):
            raise SettingsError("JWT_JWKS_URL must be a file:// or http(s):// URL")

    @property
    def uses_filesystem_broker(self) -> bool:
        return self.broker_url.startswith("filesystem://")

    def broker_transport_options(self) -> dict[str, Any]:
        """Transport options kombu needs for this broker (the shared folders of the embedded one)."""
        if not self.uses_filesystem_broker:
            return {"confirm_publish": True}
        folders = {name: self.broker_dir / name for name in ("queues", "control", "processed")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(folders["queues"]),
            "data_folder_out": str(folders["queues"]),
            "control_folder": str(folders["control"]),
            "processed_folder": str(folders["processed"]),
            "store_processed": False,
            "polling_interval": self.broker_polling_interval,
        }


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
