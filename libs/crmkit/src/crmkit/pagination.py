"""Opaque keyset cursors: lists never count or offset through a whole table."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.api import Schema
from crmkit.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageQuerySchema(Schema):
    """Query parameters every list takes; resource query schemas subclass it and add filters."""

    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=ma.validate.Range(1, MAX_LIMIT))
    cursor = ma.fields.String(load_default=None)
    sort = ma.fields.String(load_default=None, metadata={"description": "field or -field"})


@cache
def page_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The `{items, next_cursor}` envelope for a list of `item_schema` (one class per item schema)."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(
        name,
        (ma.Schema,),
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next_cursor": ma.fields.String(allow_none=True, required=True),
        },
    )


@dataclasses.dataclass(frozen=True)
class SortKey:
    """One ORDER BY term; `attribute` names where a row holds its value when that is not `column.key`
    (a list ordered by columns of a joined table, e.g. a denormalised tag index)."""

    name: str
    column: Any
    descending: bool = False
    attribute: str | None = None


@dataclasses.dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def parse_sort(raw: str | None, allowed: Mapping[str, Any], default: str, tiebreaker: Any) -> list[SortKey]:
    """Turn `-name` into sort keys over allowed (non-null) columns, ending with a unique tiebreaker."""
    spec = raw or default
    descending = spec.startswith("-")
    name = spec.lstrip("-")
    if name not in allowed:
        choices = ", ".join(sorted(allowed))
        raise ValidationFailed(
            "Unknown sort field.",
            errors=[{"field": "sort", "message": f"must be one of {choices}", "in": "query"}],
        )
    return [SortKey(name, allowed[name], descending), SortKey("id", tiebreaker, descending)]


def paginate(
    session: Session, stmt: sa.Select[Any], *, sort: Sequence[SortKey], cursor: str | None, limit: int
) -> Page:
    """Run `stmt` one page at a time, ordered by `sort`, resuming after `cursor`."""
    signature = _signature(sort)
    if cursor:
        stmt = stmt.where(_after(sort, decode_cursor(cursor, signature)))
    order = [key.column.desc() if key.descending else key.column.asc() for key in sort]
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    values = [getattr(last, key.attribute or key.column.key) for key in sort]
    return Page(rows[:limit], encode_cursor(signature, values))


def _signature(sort: Sequence[SortKey]) -> str:
    return ",".join(("-" if key.descending else "") + key.name for key in sort)


def _after(sort: Sequence[SortKey], values: list[Any]) -> sa.ColumnElement[bool]:
    """The rows after `values` in `sort` order, written so an index on the sort columns gives a range start.

    One direction: a row-value comparison `(a, b) > (va, vb)`, which SQLite and PostgreSQL both read as an
    index range (also after equality filters on leading index columns). Mixed directions:
    `a >= va AND ((a > va) OR (a = va AND b > vb) ...)`, where the redundant first term gives the range.
    """
    if len({key.descending for key in sort}) == 1:
        columns = sa.tuple_(*(key.column for key in sort))
        row = sa.tuple_(
            *(sa.literal(value, key.column.type) for key, value in zip(sort, values, strict=True))
        )
        return columns < row if sort[0].descending else columns > row
    clauses = []
    for index, key in enumerate(sort):
        equal_prefix = [sort[i].column == values[i] for i in range(index)]
        beyond = key.column < values[index] if key.descending else key.column > values[index]
        clauses.append(sa.and_(*equal_prefix, beyond))
    first = sort[0]
    start = first.column <= values[0] if first.descending else first.column >= values[0]
    return sa.and_(start, sa.or_(*clauses))


def encode_cursor(signature: str, values: Sequence[Any]) -> str:
    payload = {"s": signature, "v": [_encode_value(value) for value in values]}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, signature: str) -> list[Any]:
    """Read a cursor made by encode_cursor for the same sort; anything else is a 422 on `cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if payload["s"] != signature:
            raise ValueError("sort changed")
        return [_decode_value(item) for item in payload["v"]]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ValidationFailed(
            "The cursor is not valid for this list.",
            errors=[
                {
                    "field": "cursor",
                    "message": "not a cursor this list (with this sort) gave out",
                    "in": "query",
                }
            ],
        ) from None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(item: Any) -> Any:
    if isinstance(item, dict):
        if "dt" in item:
            return datetime.fromisoformat(item["dt"])
        if "d" in item:
            return date.fromisoformat(item["d"])
        if "dec" in item:
            return Decimal(item["dec"])
        raise ValueError("unknown value type")
    return item
