"""Fixtures of the projects service's tests: a migrated SQLite database per test, the app, tokens, outbox.

Tests run in pytest's importlib mode, so shared helpers live here as fixtures, not in sibling modules.
Append new fixtures at the end (both feature owners add theirs here).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import crmkit
from crmkit import migrations
from crmkit.events.envelope import Event
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import outbox_events
from projects.app import create_app
from projects.cli import MIGRATIONS_DIR

Headers = dict[str, str]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file built by the migrations once per run; every test works on its own copy."""
    path = tmp_path_factory.mktemp("template") / "projects.db"
    migrations.upgrade(MIGRATIONS_DIR, f"sqlite:///{path}")
    return path


def settings_for(tmp_path: Path, database_url: str, jwks_url: str, **env: str) -> crmkit.ServiceSettings:
    values = {"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "JWT_JWKS_URL": jwks_url, **env}
    settings = crmkit.ServiceSettings.from_env("projects", env=values, testing=True)
    settings.broker_transport_options()  # creates the filesystem broker's folders (readiness checks them)
    return settings


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path, token_factory: TokenFactory) -> crmkit.ServiceSettings:
    database = tmp_path / "projects.db"
    shutil.copyfile(migrated_template, database)
    return settings_for(tmp_path, f"sqlite:///{database}", token_factory.jwks_url)


@pytest.fixture
def app(settings: crmkit.ServiceSettings) -> Iterator[Flask]:
    app = create_app(settings)
    yield app
    crmkit.runtime(app).database.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def database(app: Flask) -> crmkit.Database:
    return crmkit.runtime(app).database


@pytest.fixture
def as_role(token_factory: TokenFactory) -> Callable[..., Headers]:
    """Authorization headers for a caller with these roles: as_role("project_manager", sub="pm-1")."""

    def headers(*roles: str, sub: str = "user-1", **claims: Any) -> Headers:
        return token_factory.headers(*roles, sub=sub, **claims)

    return headers


@pytest.fixture
def pm(as_role: Callable[..., Headers]) -> Headers:
    """A platform project manager (sub pm-1); projects they create have them as project manager."""
    return as_role("project_manager", sub="pm-1")


@pytest.fixture
def member(as_role: Callable[..., Headers]) -> Headers:
    """A delivery team member (sub dev-1) with no project role until a project manager adds them."""
    return as_role("delivery_member", sub="dev-1")


@pytest.fixture
def admin(as_role: Callable[..., Headers]) -> Headers:
    return as_role("admin", sub="admin-1")


@pytest.fixture
def reader(as_role: Callable[..., Headers]) -> Headers:
    """A caller with a valid token and no role that allows writing."""
    return as_role("integrator", sub="reader-1")


@pytest.fixture
def outbox(database: crmkit.Database) -> Callable[..., list[Event]]:
    """The events written so far, oldest first: outbox() or outbox("projects.project.created")."""
    return lambda routing_key=None: outbox_events(database, routing_key)


@pytest.fixture
def create_project(client: FlaskClient, pm: Headers) -> Callable[..., dict[str, Any]]:
    """Create a project through the API as `pm` (start 2026-03-02, a Monday) and return its JSON."""

    def create(name: str = "ERP rollout", headers: Headers | None = None, **fields: Any) -> dict[str, Any]:
        body = {"name": name, "start_date": "2026-03-02", "currency": "EUR", **fields}
        response = client.post("/api/v1/projects", json=body, headers=headers or pm)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return create


@pytest.fixture
def patch_json(client: FlaskClient) -> Callable[..., Any]:
    """PATCH with If-Match set to `version`: patch_json(url, body, headers, version)."""

    def patch(url: str, body: dict[str, Any], headers: Headers, version: int) -> Any:
        return client.patch(url, json=body, headers={**headers, "If-Match": f'"{version}"'})

    return patch


# -- P2 (cost, quality, control): rows written straight to the database, independent of the plan's API ----


@pytest.fixture
def db_team_member(database: crmkit.Database) -> Callable[..., None]:
    """Put a user on a project's team in a project role: db_team_member(project_id, "dev-1", "team_member")."""
    from crmkit.types import utcnow
    from projects.team.models import TeamMember

    def add(project_id: str, user_id: str, role: str = "team_member") -> None:
        with database.uow() as uow:
            uow.session.add(
                TeamMember(
                    project_id=project_id, user_id=user_id, role=role, created_at=utcnow(), created_by="t"
                )
            )
            uow.commit()

    return add


@pytest.fixture
def db_task(database: crmkit.Database) -> Callable[..., str]:
    """Add a task (dates as ISO strings, optional budget and progress) and return its id."""
    from datetime import date
    from decimal import Decimal

    from crmkit.types import utcnow
    from projects.schedule.models import Task

    def add(project_id: str, name: str, start: str, finish: str, **fields: Any) -> str:
        budget = fields.pop("budget", None)
        now = utcnow()
        task = Task(
            project_id=project_id,
            name=name,
            planned_start=date.fromisoformat(start),
            planned_finish=date.fromisoformat(finish),
            budget_amount=Decimal(budget) if budget is not None else None,
            created_at=now,
            updated_at=now,
            **fields,
        )
        with database.uow() as uow:
            uow.session.add(task)
            uow.commit()
        return task.id

    return add


@pytest.fixture
def db_baseline(database: crmkit.Database) -> Callable[..., str]:
    """Save a baseline of the project's plan with the schedule service's save_baseline; return its id."""
    from projects.projects.models import Project
    from projects.schedule.service import save_baseline

    def save(project_id: str, name: str = "Baseline") -> str:
        with database.uow() as uow:
            project = uow.session.get(Project, project_id)
            baseline = save_baseline(uow.session, project, name, "pm-1")
            uow.commit()
        return baseline.id

    return save
