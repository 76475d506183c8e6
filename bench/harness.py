"""Shared bench plumbing: throwaway infra URLs, fresh databases and vhosts, processes, wrk runs."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def infra_env() -> dict[str, str]:
    """The throwaway RabbitMQ/PostgreSQL URLs (started by deploy/scripts/testinfra.sh when missing).

    Fresh vhosts and databases come from crmkit.testing.infra's context managers, which remove them again.
    """
    env_file = ROOT / "var" / "testinfra" / "env"
    if "CRM_TEST_PG_URL" not in os.environ:
        subprocess.run([str(ROOT / "deploy" / "scripts" / "testinfra.sh"), "start"], check=True)
    values = dict(os.environ)
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            match = re.match(r"^export (\w+)=(.*)$", line)
            if match:
                values.setdefault(match.group(1), match.group(2))
    return values


def run(args: list[str], env: Mapping[str, str], stdin: str | None = None) -> str:
    result = subprocess.run(args, env=dict(env), input=stdin, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextlib.contextmanager
def gunicorn(
    app: str, port: int, env: Mapping[str, str], log: Path, chdir: Path | None = None
) -> Iterator[str]:
    """Serve `app` under the project's gunicorn settings on `port` until the block ends."""
    args = [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), app]
    if chdir is not None:
        args[1:1] = ["--chdir", str(chdir)]
    with serving(args, f"http://127.0.0.1:{port}", {**env, "PORT": str(port)}, log) as url:
        yield url


@contextlib.contextmanager
def serving(args: list[str], url: str, env: Mapping[str, str], log: Path) -> Iterator[str]:
    """Run `args` (output to `log`) until the block ends; yield `url` once its /readyz answers 200."""
    with log.open("a") as out:
        process = subprocess.Popen(args, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ready(url, process, log)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        with (
            contextlib.suppress(OSError),  # refused, reset, or a timeout while the workers boot
            urllib.request.urlopen(url + "/readyz", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout}s:\n{log.read_text()[-3000:]}")


def post_json(url: str, body: object, token: str | None = None) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def wrk(url: str, token: str, seconds: int, connections: int) -> dict[str, float]:
    """Run wrk with the account-creation script; return rps, p50/p99 (ms), requests, non-2xx."""
    args = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "-s",
        str(ROOT / "bench" / "post_accounts.lua"),
        url,
    ]
    output = run(args, {**os.environ, "BENCH_TOKEN": token})
    match = re.search(r"RESULT (.*)", output)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    return {key: float(value) for key, value in (pair.split("=") for pair in match.group(1).split())}


def say(line: str) -> None:
    print(line, flush=True)
    sys.stdout.flush()


def paired_latency(
    targets: Mapping[str, str], token: str, requests: int, seed: int = 7
) -> dict[str, list[float]]:
    """Account creation one request at a time, alternating targets request by request; ms per request.

    Each iteration sends one request to every target, in a shuffled order, over one kept-alive connection
    per target. The machine's drift (which moves a whole wrk run by milliseconds) then hits every target
    alike, and `added_at_median` can compare them iteration by iteration.
    """
    shuffle = random.Random(seed).shuffle
    connections = {
        name: http.client.HTTPConnection(urlsplit(url).netloc, timeout=10) for name, url in targets.items()
    }
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    latencies: dict[str, list[float]] = {name: [] for name in targets}
    order = list(targets)
    prefix = f"Paired {os.getpid()} {time.time_ns()}"
    try:
        for number in range(requests):
            shuffle(order)
            for name in order:
                body = json.dumps({"name": f"{prefix} {name} {number}", "tier": "standard"})
                started = time.perf_counter_ns()
                connections[name].request("POST", "/api/v1/accounts", body=body, headers=headers)
                response = connections[name].getresponse()
                response.read()
                latencies[name].append((time.perf_counter_ns() - started) / 1e6)
                if response.status != 201:
                    raise RuntimeError(f"{name} answered {response.status} to an account creation")
    finally:
        for connection in connections.values():
            connection.close()
    return latencies


def added_at_median(
    latencies: Mapping[str, list[float]], baseline: str, resamples: int = 1000, seed: int = 11
) -> dict[str, tuple[float, float, float]]:
    """Per target: p50 minus the baseline's p50 (ms), with a 95 % bootstrap interval over the iterations."""
    pick = random.Random(seed).choices
    count = len(latencies[baseline])
    added: dict[str, tuple[float, float, float]] = {}
    for name, values in latencies.items():
        point = statistics.median(values) - statistics.median(latencies[baseline])
        spread = []
        for _ in range(resamples):
            rows = pick(range(count), k=count)  # resample whole iterations: a pair stays a pair
            spread.append(
                statistics.median(values[row] for row in rows)
                - statistics.median(latencies[baseline][row] for row in rows)
            )
        spread.sort()
        added[name] = (point, spread[int(0.025 * resamples)], spread[int(0.975 * resamples) - 1])
    return added
