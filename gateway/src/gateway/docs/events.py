"""The events catalog (AsyncAPI): the committed file when the gateway finds it, else generated.

Also what the readable page shows of it: the exchange and, per message, routing key, summary, data schema
URN, payload JSON Schema and example envelope.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup, escape

from crmkit.asyncapi import EXCHANGE, build_document, render
from crmkit.events.catalog import load_all_registries

log = logging.getLogger(__name__)

Document = dict[str, Any]
Loaded = tuple[str, Document]
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
CODE_SPAN = re.compile(r"`([^`]+)`")


class CatalogLoader(yaml.SafeLoader):
    """Safe YAML read as JSON would see it: a date or time stays a string (so /asyncapi.json can send it)."""


CatalogLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def generated_catalog() -> Loaded:
    """The catalog built from every installed service's event registry (`crm.event_catalog` entry points)."""
    document = build_document(load_all_registries())
    return render(document), document


class EventsCatalog:
    """The catalog as YAML text and as a document; the file is read again only when it changes."""

    def __init__(self, path: Path | None, generate: Callable[[], Loaded] = generated_catalog) -> None:
        self.path = path
        self._generate = generate
        self._file: tuple[tuple[int, int], Loaded | None] | None = None
        self._generated: Loaded | None = None

    def yaml_text(self) -> str:
        return self.load()[0]

    def document(self) -> Document:
        return self.load()[1]

    def load(self) -> Loaded:
        """The committed file's text and document, or the generated ones when there is no usable file."""
        loaded = self._from_file()
        if loaded is not None:
            return loaded
        if self._generated is None:
            self._generated = self._generate()
        return self._generated

    def _from_file(self) -> Loaded | None:
        if self.path is None:
            return None
        try:
            stat = self.path.stat()
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        if self._file is None or self._file[0] != key:
            self._file = (key, read_catalog(self.path))
        return self._file[1]


def read_catalog(path: Path) -> Loaded | None:
    """The file's text and document; None (and a warning) when it is unreadable or no AsyncAPI document."""
    try:
        text = path.read_text(encoding="utf-8")
        document = yaml.load(text, Loader=CatalogLoader)  # a SafeLoader subclass: no arbitrary objects
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        log.warning("cannot read the events catalog %s (%s); generating it instead", path, error)
        return None
    if not isinstance(document, dict) or "asyncapi" not in document:
        log.warning("%s is not an AsyncAPI document; generating the events catalog instead", path)
        return None
    return text, document


@dataclasses.dataclass(frozen=True)
class MessageEntry:
    """One event type as the page lists it."""

    name: str
    routing_key: str
    type: str
    summary: str
    dataschema: str
    schema: str
    example: str


@dataclasses.dataclass(frozen=True)
class CatalogPage:
    """What the events page shows."""

    title: str
    description: str
    exchange: str
    messages: list[MessageEntry]

    @property
    def example_pattern(self) -> str:
        """A binding pattern for the page's example: every action on the first listed entity."""
        first = self.messages[0].routing_key if self.messages else "customer.account.created"
        return first.rsplit(".", 1)[0] + ".*"

    @property
    def example_queue(self) -> str:
        return f"reporting.{self.example_pattern.split('.', 1)[0]}-events"


def catalog_page(document: Document) -> CatalogPage:
    """Read the page's content out of an AsyncAPI document, tolerating missing parts."""
    components = _mapping(document.get("components"))
    schemas = _mapping(components.get("schemas"))
    messages = _mapping(components.get("messages"))
    info = _mapping(document.get("info"))
    return CatalogPage(
        title=str(info.get("title", "Events")),
        description=str(info.get("description", "")),
        exchange=next(iter(_mapping(document.get("channels"))), EXCHANGE),
        messages=[message_entry(name, _mapping(message), schemas) for name, message in messages.items()],
    )


def message_entry(name: str, message: Document, schemas: Document) -> MessageEntry:
    """One message: names from the message, the schema it refers to, and its first example."""
    examples = message.get("examples")
    example = _mapping(examples[0]).get("payload", {}) if isinstance(examples, list) and examples else {}
    routing_key = str(message.get("name") or name.rsplit(".v", 1)[0])
    version = name.rsplit(".v", 1)[1] if ".v" in name else "1"
    return MessageEntry(
        name=name,
        routing_key=routing_key,
        type=str(message.get("title", "")),
        summary=str(message.get("summary", "")),
        dataschema=str(_mapping(example).get("dataschema") or f"urn:crm:events:{routing_key}:v{version}"),
        schema=pretty(_data_schema(message, schemas)),
        example=pretty(example),
    )


def code_spans(text: str) -> Markup:
    """Escape `text`, then show its `backticked` parts as code (the catalog's descriptions use them)."""
    return Markup(CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _data_schema(message: Document, schemas: Document) -> Any:
    """The schema the message's `data` refers to (crmkit's layout), or the whole payload schema."""
    payload = _mapping(message.get("payload"))
    for part in payload.get("allOf", []):
        data = _mapping(_mapping(_mapping(part).get("properties")).get("data"))
        ref = str(data.get("$ref", ""))
        if ref.startswith("#/components/schemas/"):
            return schemas.get(ref.rsplit("/", 1)[1], data)
    return payload


def _mapping(value: Any) -> Document:
    return value if isinstance(value, dict) else {}
