"""Merge the gateway's OpenAPI document with the services' into the one document of the public API.

Pure functions (no I/O). A service contributes only the paths the route table sends to it, and only the
components those paths reach. A component whose name is taken by a different one is renamed
`<service>.<name>`, and every $ref to it is rewritten; identical components (the kit's `Problem`, ...) are
shared.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gateway.routes import RouteTable

Document = dict[str, Any]
COMPONENTS = "#/components/"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
TITLE = "CRM platform API"
DESCRIPTION = (
    "The public API of the CRM platform, as the gateway serves it: the gateway's own endpoints (tokens, "
    "key set, users, these documents) and every service's resources under `/api/v1/<resource>`. "
    "Send `Authorization: Bearer <access token>` from `POST /api/v1/auth/token`. The events the services "
    "publish are described in `/api/v1/asyncapi.yaml` and at `/docs/events`."
)


def merge_documents(
    own: Document,
    services: Mapping[str, Document],
    *,
    routes: RouteTable,
    server_url: str,
    missing: Sequence[str] = (),
) -> Document:
    """The gateway's document `own` plus each service's, as served at `server_url`."""
    own = copy.deepcopy(own)
    merged: Document = {
        "openapi": own.get("openapi", "3.0.3"),
        "info": _info(own.get("info", {}).get("version", "1.0.0"), missing),
        "servers": [{"url": server_url, "description": "CRM gateway"}],
        "security": own.get("security", []),
        "tags": own.get("tags", []),
        "paths": own.get("paths", {}),
        "components": own.get("components", {}),
    }
    for name in sorted(services):
        add_service(merged, name, services[name], routes)
    return merged


def add_service(merged: Document, service: str, document: Document, routes: RouteTable) -> None:
    """Add one service's owned paths, the components they reach, and their tags to `merged`."""
    paths = {
        path: item
        for path, item in document.get("paths", {}).items()
        if isinstance(item, dict) and routes.owns(service, path)
    }
    components = reachable_components(document.get("components", {}), paths)
    renames = component_renames(merged["components"], components, service)
    for section, entries in rewrite_refs(components, renames).items():
        target = merged["components"].setdefault(section, {})
        for name, value in entries.items():
            ref = _ref(section, name)
            target.setdefault(_split_ref(renames.get(ref, ref))[1], value)
    merged["paths"].update(rewrite_refs(paths, renames))
    _add_security_schemes(merged, document)
    _add_tags(merged, document.get("tags", []), operation_tags(paths))


def reachable_components(components: Mapping[str, Any], root: Any) -> dict[str, dict[str, Any]]:
    """The components `root` refers to, directly or through other components, by section."""
    found: dict[str, dict[str, Any]] = {}
    pending = list(refs_in(root))
    while pending:
        section, name = _split_ref(pending.pop())
        entries = components.get(section)
        entry = entries.get(name) if isinstance(entries, dict) else None
        if entry is None or name in found.get(section, {}):
            continue
        found.setdefault(section, {})[name] = entry
        pending.extend(refs_in(entry))
    # In the service's own order, so the merged document reads like the service's.
    return {
        section: {name: entry for name, entry in components[section].items() if name in entries}
        for section, entries in found.items()
    }


def component_renames(
    existing: Mapping[str, Mapping[str, Any]], incoming: Mapping[str, Mapping[str, Any]], service: str
) -> dict[str, str]:
    """Old ref -> new ref for each incoming component whose name is taken by a different component.

    Renaming one component changes the components that refer to it, so this repeats until nothing changes.
    """
    renames: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for section, entries in incoming.items():
            for name, value in entries.items():
                ref = _ref(section, name)
                taken = existing.get(section, {}).get(name)
                if ref in renames or taken is None or rewrite_refs(value, renames) == taken:
                    continue
                renames[ref] = _ref(section, f"{service}.{name}")
                changed = True
    return renames


def rewrite_refs(value: Any, renames: Mapping[str, str]) -> Any:
    """A copy of `value` with every local `$ref` in `renames` pointing at its new name."""
    if isinstance(value, dict):
        return {
            key: renames.get(item, item)
            if key == "$ref" and isinstance(item, str)
            else rewrite_refs(item, renames)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [rewrite_refs(item, renames) for item in value]
    return value


def refs_in(value: Any) -> Iterable[str]:
    """Every local component `$ref` inside `value`."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENTS):
            yield ref
        for item in value.values():
            yield from refs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs_in(item)


def operation_tags(paths: Mapping[str, Any]) -> set[str]:
    """The tags the operations of `paths` use."""
    return {
        tag
        for item in paths.values()
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict)
        for tag in item[method].get("tags", [])
    }


def _add_tags(merged: Document, tags: Iterable[Mapping[str, Any]], used: set[str]) -> None:
    """Add the service's tags its kept operations use; a tag already there keeps its description."""
    known = {tag["name"] for tag in merged["tags"]}
    for tag in tags:
        if isinstance(tag, dict) and tag.get("name") in used and tag["name"] not in known:
            merged["tags"].append(dict(tag))
            known.add(tag["name"])


def _add_security_schemes(merged: Document, document: Document) -> None:
    """The gateway's bearer scheme stands for the whole platform; a service may only add other names."""
    schemes = document.get("components", {}).get("securitySchemes")
    target = merged["components"].setdefault("securitySchemes", {})
    for name, scheme in schemes.items() if isinstance(schemes, dict) else ():
        target.setdefault(name, scheme)


def _info(version: str, missing: Sequence[str]) -> Document:
    """The platform's title and description, and the services whose paths are not in this document."""
    return {
        "title": TITLE,
        "version": version,
        "description": DESCRIPTION,
        "x-missing-services": sorted(missing),
    }


def _ref(section: str, name: str) -> str:
    return f"{COMPONENTS}{section}/{name}"


def _split_ref(ref: str) -> tuple[str, str]:
    section, _, name = ref.removeprefix(COMPONENTS).partition("/")
    return section, name
