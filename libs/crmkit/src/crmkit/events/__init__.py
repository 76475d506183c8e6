"""The event bus: CloudEvents envelopes, the catalog, the outbox and its relay, consumers with inbox."""

from crmkit.events.catalog import EventRegistry, EventType, validate_payload
from crmkit.events.envelope import Event, MalformedEvent
from crmkit.events.outbox import record

__all__ = ["Event", "EventRegistry", "EventType", "MalformedEvent", "record", "validate_payload"]
