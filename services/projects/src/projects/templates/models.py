"""Project templates: a reusable plan (tasks, dependencies, team roles) to start projects from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from projects.db import ID_LENGTH, Base, new_id


class ProjectTemplate(crmkit.VersionedMixin, Base):
    """Tasks are kept by `key` with a start offset in working days; dependencies name keys; roles list
    the project roles (optionally with a user) a project made from the template starts with."""

    __tablename__ = "project_templates"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    tasks: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    dependencies: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    roles: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(64))
