"""Webhook secrets encrypted at rest: room for `fernet:<token>` in `secret` and `previous_secret`.

Only the columns widen: nothing is encrypted here (the keys are not the migration's to know). Secrets stored
in clear by an older release keep working and are encrypted at their webhook's next write, or all at once by
`crm-gateway integrations reencrypt-secrets`. Batch mode: SQLite cannot alter a column in place.

Downgrading narrows the columns again; it fails on PostgreSQL while encrypted values are stored (the older
release could not read them anyway).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("secret", False), ("previous_secret", True))


def upgrade() -> None:
    _resize(sa.String(128), sa.String(512))


def downgrade() -> None:
    _resize(sa.String(512), sa.String(128))


def _resize(before: sa.String, after: sa.String) -> None:
    with op.batch_alter_table("webhooks") as batch:
        for name, nullable in COLUMNS:
            batch.alter_column(name, existing_type=before, type_=after, existing_nullable=nullable)
