"""The baseline: a bare Flask JSON endpoint, served by the same gunicorn settings as the services."""

from __future__ import annotations

import uuid

from flask import Flask, jsonify, request

app = Flask("baseline")


@app.post("/api/v1/accounts")
def create() -> tuple[object, int]:
    """Parse the JSON body and answer 201 with a new id, doing no other work."""
    body = request.get_json()
    return jsonify(id=uuid.uuid4().hex, name=body.get("name")), 201


@app.get("/readyz")
def ready() -> dict[str, str]:
    return {"status": "ok"}
