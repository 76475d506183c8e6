"""The curl examples of the README's SLA and knowledge base section run, in order, against the service."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

README = Path(__file__).resolve().parents[2] / "README.md"
CAPTURE = re.compile(r"^(\w+)=\$\((curl .*)\|\s*jq -r \.(\w+)\)$")
VARIABLE = re.compile(r"\$(\w+)")


def section_commands() -> list[str]:
    """The section's shell commands, continuation lines joined."""
    block = README.read_text().split("### SLA and knowledge base examples", 1)[1].split("```sh", 1)[1]
    text = block.split("```", 1)[0].replace("\\\n", " ")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def run(client: FlaskClient, command: str, variables: dict[str, str], auth: str) -> Any:
    """Run one curl command through the test client; store a captured field; return the JSON answer."""
    captured = CAPTURE.match(command)
    curl = captured.group(2) if captured else command
    words = shlex.split(VARIABLE.sub(lambda match: variables.get(match.group(1), auth), curl))
    method, headers, body, url = "GET", {}, None, ""
    options = iter(words[1:])
    for word in options:
        if word == "-X":
            method = next(options)
        elif word == "-H":
            name, _, value = next(options).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = next(options)
        elif word.startswith("http"):
            url = word
    parts = urlsplit(url)
    response = client.open(parts.path, method=method, query_string=parts.query, data=body, headers=headers)
    assert response.status_code < 300, (command, response.json)
    if captured:
        variables[captured.group(1)] = response.json[captured.group(3)]
    return response.json


def test_every_example_runs(
    client: FlaskClient, as_role: Callable[..., dict[str, str]], open_ticket: Callable[..., dict[str, Any]]
) -> None:
    auth = as_role("service_manager", "service_agent", sub="manager-1")["Authorization"]
    variables = {"TICKET_ID": open_ticket("Invoice export fails")["id"], "AUTH": f"Authorization: {auth}"}
    answers = [run(client, command, variables, auth) for command in section_commands()]
    assert len(answers) >= 8
    assert answers[1]["end"] == "2026-03-09T09:00:00.000000Z"  # Friday 16:00 Berlin + 2 h -> Monday 10:00
    search = next(
        answer
        for answer in answers
        if isinstance(answer, dict) and answer.get("items") and "rank" in answer["items"][0]
    )
    assert search["items"][0]["article"]["id"] == variables["ARTICLE_ID"]
    assert json.dumps(answers[-1]).count(variables["TICKET_ID"]) == 1
