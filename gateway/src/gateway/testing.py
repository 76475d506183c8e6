"""Pytest plugin of the gateway (pytest11 entry point): a real HTTP server for WSGI apps in tests.

NOTE(gateway tests): with `--import-mode=importlib` pytest names `gateway/tests/conftest.py`
"gateway.tests.conftest" and, if no module `gateway` is imported yet, creates `gateway` as a namespace
package from the `gateway/` folder, shadowing this package (pytest `_pytest.pathlib._import_module_using_spec`).
Loading this plugin imports the real package before any conftest, which avoids that.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

ServeWsgi = Callable[[Any], str]


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve a WSGI app on a free local port in a thread; yield its base URL; stop it afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-wsgi-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def serve_wsgi() -> Iterator[ServeWsgi]:
    """Start WSGI apps on real sockets for this test: `base_url = serve_wsgi(app)`."""
    with contextlib.ExitStack() as stack:
        yield lambda app: stack.enter_context(serving(app))
