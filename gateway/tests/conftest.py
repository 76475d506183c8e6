"""Gateway fixtures: settings on a temporary data dir, a migrated SQLite copy, the app, users and tokens."""

from __future__ import annotations

import asyncio
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crmkit.db import Database
from crmkit.migrations import upgrade
from gateway.app import close_app, create_app
from gateway.context import gateway
from gateway.db import MIGRATIONS_DIR
from gateway.edge import authorizer
from gateway.identity import service
from gateway.identity.models import User
from gateway.keys import KeyStore
from gateway.settings import GatewaySettings

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-password-for-tests"
USER_PASSWORD = "user-password-for-tests"


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy."""
    path = tmp_path_factory.mktemp("gateway-db") / "template.db"
    upgrade(MIGRATIONS_DIR, f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def template_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RSA key made per run (key generation is the slow part); each test gets a copy."""
    folder = tmp_path_factory.mktemp("gateway-keys") / "keys"
    KeyStore(folder).ensure()
    return folder


@pytest.fixture
def admin_password() -> str:
    return ADMIN_PASSWORD


@pytest.fixture
def user_password() -> str:
    """The password every user made by `make_user` has."""
    return USER_PASSWORD


@pytest.fixture
def env(tmp_path: Path, template_keys: Path) -> dict[str, str]:
    """The environment the gateway reads (edit it in a test before `settings` is built)."""
    shutil.copytree(template_keys, tmp_path / "keys")
    return {
        "CRM_DATA_DIR": str(tmp_path),
        "CRM_ADMIN_USERNAME": ADMIN_USERNAME,
        "CRM_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }


@pytest.fixture
def make_settings(
    env: dict[str, str], tmp_path: Path, migrated_database: Path
) -> Callable[..., GatewaySettings]:
    """Settings from `env` plus changes (None removes a variable), on a migrated database unless told."""

    def make_settings(*, migrated: bool = True, **changes: str | None) -> GatewaySettings:
        environment = {name: value for name, value in (env | changes).items() if value is not None}
        database = tmp_path / "gateway.db"
        if migrated and not database.exists():
            shutil.copyfile(migrated_database, database)
        return GatewaySettings.from_env(
            env=environment,
            database_url=f"sqlite:///{database}",
            password_hash_profile="CHEAPEST",
            testing=True,
        )

    return make_settings


@pytest.fixture
def settings(make_settings: Callable[..., GatewaySettings]) -> GatewaySettings:
    return make_settings()


@pytest.fixture
def start_app() -> Iterator[Callable[[GatewaySettings], Flask]]:
    """create_app for tests that build the app themselves; every app made is closed afterwards."""
    apps: list[Flask] = []

    def start_app(settings: GatewaySettings) -> Flask:
        apps.append(create_app(settings))
        return apps[-1]

    yield start_app
    for app in apps:
        close_app(app)


@pytest.fixture
def app(start_app: Callable[[GatewaySettings], Flask], settings: GatewaySettings) -> Flask:
    return start_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., dict[str, Any]]:
    """Sign in through the API and return the token response body (asserting it worked)."""

    def login(username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD) -> dict[str, Any]:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    return login


@pytest.fixture
def admin_headers(login: Callable[..., dict[str, Any]]) -> dict[str, str]:
    return {"Authorization": f"Bearer {login()['access_token']}"}


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user directly through the use case (random name unless given)."""

    def make_user(
        *roles: str, username: str | None = None, team: str | None = None, active: bool = True
    ) -> User:
        data = {
            "username": username or f"user-{uuid.uuid4().hex[:8]}",
            "password": USER_PASSWORD,
            "roles": list(roles) or ["sales_rep"],
            "team": team,
            "active": active,
        }
        with app.app_context(), app.extensions["crm"].database.uow() as uow:
            return service.create_user(uow=uow, passwords=gateway(app).passwords, data=data)

    return make_user


@pytest.fixture
def headers_for(app: Flask, login: Callable[..., dict[str, Any]]) -> Callable[[User], dict[str, str]]:
    """Authorization headers for a user made by make_user."""

    def headers_for(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {login(user.username, USER_PASSWORD)['access_token']}"}

    return headers_for


@pytest.fixture
def serve_authorizer() -> Iterator[Callable[[GatewaySettings], str]]:
    """Run the edge's authorizer (`crm-gateway edge authorizer`) for `settings` in a thread; its base URL."""
    running: list[tuple[asyncio.AbstractEventLoop, asyncio.Server, threading.Thread, Database]] = []

    def serve(settings: GatewaySettings) -> str:
        server, database = authorizer.build_server(settings)
        loop = asyncio.new_event_loop()
        listener = loop.run_until_complete(authorizer.listen(server, "127.0.0.1", 0))
        thread = threading.Thread(target=loop.run_forever, name="authorizer", daemon=True)
        thread.start()
        running.append((loop, listener, thread, database))
        return f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}"

    yield serve
    for loop, listener, thread, database in running:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        listener.close()
        loop.run_until_complete(listener.wait_closed())
        loop.close()
        database.dispose()
