"""`crm-events tail` as a user runs it: says when it listens, and SIGTERM removes its queue cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def test_tail_announces_listening_and_cleans_up_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "CRM_DATA_DIR": str(tmp_path), "BROKER_URL": "filesystem://"}
    env.pop("CRM_BROKER_DIR", None)
    process = subprocess.Popen(
        [str(BIN / "crm-events"), "tail", "--pattern", "customer.#", "--timeout", "60"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first_line = process.stderr.readline()  # blocks until the queue is bound (or the process dies)
    assert "listening on crm.events for customer.#" in first_line
    table = tmp_path / "broker" / "control" / "crm.events.exchange"
    assert "crm-events.tail." in table.read_text()

    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=20)

    assert process.returncode == 0, rest
    assert "stopped" in rest
    assert "crm-events.tail." not in table.read_text()
