"""Every curl example and resource row of the README's core part names a route the app serves."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

README = Path(__file__).resolve().parents[2] / "README.md"
CURL = re.compile(r"curl -s (?:-X (?P<method>[A-Z]+) )?\$GW(?P<path>/[^\s\"?]*)(?P<rest>[^\n]*)")
ROW = re.compile(r"^\| `(?P<method>GET|POST|PATCH|DELETE) (?P<path>/[^`\s]+)` \|", re.MULTILINE)


def core_part() -> str:
    text = README.read_text().replace("\\\n", " ")  # join continued shell lines
    return text[: text.index("## Commercial")]


def served(app: Flask, method: str, path: str) -> None:
    concrete = re.sub(r"<[^>]+>|\{[^}]+\}", "abc123", path)
    app.url_map.bind("localhost").match(f"/api/v1{concrete}", method=method)  # raises when not served


def test_every_core_curl_example_names_a_served_route(app: Flask) -> None:
    examples = [
        (match["method"] or ("POST" if " -d " in match["rest"] else "GET"), match["path"])
        for match in CURL.finditer(core_part())
    ]
    assert len(examples) >= 10
    for method, path in examples:
        if path != "/auth/token":  # the gateway's own resource
            served(app, method, path)


def test_every_simple_resource_row_is_served(app: Flask) -> None:
    rows = [(match["method"], match["path"]) for match in ROW.finditer(core_part())]
    assert len(rows) >= 10
    for method, path in rows:
        served(app, method, path)
