"""Gunicorn settings shared by every web process: `gunicorn -c deploy/gunicorn.conf.py <service>.wsgi:app`.

Environment: HOST (0.0.0.0), PORT (8000), WEB_CONCURRENCY (2 x cores + 1, at most 8), GUNICORN_THREADS (4),
GUNICORN_TIMEOUT (30 s), FORWARDED_ALLOW_IPS (127.0.0.1), LOG_LEVEL (INFO).
Access lines are JSON on stdout with the same field names as crmkit's logs, including `request_id`.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from typing import Any

from gunicorn import glogging


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name}={raw!r} is not an integer") from None
    if value < 1:
        raise SystemExit(f"gunicorn.conf.py: {name} must be at least 1, got {value}")
    return value


def _default_workers() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(2 * cores + 1, 8)


class JsonAccessLogger(glogging.Logger):  # type: ignore[misc]
    """Write one JSON object per request instead of Apache's combined format."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not getattr(self, "access_log_enabled", bool(self.cfg.accesslog)):
            return
        atoms = self.atoms(resp, req, environ, request_time)
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "service": re.split(r"[.:]", str(self.cfg.default_proc_name), maxsplit=1)[0],
            "logger": "gunicorn.access",
            "message": atoms["r"],
            "request_id": atoms.get("{x-request-id}o") or atoms.get("{x-request-id}i"),
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"] or None,
            "status": int(atoms["s"]),
            "bytes": atoms["B"],
            "duration_ms": round(atoms["D"] / 1000, 3),
            "remote_addr": atoms["h"],
            "user_agent": atoms["a"],
        }
        self.access_log.info(json.dumps(entry, default=str))


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int_env('PORT', 8000)}"
workers = _int_env("WEB_CONCURRENCY", _default_workers())
worker_class = "gthread"
threads = _int_env("GUNICORN_THREADS", 4)

timeout = _int_env("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow forever; jitter keeps them from restarting together.
max_requests = 1000
max_requests_jitter = 200

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers into timeouts.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
logger_class = JsonAccessLogger
# gunicorn 25+ opens a control socket at one per-user path ($HOME/.gunicorn/gunicorn.ctl); with several web
# processes per host they would fight over it, and we do not use `gunicornc`. Older versions ignore this.
control_socket_disable = True
