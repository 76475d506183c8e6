"""The plan on PostgreSQL: dependencies, a slip that moves dependants (bulk writes), critical path, variance."""

from __future__ import annotations

from pathlib import Path

import pytest

import crmkit
from crmkit import migrations
from crmkit.testing.auth import TokenFactory
from projects.app import create_app
from projects.cli import MIGRATIONS_DIR

pytestmark = pytest.mark.postgres


def test_a_slip_moves_dependants_and_the_critical_path_on_postgresql(
    tmp_path: Path, postgres_url: str, token_factory: TokenFactory
) -> None:
    migrations.upgrade(MIGRATIONS_DIR, postgres_url)
    env = {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": postgres_url,
        "JWT_JWKS_URL": token_factory.jwks_url,
    }
    app = create_app(crmkit.ServiceSettings.from_env("projects", env=env, testing=True))
    client, pm = app.test_client(), token_factory.headers("project_manager", sub="pm-1")
    project = client.post(
        "/api/v1/projects", json={"name": "PG", "start_date": "2026-03-02"}, headers=pm
    ).json
    url = f"/api/v1/projects/{project['id']}"
    ids = {}
    for name, days in (("A", 3), ("B", 2), ("C", 4)):
        ids[name] = client.post(f"{url}/tasks", json={"name": name, "duration_days": days}, headers=pm).json[
            "id"
        ]
    for predecessor, successor, kind in (("A", "B", "FS"), ("A", "C", "SS")):
        body = {
            "predecessor_id": ids[predecessor],
            "successor_id": ids[successor],
            "type": kind,
            "lag_days": 1,
        }
        assert client.post(f"{url}/dependencies", json=body, headers=pm).status_code == 201
    baseline = client.post(f"{url}/baselines", json={"name": "Plan"}, headers=pm).json
    a = client.get(f"/api/v1/tasks/{ids['A']}", headers=pm)
    slipped = client.patch(
        f"/api/v1/tasks/{ids['A']}", json={"duration_days": 5}, headers={**pm, "If-Match": a.headers["ETag"]}
    )
    assert slipped.status_code == 200, slipped.json
    b = client.get(f"/api/v1/tasks/{ids['B']}", headers=pm).json
    assert (b["planned_start"], b["planned_finish"], b["version"]) == ("2026-03-10", "2026-03-11", 3)
    path = client.get(f"{url}/critical-path", headers=pm).json
    assert path["critical_task_ids"] == [ids["A"], ids["B"]] and path["finish_date"] == "2026-03-11"
    variance = client.get(f"{url}/baselines/{baseline['id']}/variance", headers=pm).json
    assert variance["project"]["finish_variance_days"] == 2
    crmkit.runtime(app).database.dispose()
