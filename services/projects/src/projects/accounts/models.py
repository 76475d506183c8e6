"""What this service knows of customer accounts: a read model fed by customer.account.* events."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from projects.db import ID_LENGTH, Base


class AccountRef(Base):
    """A customer account's name and fate (merged, deleted), as of the newest event seen (`sequence`)."""

    __tablename__ = "account_refs"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    tier: Mapped[str | None] = mapped_column(sa.String(16))
    merged_into_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    deleted: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]
