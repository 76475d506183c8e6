"""A webhook receiver for the outage test, run as its own process: `python webhook_receiver.py PORT FILE`.

Appends every POST it receives (headers and body) to FILE as one JSON line, then answers 204. Requests
are served in parallel (keep-alive connections), the file is written under a lock, in order of arrival.
"""

from __future__ import annotations

import http.server
import json
import sys
import threading
from pathlib import Path

WRITING = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_file: Path

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        record = {"path": self.path, "headers": dict(self.headers), "body": body.decode()}
        with WRITING, self.log_file.open("a") as out:
            out.write(json.dumps(record) + "\n")
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    port, log_file = int(sys.argv[1]), Path(sys.argv[2])
    Receiver.log_file = log_file
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
