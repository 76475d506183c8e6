"""A tiny app built on the kit (an `items` resource) so every mechanic is tested through HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import marshmallow as ma
import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask.views import MethodView
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import crmkit
from crmkit.db import kit_metadata
from crmkit.testing.auth import TokenFactory


class Base(DeclarativeBase):
    pass


class Item(crmkit.VersionedMixin, Base):
    __tablename__ = "items"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    rank: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=lambda: datetime.now(UTC)
    )


class ItemSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))
    rank = ma.fields.Integer(load_default=0)
    version = ma.fields.Integer(dump_only=True)


class ItemUpdateSchema(crmkit.Schema):
    name = ma.fields.String(validate=ma.validate.Length(1, 100))
    rank = ma.fields.Integer()


class ItemQuerySchema(crmkit.PageQuerySchema):
    min_rank = ma.fields.Integer()


blp = crmkit.Blueprint("items", __name__, url_prefix="/api/v1/items")
SORTS = {"name": Item.name, "rank": Item.rank, "created_at": Item.created_at}


def _db() -> crmkit.Database:
    from flask import current_app

    return crmkit.runtime(current_app).database


@blp.route("")
class Items(MethodView):
    @blp.arguments(ItemQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ItemSchema))
    def get(self, query: dict[str, Any]) -> crmkit.Page:
        """List items."""
        stmt = sa.select(Item)
        if "min_rank" in query:
            stmt = stmt.where(Item.rank >= query["min_rank"])
        sort = crmkit.parse_sort(query["sort"], SORTS, "name", Item.id)
        with _db().uow() as uow:
            return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])

    @crmkit.idempotent
    @blp.arguments(ItemSchema)
    @blp.response(201, ItemSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an item."""
        if data["name"] == "explode":
            raise RuntimeError("boom")
        with _db().uow() as uow:
            item = Item(**data)
            uow.session.add(item)
            uow.commit()
        return item, 201, {"Location": url_for("items.ItemById", item_id=item.id), "ETag": crmkit.etag_for(1)}


@blp.route("/<item_id>")
class ItemById(MethodView):
    @blp.response(200, ItemSchema)
    def get(self, item_id: str) -> Any:
        """Read an item."""
        with _db().uow() as uow:
            item = uow.session.get(Item, item_id)
            if item is None:
                raise crmkit.NotFound("No such item.", code="test.item.not_found")
            return item, 200, {"ETag": crmkit.etag_for(item.version)}

    @crmkit.require_roles("editor")
    @blp.arguments(ItemUpdateSchema)
    @blp.response(200, ItemSchema)
    def patch(self, data: dict[str, Any], item_id: str) -> Any:
        """Change an item."""
        expected = crmkit.expected_version()
        with _db().uow() as uow:
            item = uow.session.get(Item, item_id)
            if item is None:
                raise crmkit.NotFound("No such item.", code="test.item.not_found")
            crmkit.check_version(item.version, expected)
            for key, value in data.items():
                setattr(item, key, value)
            uow.commit()
            return item, 200, {"ETag": crmkit.etag_for(item.version)}


@blp.route("/<item_id>/race")
class ItemRace(MethodView):
    @blp.response(200, ItemSchema)
    def post(self, item_id: str) -> Any:
        """Change an item while another writer changes it too (the other writer wins)."""
        database = _db()
        with database.uow() as uow:
            item = uow.session.get(Item, item_id)
            assert item is not None
            uow.session.commit()  # end the read; on PostgreSQL a concurrent commit can land right here
            with database.engine.begin() as other_writer:
                other_writer.execute(
                    sa.update(Item).where(Item.id == item_id).values(version=Item.version + 1)
                )
            item.rank += 1
            uow.commit()
            return item


@pytest.fixture
def settings(tmp_path: Path, token_factory: TokenFactory) -> crmkit.ServiceSettings:
    env = {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kit.db'}",
        "JWT_JWKS_URL": token_factory.jwks_url,
    }
    return crmkit.ServiceSettings.from_env("kittest", env=env, testing=True)


@pytest.fixture
def app(settings: crmkit.ServiceSettings) -> Iterator[Flask]:
    database = crmkit.Database(settings.database_url)
    Base.metadata.create_all(database.engine)
    kit_metadata.create_all(database.engine)
    yield crmkit.create_service_app(settings, title="Kit test", blueprints=[blp], database=database)
    database.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth(token_factory: TokenFactory) -> dict[str, str]:
    return token_factory.headers("editor", sub="user-1")
