"""CloudEvents 1.0 envelopes in structured JSON mode; routing key <-> type."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

CONTENT_TYPE = "application/cloudevents+json"
TYPE_PREFIX = "crm."
SEQUENCE_DIGITS = 20
_REQUIRED_STRINGS = ("id", "source", "type", "subject", "time", "dataschema", "sequence")
_SEQUENCE = re.compile(rf"^[0-9]{{1,{SEQUENCE_DIGITS}}}$")


class MalformedEvent(ValueError):
    """A message body is not a CloudEvent this platform can handle."""


@dataclasses.dataclass(frozen=True)
class Event:
    """One domain event: what happened to which entity, and why."""

    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data: Mapping[str, Any]
    dataschema: str
    sequence: int
    correlationid: str | None = None
    causationid: str | None = None

    @property
    def routing_key(self) -> str:
        """Return the routing key on crm.events: the type without `crm.`."""
        return routing_key_for(self.type)

    @property
    def service(self) -> str:
        """Return the publishing service, the last segment of `source`."""
        return self.source.rsplit("/", 1)[-1]

    def to_dict(self) -> dict[str, Any]:
        """Return the structured-mode JSON object (absent extensions are left out)."""
        body: dict[str, Any] = {
            "specversion": "1.0",
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": format_time(self.time),
            "datacontenttype": "application/json",
            "dataschema": self.dataschema,
            "sequence": format_sequence(self.sequence),
            "data": dict(self.data),
        }
        if self.correlationid is not None:
            body["correlationid"] = self.correlationid
        if self.causationid is not None:
            body["causationid"] = self.causationid
        return body

    def to_json(self) -> str:
        """Serialize as a compact structured-mode body."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        """Parse a structured-mode body; raise MalformedEvent on anything we would not emit."""
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedEvent(f"body is not JSON: {exc}") from None
        return cls.from_dict(body)

    @classmethod
    def from_dict(cls, body: Any) -> Event:
        """Build an Event from a decoded structured-mode object."""
        if not isinstance(body, dict):
            raise MalformedEvent("body is not a JSON object")
        _check_attributes(body)
        return cls(
            id=body["id"],
            source=body["source"],
            type=body["type"],
            subject=body["subject"],
            time=parse_time(body["time"]),
            data=body["data"],
            dataschema=body["dataschema"],
            sequence=parse_sequence(body["sequence"]),
            correlationid=body.get("correlationid"),
            causationid=body.get("causationid"),
        )

    def headers(self) -> dict[str, str]:
        """Return `ce-*` message headers copying the main attributes (tools need not parse bodies)."""
        attributes = self.to_dict()
        names = ("specversion", "id", "source", "type", "subject", "time", "dataschema", "sequence")
        headers = {f"ce-{name}": attributes[name] for name in names}
        for name in ("correlationid", "causationid"):
            if name in attributes:
                headers[f"ce-{name}"] = attributes[name]
        return headers


def _check_attributes(body: dict[str, Any]) -> None:
    if body.get("specversion") != "1.0":
        raise MalformedEvent(f"specversion must be '1.0', not {body.get('specversion')!r}")
    for name in _REQUIRED_STRINGS:
        value = body.get(name)
        if not isinstance(value, str) or not value:
            raise MalformedEvent(f"attribute {name!r} must be a non-empty string")
    if not body["type"].startswith(TYPE_PREFIX):
        raise MalformedEvent(f"type must start with {TYPE_PREFIX!r}: {body['type']!r}")
    if body.get("datacontenttype", "application/json") != "application/json":
        raise MalformedEvent("datacontenttype must be application/json")
    if not isinstance(body.get("data"), dict):
        raise MalformedEvent("data must be a JSON object")
    for name in ("correlationid", "causationid"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise MalformedEvent(f"attribute {name!r} must be a string")


def routing_key_for(event_type: str) -> str:
    """Map `crm.customer.account.created` to `customer.account.created`."""
    if not event_type.startswith(TYPE_PREFIX):
        raise MalformedEvent(f"type must start with {TYPE_PREFIX!r}: {event_type!r}")
    return event_type[len(TYPE_PREFIX) :]


def type_for(routing_key: str) -> str:
    """Map `customer.account.created` to `crm.customer.account.created`."""
    return TYPE_PREFIX + routing_key


def format_time(moment: datetime) -> str:
    """Render an aware datetime as RFC 3339 UTC with a `Z`."""
    if moment.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(raw: str) -> datetime:
    """Parse an RFC 3339 timestamp that carries an offset."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise MalformedEvent(f"time is not RFC 3339: {raw!r}") from None
    if moment.tzinfo is None:
        raise MalformedEvent(f"time has no offset: {raw!r}")
    return moment.astimezone(UTC)


def format_sequence(sequence: int) -> str:
    """Render a sequence zero-padded, so its string order is its numeric order."""
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    return str(sequence).zfill(SEQUENCE_DIGITS)


def parse_sequence(raw: str) -> int:
    """Parse a zero-padded decimal sequence."""
    if not _SEQUENCE.match(raw):
        raise MalformedEvent(f"sequence must be a decimal string of at most {SEQUENCE_DIGITS} digits")
    return int(raw)
