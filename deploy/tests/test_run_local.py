"""deploy/scripts/run_local.py (`make up`) wires the edge's authorizer: its process, port, settings and nginx;
and the gateway's worker sees the gateway's keys folder (the key file that encrypts webhook secrets).

Planning only (no process is started), except one `crm-gateway edge nginx-conf` run to see the generated
configuration send bearer tokens to the authorizer's port.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crmkit.testing.scripts import load_script
from gateway.settings import GatewaySettings

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = 18080
GATEWAY_DATABASE = {"DATABASE_URL": "sqlite:////nowhere/gateway-only.db"}


def _load_run_local() -> ModuleType:
    """deploy/scripts/run_local.py (a script folder, not a package) as a module."""
    return load_script(ROOT / "deploy" / "scripts" / "run_local.py", "crm_run_local_plan")


run_local = _load_run_local()


def platform(tmp_path: Path, *, edge: bool, ports: dict[str, int] | None = None) -> Any:
    """A Platform that is never started, with the gateway's own DATABASE_URL; nginx assumed installed."""
    env = {"PATH": os.environ.get("PATH", ""), "CRM_ADMIN_PASSWORD": "not-used-here"}
    planned = run_local.Platform(
        data_dir=tmp_path,
        ports=ports or {"gateway": PUBLIC},
        env=env,
        component_env={"gateway": GATEWAY_DATABASE},
        console=io.StringIO(),
        edge=edge,
    )
    planned.nginx = planned.nginx or "/usr/sbin/nginx"  # planning only: nginx need not be here
    return planned


def option(argv: tuple[str, ...] | list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_authorizer_listens_on_the_public_port_plus_11_next_to_the_gateway_app(tmp_path: Path) -> None:
    planned = platform(tmp_path, edge=True)

    assert planned.ports["gateway-app"] == PUBLIC + 10
    assert planned.ports["edge-authorizer"] == PUBLIC + 11
    given = platform(tmp_path, edge=True, ports={"gateway": PUBLIC, "edge-authorizer": 19999})
    assert given.ports["edge-authorizer"] == 19999


def test_the_authorizer_starts_before_nginx_with_the_gateways_settings(tmp_path: Path) -> None:
    planned = platform(tmp_path, edge=True)
    processes = {process.name: process for process in planned._plan()}
    names = list(processes)
    authorizer = processes["edge-authorizer"]

    assert names.index("gateway") < names.index("edge-authorizer") < names.index("edge")
    assert Path(authorizer.argv[0]).name == "crm-gateway"
    assert authorizer.argv[1:] == ["edge", "authorizer", "--listen", f"127.0.0.1:{PUBLIC + 11}"]
    assert authorizer.port == PUBLIC + 11, "wait_ready polls /readyz only on processes with a port"
    assert authorizer.env == planned.env_for("gateway")
    assert authorizer.env["DATABASE_URL"] == GATEWAY_DATABASE["DATABASE_URL"]
    assert authorizer.log_path == planned.log_dir / "edge-authorizer.log"


def test_nginx_sends_bearer_tokens_to_the_authorizer(tmp_path: Path) -> None:
    planned = platform(tmp_path, edge=True)
    step = planned._edge_setup()

    assert option(step, "--authorizer-url") == f"http://127.0.0.1:{PUBLIC + 11}"
    assert option(step, "--gateway-url") == f"http://127.0.0.1:{PUBLIC + 10}"
    argv = [planned._executable(step[0]), *step[1:]]
    result = subprocess.run(argv, env=planned.env_for("gateway"), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    config = Path(option(step, "--out")).read_text()
    assert f"upstream crm_authorizer {{\n        server 127.0.0.1:{PUBLIC + 11};" in config
    assert '"~*^bearer " crm_authorizer;' in config


def test_without_the_edge_there_is_no_authorizer(tmp_path: Path) -> None:
    planned = platform(tmp_path, edge=False)

    assert "edge-authorizer" not in planned.ports
    assert not {"edge", "edge-authorizer"} & {process.name for process in planned._plan()}


@pytest.mark.parametrize("edge", [True, False])
def test_the_summary_shows_the_authorizer_next_to_the_edge(tmp_path: Path, edge: bool) -> None:
    lines = run_local.banner(platform(tmp_path, edge=edge)).splitlines()
    edge_lines = [n for n, line in enumerate(lines) if line.lstrip().startswith("edge (nginx)")]
    authorizer_lines = [n for n, line in enumerate(lines) if line.lstrip().startswith("edge-authorizer")]

    if edge:
        assert len(edge_lines) == 1 and authorizer_lines == [edge_lines[0] + 1]
        assert f"http://127.0.0.1:{PUBLIC + 11}" in lines[authorizer_lines[0]]
    else:
        assert edge_lines == [] and authorizer_lines == []


@pytest.mark.parametrize("keys_dir", [None, "elsewhere"])
def test_the_gateway_worker_uses_the_gateways_keys_folder(tmp_path: Path, keys_dir: str | None) -> None:
    """Without CRM_WEBHOOK_SECRET_KEYS both read webhook-secrets.keys from it: `keys ensure` (a setup step,
    before any process starts) makes it there."""
    planned = platform(tmp_path, edge=False)
    if keys_dir:
        planned.env["CRM_KEYS_DIR"] = str(tmp_path / keys_dir)
    processes = {process.name: process for process in planned._plan()}
    web, worker = (
        GatewaySettings.from_env(env=processes[name].env) for name in ("gateway", "gateway-worker")
    )
    (gateway,) = [component for component in planned.components if component.name == "gateway"]

    assert worker.keys_dir == web.keys_dir == (tmp_path / (keys_dir or "keys")).resolve()
    assert ("crm-gateway", "keys", "ensure") in gateway.setup
