"""Account creation rate: bare Flask baseline vs the customer service directly vs through the gateway.

All three run under deploy/gunicorn.conf.py with the same worker settings, on PostgreSQL and RabbitMQ
(the throwaway servers of deploy/scripts/testinfra.sh), loaded by wrk from the same machine. Figures are
ratios against the baseline measured in the same run, because this machine's speed drifts.
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
from pathlib import Path

from harness import BIN, ROOT, gunicorn, infra_env, post_json, run, say, wrk

from crmkit.testing import infra

PORTS = {"baseline": 18090, "customer": 18101, "gateway": 18080}


def platform_env(work: Path, env: dict[str, str], broker_url: str) -> dict[str, str]:
    return {
        **env,
        "CRM_DATA_DIR": str(work),
        "BROKER_URL": broker_url,
        "JWT_JWKS_URL": (work / "keys" / "jwks.json").as_uri(),
        "CRM_SERVICE_URL_CUSTOMER": f"http://127.0.0.1:{PORTS['customer']}",
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "4"),
        "GUNICORN_THREADS": os.environ.get("GUNICORN_THREADS", "4"),
    }


def prepare(base: dict[str, str], databases: tuple[str, str]) -> tuple[dict[str, str], dict[str, str], str]:
    """Migrate both databases, make signing keys and a bench user; return (customer env, gateway env, pw)."""
    customer_env = {**base, "DATABASE_URL": databases[0]}
    gateway_env = {**base, "DATABASE_URL": databases[1]}
    run([str(BIN / "crm-customer"), "migrate"], customer_env)
    run([str(BIN / "crm-gateway"), "migrate"], gateway_env)
    run([str(BIN / "crm-gateway"), "keys", "ensure"], gateway_env)
    password = secrets.token_urlsafe(16)
    run(
        [
            str(BIN / "crm-gateway"),
            "users",
            "create",
            "--username",
            "bench",
            "--role",
            "sales_rep",
            "--password-stdin",
        ],
        gateway_env,
        stdin=password + "\n",
    )
    return customer_env, gateway_env, password


def measure(seconds: int, connections: int) -> None:
    env = infra_env()
    os.environ.update({name: value for name, value in env.items() if name.startswith("CRM_TEST_")})
    with (
        tempfile.TemporaryDirectory(prefix="crm-bench-") as folder,
        infra.fresh_vhost(infra.load_policies()) as vhost,
        infra.fresh_database() as customer_db,
        infra.fresh_database() as gateway_db,
    ):
        work = Path(folder)
        platform = platform_env(work, env, vhost.url)
        customer_env, gateway_env, password = prepare(platform, (customer_db, gateway_db))
        with (
            gunicorn(
                "baseline_app:app", PORTS["baseline"], customer_env, work / "baseline.log", ROOT / "bench"
            ) as base,
            gunicorn("customer.wsgi:app", PORTS["customer"], customer_env, work / "customer.log") as direct,
            gunicorn("gateway.wsgi:app", PORTS["gateway"], gateway_env, work / "gateway.log") as gateway,
        ):
            token = str(
                post_json(gateway + "/api/v1/auth/token", {"username": "bench", "password": password})[
                    "access_token"
                ]
            )
            results = {}
            for name, url in (("baseline", base), ("direct", direct), ("gateway", gateway)):
                wrk(url, token, 2, connections)  # warm-up: connection pools, caches, key set
                results[name] = wrk(url, token, seconds, connections)
        report(results, seconds, connections)


def report(results: dict[str, dict[str, float]], seconds: int, connections: int) -> None:
    base, direct, gateway = results["baseline"], results["direct"], results["gateway"]
    say(f"account creation, wrk -c{connections} {seconds}s, PostgreSQL + RabbitMQ, gunicorn gthread")
    say(f"{'target':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}{'vs baseline':>13}")
    for name, figures in results.items():
        ratio = figures["rps"] / base["rps"]
        say(
            f"{name:<10}{figures['rps']:>10.1f}{figures['p50']:>10.2f}{figures['p99']:>10.2f}{figures['non2xx']:>10.0f}{ratio:>12.2f}x"
        )
    say(
        f"gateway keeps {gateway['rps'] / direct['rps']:.2f}x of direct throughput, adds {gateway['p50'] - direct['p50']:+.2f} ms at p50"
    )
    if direct["non2xx"] or gateway["non2xx"]:
        raise SystemExit("some requests failed: the figures above are not trustworthy")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    arguments = parser.parse_args()
    measure(arguments.seconds, arguments.connections)
