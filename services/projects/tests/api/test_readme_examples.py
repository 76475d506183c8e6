"""Every curl example in the service README runs, in order, against the service (examples are tests)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from crmkit.testing.auth import TokenFactory

README = Path(__file__).resolve().parents[2] / "README.md"
CAPTURE = re.compile(r"^(\w+)=\$\((curl .*)\|\s*jq -r \.(\w+)\)$", re.S)
ASSIGN = re.compile(r'^(\w+)="(.*)"$')
GATEWAY = "http://localhost:8080"


def example_commands() -> list[str]:
    """The shell commands of the README's Examples block (continuations and quoted newlines joined)."""
    block = README.read_text().split("## Examples", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands, current = [], ""
    for line in block.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current = f"{current} {line.strip()}" if current else line.strip()
        if current.endswith("\\"):
            current = current[:-1].rstrip()
            continue
        try:
            shlex.split(current)
        except ValueError:  # a quote is still open: the command goes on
            continue
        commands.append(current)
        current = ""
    return commands


def curl_request(args: list[str]) -> dict[str, Any]:
    """Read method, URL, headers and body from curl arguments."""
    request: dict[str, Any] = {"method": None, "headers": {}, "data": None, "url": None}
    options = iter(args[1:])
    for arg in options:
        if arg == "-X":
            request["method"] = next(options)
        elif arg == "-H":
            name, _, value = next(options).partition(":")
            request["headers"][name.strip()] = value.strip()
        elif arg == "-d":
            request["data"] = next(options)
        elif arg.startswith("http"):
            request["url"] = arg
    request["method"] = request["method"] or ("POST" if request["data"] else "GET")
    return request


def run(client: FlaskClient, command: str, variables: dict[str, str]) -> bool:
    """Run one command through the test client; return whether it was a request to this service."""

    def substitute(text: str) -> str:
        return re.sub(r"\$(\w+)", lambda match: variables[match.group(1)], text)

    if assignment := ASSIGN.match(command):
        variables[assignment.group(1)] = substitute(assignment.group(2))
        return False
    capture = CAPTURE.match(command)
    curl = capture.group(2) if capture else command
    if "/api/v1/auth/" in curl:  # the gateway issues tokens; the test brings its own
        return False
    request = curl_request(shlex.split(substitute(curl)))
    assert request["url"].startswith(GATEWAY), command
    parts = urlsplit(request["url"])
    response = client.open(
        parts.path,
        query_string=parts.query,
        method=request["method"],
        headers=request["headers"],
        data=request["data"],
    )
    assert response.status_code < 300, (command, response.status_code, response.get_json(silent=True))
    if capture:
        variables[capture.group(1)] = response.json[capture.group(3)]
    return True


def test_every_readme_curl_example_runs_against_the_service(
    client: FlaskClient, token_factory: TokenFactory
) -> None:
    token = token_factory.token("admin", sub="admin-1")
    variables = {"TOKEN": token}
    sent = [run(client, command, variables) for command in example_commands()]
    assert sum(sent) == 13
    headers = {"Authorization": f"Bearer {token}"}
    build = client.get(f"/api/v1/tasks/{variables['BUILD_ID']}", headers=headers).json
    # Design now starts Monday 04-06; Build starts two working days later, after Good Friday's week.
    assert (build["planned_start"], build["planned_finish"]) == ("2026-04-08", "2026-04-14")
    project = client.get(f"/api/v1/projects/{variables['PROJECT_ID']}", headers=headers).json
    assert project["health"] == "at_risk" and project["finish_date"] == "2026-04-15"
