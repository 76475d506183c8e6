"""Contact: a person at an account, with e-mail addresses, phone numbers and recorded consents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

import crmkit
from crmkit.events.envelope import format_time
from customer import normalize
from customer.contacts.errors import ContactNotFound
from customer.db import ID_LENGTH, Base, SearchKey, new_id

CHANNELS = ("email", "phone", "sms", "post", "in_person")
CONSENT_PURPOSES = ("marketing_email", "marketing_phone", "marketing_sms", "marketing_post")
CONSENT_METHODS = ("web_form", "email", "phone", "in_person", "paper", "import")


class ContactEmail(Base):
    __tablename__ = "contact_emails"
    __table_args__ = (sa.Index("ix_contact_emails_email", "email"),)

    contact_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(sa.String(254), primary_key=True)  # normalised (lower case)
    label: Mapped[str | None] = mapped_column(sa.String(30))
    position: Mapped[int] = mapped_column(sa.SmallInteger)


class ContactPhone(Base):
    __tablename__ = "contact_phones"
    __table_args__ = (sa.Index("ix_contact_phones_number_key", "number_key"),)

    contact_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    number_key: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # normalize.phone_key()
    number: Mapped[str] = mapped_column(sa.String(40))  # as entered, for display
    label: Mapped[str | None] = mapped_column(sa.String(30))
    position: Mapped[int] = mapped_column(sa.SmallInteger)


class Contact(crmkit.VersionedMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        sa.Index("ix_contacts_account_name", "account_id", "name_key", "id"),
        sa.Index("ix_contacts_account_created", "account_id", "created_at", "id"),
        sa.Index("ix_contacts_name", "name_key", "id"),
        sa.Index("ix_contacts_created", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("accounts.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(SearchKey)
    title: Mapped[str | None] = mapped_column(sa.String(100))
    preferred_channel: Mapped[str | None] = mapped_column(sa.String(16))
    # {purpose: {granted, method, recorded_at, recorded_by}}: when and how each answer was recorded
    consents: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(64))
    email_rows: Mapped[list[ContactEmail]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=ContactEmail.position
    )
    phone_rows: Mapped[list[ContactPhone]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=ContactPhone.position
    )

    @classmethod
    def new(cls, *, account_id: str, created_by: str, now: datetime, fields: Mapping[str, Any]) -> Contact:
        """Build a contact of `account_id` from validated fields."""
        contact = cls(
            id=new_id(),
            account_id=account_id,
            created_by=created_by,
            created_at=now,
            updated_at=now,
            consents={},
        )
        contact.apply(fields, actor=created_by, now=now)
        return contact

    @property
    def emails(self) -> list[dict[str, Any]]:
        return [{"address": row.email, "label": row.label} for row in self.email_rows]

    @property
    def phones(self) -> list[dict[str, Any]]:
        return [{"number": row.number, "label": row.label} for row in self.phone_rows]

    @property
    def email_keys(self) -> set[str]:
        return {row.email for row in self.email_rows}

    def apply(self, fields: Mapping[str, Any], *, actor: str, now: datetime) -> None:
        """Set validated fields; consents are merged per purpose and stamped with who recorded them when."""
        for field, value in fields.items():
            if field == "name":
                self.name, self.name_key = value, normalize.name_key(value)
            elif field == "emails":
                self.set_emails(value)
            elif field == "phones":
                self.set_phones(value)
            elif field == "consents":
                self.record_consents(value, actor=actor, now=now)
            elif getattr(self, field) != value:
                setattr(self, field, value)

    def set_emails(self, emails: Iterable[Mapping[str, Any]]) -> None:
        rows = [
            ContactEmail(email=normalize.email_key(item["address"]), label=item.get("label"), position=index)
            for index, item in enumerate(emails)
        ]
        if [(row.email, row.label) for row in rows] != [(row.email, row.label) for row in self.email_rows]:
            self.email_rows = rows

    def set_phones(self, phones: Iterable[Mapping[str, Any]]) -> None:
        rows = [
            ContactPhone(
                number_key=normalize.phone_key(item["number"]),
                number=item["number"].strip(),
                label=item.get("label"),
                position=index,
            )
            for index, item in enumerate(phones)
        ]
        if [(r.number, r.label) for r in rows] != [(r.number, r.label) for r in self.phone_rows]:
            self.phone_rows = rows

    def record_consents(self, answers: Mapping[str, Mapping[str, Any]], *, actor: str, now: datetime) -> None:
        """Record each purpose's answer with its method, time (given or now) and recorder."""
        consents = dict(self.consents or {})
        for purpose, answer in answers.items():
            recorded_at: datetime = answer.get("recorded_at") or now
            consents[purpose] = {
                "granted": answer["granted"],
                "method": answer["method"],
                "recorded_at": format_time(recorded_at),
                "recorded_by": actor,
            }
        if consents != self.consents:
            self.consents = consents

    def move_to(self, account_id: str) -> None:
        self.account_id = account_id

    def soft_delete(self, now: datetime) -> None:
        self.deleted_at = now
        self.updated_at = now


def load_live(session: Session, contact_id: str) -> Contact:
    """Load a contact that is not deleted; otherwise raise ContactNotFound."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.deleted_at is not None:
        raise ContactNotFound(f"There is no contact {contact_id}.")
    return contact
