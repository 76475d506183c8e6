"""Event type registry: one source for validation and the events catalog (AsyncAPI)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from crmkit.events.envelope import type_for

ENTRY_POINT_GROUP = "crm.event_catalog"
_ROUTING_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2}$")
_SERVICE = re.compile(r"^[a-z][a-z0-9-]*$")


class EventCatalogError(ValueError):
    """An event type definition is invalid (bad key, schema or example)."""


class EventPayloadInvalid(ValueError):
    """An event's data does not match its type's JSON Schema."""

    def __init__(self, dataschema: str, problems: list[str]) -> None:
        super().__init__(f"{dataschema}: " + "; ".join(problems))
        self.dataschema = dataschema
        self.problems = problems


@dataclasses.dataclass(frozen=True, eq=False)
class EventType:
    """A versioned event type a service publishes: routing key, payload schema and example."""

    routing_key: str
    version: int
    schema: Mapping[str, Any]
    example: Mapping[str, Any]
    summary: str
    service: str
    _validator: Draft202012Validator = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not _ROUTING_KEY.match(self.routing_key):
            raise EventCatalogError(f"routing key must be <service>.<entity>.<action>: {self.routing_key!r}")
        if self.version < 1:
            raise EventCatalogError(f"{self.routing_key}: version must be >= 1")
        try:
            Draft202012Validator.check_schema(self.schema)
        except SchemaError as exc:
            raise EventCatalogError(f"{self.routing_key}: invalid JSON Schema: {exc.message}") from None
        object.__setattr__(self, "_validator", Draft202012Validator(self.schema))
        problems = self.problems(self.example)
        if problems:
            raise EventCatalogError(f"{self.routing_key}: example does not match schema: {problems}")

    @property
    def type(self) -> str:
        """Return the CloudEvents type, `crm.` + routing key."""
        return type_for(self.routing_key)

    @property
    def dataschema(self) -> str:
        """Return the payload schema's URI, e.g. `urn:crm:events:customer.account.created:v1`."""
        return f"urn:crm:events:{self.routing_key}:v{self.version}"

    def problems(self, data: Any) -> list[str]:
        """List what is wrong with `data` (empty when it matches the schema)."""
        errors = sorted(self._validator.iter_errors(data), key=lambda error: list(error.absolute_path))
        return [f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors]


class EventRegistry:
    """The event types one service publishes, in definition order."""

    def __init__(self, service: str) -> None:
        if not _SERVICE.match(service):
            raise EventCatalogError(f"service name must be lower case: {service!r}")
        self.service = service
        self._types: dict[tuple[str, int], EventType] = {}

    def define(
        self,
        routing_key: str,
        *,
        version: int = 1,
        schema: Mapping[str, Any],
        example: Mapping[str, Any],
        summary: str,
    ) -> EventType:
        """Register an event type; the example is validated against the schema right away."""
        if (routing_key, version) in self._types:
            raise EventCatalogError(f"{routing_key} v{version} is already defined")
        event_type = EventType(routing_key, version, schema, example, summary, self.service)
        self._types[(routing_key, version)] = event_type
        return event_type

    def get(self, routing_key: str, version: int = 1) -> EventType:
        """Return a defined type (KeyError when it is not)."""
        return self._types[(routing_key, version)]

    def __iter__(self) -> Iterator[EventType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)


def validate_payload(event_type: EventType, data: Any) -> None:
    """Raise EventPayloadInvalid when `data` does not match the type's schema."""
    problems = event_type.problems(data)
    if problems:
        raise EventPayloadInvalid(event_type.dataschema, problems)


def load_all_registries() -> list[EventRegistry]:
    """Load every registry installed under the `crm.event_catalog` entry-point group, by service."""
    registries = []
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        registry = entry_point.load()
        if not isinstance(registry, EventRegistry):
            raise EventCatalogError(f"entry point {entry_point.name!r} is not an EventRegistry")
        registries.append(registry)
    return sorted(registries, key=lambda registry: registry.service)
