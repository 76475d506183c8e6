"""docker-compose.yml keeps the production rules: health checks, a database per service, no committed secrets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

import pytest
import yaml

from gateway.routes import SERVICES as ROUTED_SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
REQUIRED_REF = re.compile(r"^\$\{[A-Z][A-Z0-9_]*:\?[^}]*\}$")
SECRET_NAME = re.compile(r"PASSWORD|PASS$|SECRET|TOKEN|PRIVATE", re.IGNORECASE)


def command_of(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def env_of(service: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in (service.get("environment") or {}).items()}


def split_url(url: str) -> tuple[SplitResult, list[str]]:
    """urlsplit with each ${...} reference masked (their `:` would confuse it); the references in order."""
    refs = re.findall(r"\$\{[^}]*\}", url)
    masked = url
    for index, ref in enumerate(refs):
        masked = masked.replace(ref, f"ref{index}x", 1)
    return urlsplit(masked), refs


def unmask(part: str | None, refs: list[str]) -> str:
    match = re.fullmatch(r"ref(\d+)x", part or "")
    return refs[int(match.group(1))] if match else part or ""


WEB = {name: s for name, s in SERVICES.items() if command_of(s).startswith("gunicorn")}
WORKERS = {name: s for name, s in SERVICES.items() if command_of(s).endswith(" worker")}
LONG_RUNNING_APPS = WEB | WORKERS
MIGRATIONS = {name: s for name, s in SERVICES.items() if " migrate" in command_of(s)}
AUTHORIZER = "edge-authorizer"  # the gateway's code in its own process: it uses the gateway's database


def test_the_file_declares_web_processes_workers_and_migrations() -> None:
    services = [service.name for service in ROUTED_SERVICES]
    assert {"gateway", *services} <= WEB.keys()
    assert {f"{name}-worker" for name in services} <= WORKERS.keys()
    assert {"gateway-migrate", *(f"{name}-migrate" for name in services)} <= MIGRATIONS.keys()


def test_the_gateway_reaches_every_service_of_its_route_table() -> None:
    env = env_of(SERVICES["gateway"])
    for service in ROUTED_SERVICES:
        port = service.default_url.rsplit(":", 1)[1]
        assert env.get(service.env_var) == f"http://{service.name}:{port}"


@pytest.mark.parametrize("name", sorted(LONG_RUNNING_APPS))
def test_every_web_process_and_worker_has_a_healthcheck(name: str) -> None:
    healthcheck = LONG_RUNNING_APPS[name].get("healthcheck")

    assert healthcheck and healthcheck.get("test"), f"{name} has no healthcheck"
    if name in WEB:
        assert "/readyz" in " ".join(healthcheck["test"])


@pytest.mark.parametrize("name", sorted(LONG_RUNNING_APPS))
def test_every_app_process_has_broker_database_and_key_set(name: str) -> None:
    env = env_of(LONG_RUNNING_APPS[name])

    assert env.get("BROKER_URL", "").startswith("amqp://")
    assert env.get("DATABASE_URL", "").startswith("postgresql+psycopg://")
    assert env.get("JWT_JWKS_URL") == "http://gateway:8080/api/v1/auth/jwks.json"


def test_each_service_has_its_own_database_and_role() -> None:
    owners: dict[str, set[str]] = {}
    for name, service in SERVICES.items():
        url = env_of(service).get("DATABASE_URL")
        if url:
            parts, _ = split_url(url)
            database = parts.path.lstrip("/")
            owner = "gateway" if name == AUTHORIZER else name.removesuffix("-migrate").removesuffix("-worker")
            owners.setdefault(database, set()).add(owner)
            assert parts.username == database, f"{name}: role and database differ"

    assert all(len(users) == 1 for users in owners.values()), owners
    assert {"gateway", "customer"} <= owners.keys()


@pytest.mark.parametrize("name", sorted(LONG_RUNNING_APPS))
def test_migrations_of_the_same_database_complete_before_the_process_starts(name: str) -> None:
    service = LONG_RUNNING_APPS[name]
    database = env_of(service)["DATABASE_URL"]
    migrated_by = [
        dep
        for dep, rule in service.get("depends_on", {}).items()
        if dep in MIGRATIONS
        and rule.get("condition") == "service_completed_successfully"
        and env_of(SERVICES[dep]).get("DATABASE_URL") == database
    ]

    assert migrated_by, f"{name} does not wait for the migration of its database"


def test_gateway_keys_are_ensured_before_the_gateway_starts() -> None:
    assert "crm-gateway keys ensure" in command_of(SERVICES["gateway-migrate"])
    assert (
        SERVICES["gateway"]["depends_on"]["gateway-migrate"]["condition"] == "service_completed_successfully"
    )


@pytest.mark.parametrize("name", ["gateway", "gateway-worker", "gateway-migrate"])
def test_the_gateway_and_its_worker_get_the_webhook_secret_keys_from_the_environment(name: str) -> None:
    """The same required variable everywhere webhook secrets are encrypted or decrypted (and for `keys ensure`,
    which would otherwise make a key file nobody uses)."""
    value = env_of(SERVICES[name]).get("CRM_WEBHOOK_SECRET_KEYS", "")
    assert REQUIRED_REF.match(value) and value.startswith("${CRM_WEBHOOK_SECRET_KEYS:?"), name


def test_broker_setup_applies_our_topology_before_the_apps_start() -> None:
    setup = SERVICES["broker-setup"]

    assert command_of(setup) == "crm-events broker-setup --api http://rabbitmq:15672/api --vhost crm"
    assert setup["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    for name, service in LONG_RUNNING_APPS.items():
        assert service["depends_on"]["broker-setup"]["condition"] == "service_completed_successfully", name


def test_rabbitmq_runs_the_management_image_without_a_guest_user() -> None:
    rabbit = SERVICES["rabbitmq"]

    assert re.fullmatch(r"rabbitmq:3\.1[23](\.\d+)?-management", rabbit["image"])
    assert REQUIRED_REF.match(env_of(rabbit)["RABBITMQ_DEFAULT_USER"])
    assert "guest" not in COMPOSE_TEXT.lower()


def _secret_values() -> list[tuple[str, str, str]]:
    """(service, variable, value) for every password-like variable and every password inside a URL."""
    found = []
    for name, service in SERVICES.items():
        for key, value in env_of(service).items():
            if SECRET_NAME.search(key):
                found.append((name, key, value))
            if "://" in value:
                parts, refs = split_url(value)
                if parts.password is not None:
                    found.append((name, f"{key} (password in URL)", unmask(parts.password, refs)))
    return found


def test_no_secret_is_committed_every_one_is_a_required_variable() -> None:
    secrets = _secret_values()

    assert len(secrets) >= 8
    literal = [(name, key, value) for name, key, value in secrets if not REQUIRED_REF.match(value)]
    assert literal == []


def test_env_example_documents_every_variable_without_values_for_secrets() -> None:
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z_]+=", line)
    )
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE_TEXT))

    assert used <= example.keys()
    assert all(example[name] == "" for name in example if SECRET_NAME.search(name))


def test_image_is_built_from_python_311_slim_and_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)\s+AS\s+(\S+)", dockerfile, re.MULTILINE)
    user = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)

    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    assert len(stages) >= 2
    assert user and not user[-1].startswith(("root", "0"))
    assert all(s.get("build") == "." for s in SERVICES.values() if s.get("image", "").startswith("crm:"))


def test_the_edge_is_the_only_published_entry_and_is_generated_from_the_route_table() -> None:
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"edge"}
    generate = SERVICES["edge-config"]
    assert generate["command"][:3] == ["crm-gateway", "edge", "nginx-conf"]
    assert "--gateway-url=http://gateway:8080" in generate["command"]
    listen = SERVICES[AUTHORIZER]["command"][-1]  # 0.0.0.0:<port>
    assert f"--authorizer-url=http://{AUTHORIZER}:{listen.rsplit(':', 1)[1]}" in generate["command"]
    gateway_urls = {k: v for k, v in env_of(SERVICES["gateway"]).items() if k.startswith("CRM_SERVICE_URL_")}
    assert env_of(generate) == gateway_urls
    edge = SERVICES["edge"]
    assert edge["depends_on"]["edge-config"]["condition"] == "service_completed_successfully"
    assert edge["depends_on"][AUTHORIZER]["condition"] == "service_healthy"
    assert "/etc/crm-edge/nginx.conf" in " ".join(edge["command"])


def test_the_edge_authorizer_runs_our_image_with_the_gateways_settings() -> None:
    authorizer, gateway = SERVICES[AUTHORIZER], SERVICES["gateway"]
    env, gateway_env = env_of(authorizer), env_of(gateway)

    assert (authorizer["image"], authorizer["restart"]) == (gateway["image"], "unless-stopped")
    assert authorizer["command"] == ["crm-gateway", "edge", "authorizer", "--listen", "0.0.0.0:8091"]
    assert env["DATABASE_URL"] == gateway_env["DATABASE_URL"]  # rate-limit counters
    assert env["JWT_JWKS_URL"] == gateway_env["JWT_JWKS_URL"] == "http://gateway:8080/api/v1/auth/jwks.json"
    assert env["LOG_LEVEL"] == gateway_env["LOG_LEVEL"]
    assert "http://127.0.0.1:8091/readyz" in " ".join(authorizer["healthcheck"]["test"])
    assert authorizer["depends_on"]["gateway-migrate"]["condition"] == "service_completed_successfully"
    assert authorizer["depends_on"]["gateway"]["condition"] == "service_healthy"  # it serves the key set
    assert "ports" not in authorizer


def test_the_image_installs_every_package_the_makefile_lists() -> None:
    packages = re.search(r"^PACKAGES := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert packages
    installed = set(re.findall(r"-e ([\w/-]+)", (ROOT / "Dockerfile").read_text()))
    assert set(packages.group(1).split()) == installed
