"""Every curl example of the README's commercial section names a route the app serves, with that method."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Commercial"
CURL = re.compile(r"curl .*?(?:-X (?P<method>[A-Z]+) )?\"?localhost:8080(?P<path>/api/v1/[^\s\"?]*)")


def commercial_examples() -> list[tuple[str, str]]:
    text = README.read_text()
    section = text[text.index(SECTION) :]
    return [(match["method"] or "GET", match["path"]) for match in CURL.finditer(section)]


def test_every_commercial_curl_example_names_a_served_route(app: Flask) -> None:
    examples = commercial_examples()
    assert len(examples) >= 8
    adapter = app.url_map.bind("localhost")
    for method, path in examples:
        concrete = re.sub(r"<[a-z_]+>", "abc123", path)
        adapter.match(concrete, method=method)  # raises NotFound / MethodNotAllowed
