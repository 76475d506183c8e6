"""Account: a company the CRM knows, with its tags, search keys and merge and duplicate rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

import crmkit
from customer import normalize
from customer.accounts.errors import AccountMerged, AccountNotFound
from customer.db import ID_LENGTH, Base, SearchKey, new_id

TIERS = ("key", "standard", "low")  # in service order: key customers come first everywhere
STAGES = ("prospect", "active", "inactive", "churned")
DEFAULT_TIER, DEFAULT_STAGE = "standard", "prospect"
# Fields a merge copies from the merged account when the survivor has no value.
FILLABLE = ("industry", "website", "address", "owner_id")
NullableJson = sa.JSON(none_as_null=True)


def tier_rank(tier: str) -> int:
    return TIERS.index(tier)


class AccountTag(Base):
    """One tag of one account, carrying copies of the account's sort keys.

    The copies let "accounts tagged X, by name (or age, or tier)" page straight off one index of this
    table instead of sorting every tagged account; Account keeps them in step.
    """

    __tablename__ = "account_tags"
    __table_args__ = (
        sa.Index("ix_account_tags_tag_name", "tag", "name_key", "account_id"),
        sa.Index("ix_account_tags_tag_created", "tag", "created_at", "account_id"),
        sa.Index("ix_account_tags_tag_tier", "tag", "tier_rank", "name_key", "account_id"),
    )

    account_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    name_key: Mapped[str] = mapped_column(SearchKey)
    created_at: Mapped[datetime]
    tier_rank: Mapped[int] = mapped_column(sa.SmallInteger)


class Account(crmkit.VersionedMixin, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        # Each list filter (or none) with each sort: the page is read in index order, never sorted.
        sa.Index("ix_accounts_name", "name_key", "id"),
        sa.Index("ix_accounts_created", "created_at", "id"),
        sa.Index("ix_accounts_tier_name", "tier_rank", "name_key", "id"),
        sa.Index("ix_accounts_tier_created", "tier_rank", "created_at", "id"),
        sa.Index("ix_accounts_owner_name", "owner_id", "name_key", "id"),
        sa.Index("ix_accounts_owner_created", "owner_id", "created_at", "id"),
        sa.Index("ix_accounts_owner_tier", "owner_id", "tier_rank", "name_key", "id"),
        sa.Index("ix_accounts_stage_name", "lifecycle_stage", "name_key", "id"),
        sa.Index("ix_accounts_stage_created", "lifecycle_stage", "created_at", "id"),
        sa.Index("ix_accounts_stage_tier", "lifecycle_stage", "tier_rank", "name_key", "id"),
        # Duplicate checks look up these two exactly.
        sa.Index("ix_accounts_dedupe_key", "dedupe_key"),
        sa.Index("ix_accounts_domain", "domain"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(SearchKey)
    dedupe_key: Mapped[str] = mapped_column(SearchKey)
    industry: Mapped[str | None] = mapped_column(sa.String(100))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    domain: Mapped[str | None] = mapped_column(sa.String(253))
    address: Mapped[dict[str, Any] | None] = mapped_column(NullableJson)
    owner_id: Mapped[str | None] = mapped_column(sa.String(64))
    lifecycle_stage: Mapped[str] = mapped_column(sa.String(16))
    tier: Mapped[str] = mapped_column(sa.String(16))
    tier_rank: Mapped[int] = mapped_column(sa.SmallInteger)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    merged_into_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("accounts.id"))
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(64))
    tag_rows: Mapped[list[AccountTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=AccountTag.tag
    )

    @classmethod
    def new(cls, *, name: str, created_by: str, now: datetime, **fields: Any) -> Account:
        """Build an account from validated fields (defaults for tier, stage and custom fields)."""
        account = cls(id=new_id(), created_by=created_by, created_at=now, updated_at=now, custom_fields={})
        account.rename(name)
        account.set_tier(fields.pop("tier", DEFAULT_TIER))
        account.lifecycle_stage = fields.pop("lifecycle_stage", DEFAULT_STAGE)
        account.apply(fields)
        return account

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None and self.merged_into_id is None

    def apply(self, fields: Mapping[str, Any]) -> None:
        """Set validated fields, keeping the derived keys (search, domain, tier rank, tag copies) in step."""
        setters = {
            "name": self.rename,
            "tier": self.set_tier,
            "website": self.set_website,
            "tags": self.set_tags,
        }
        for field, value in fields.items():
            setter = setters.get(field)
            if setter is not None:
                setter(value)
            elif getattr(self, field) != value:
                setattr(self, field, value)

    def rename(self, name: str) -> None:
        if name == getattr(self, "name", None):
            return
        self.name, self.name_key, self.dedupe_key = (
            name,
            normalize.name_key(name),
            normalize.dedupe_name(name),
        )
        self._sync_tag_keys()

    def set_tier(self, tier: str) -> None:
        if tier != getattr(self, "tier", None):
            self.tier, self.tier_rank = tier, tier_rank(tier)
            self._sync_tag_keys()

    def set_website(self, website: str | None) -> None:
        if website != self.website:
            self.website = website
            self.domain = normalize.web_domain(website) if website else None

    def set_tags(self, tags: Iterable[str]) -> None:
        wanted = set(tags)
        self.tag_rows = sorted(
            [row for row in self.tag_rows if row.tag in wanted]
            + [self._tag_row(tag) for tag in wanted - set(self.tags)],
            key=lambda row: row.tag,
        )

    def absorb(self, other: Account) -> None:
        """Take over what `other` knows and this account lacks, then mark `other` merged into this one.

        Empty fields are filled from `other`, tags are united and custom fields `other` has that this
        account lacks are copied; everything this account already has is kept.
        """
        self.apply({field: getattr(other, field) for field in FILLABLE if _empty(getattr(self, field))})
        self.set_tags([*self.tags, *other.tags])
        if any(key not in self.custom_fields for key in other.custom_fields):
            self.custom_fields = {**other.custom_fields, **self.custom_fields}
        other.merged_into_id = self.id

    def soft_delete(self, now: datetime) -> None:
        self.deleted_at = now
        self.updated_at = now

    def _tag_row(self, tag: str) -> AccountTag:
        return AccountTag(
            tag=tag, name_key=self.name_key, created_at=self.created_at, tier_rank=self.tier_rank
        )

    def _sync_tag_keys(self) -> None:
        for row in self.tag_rows:
            row.name_key, row.tier_rank = self.name_key, self.tier_rank


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {}


@dataclasses.dataclass(frozen=True)
class DuplicateKeys:
    """What makes two accounts the same company: normalised name, web domain, contact e-mails and phones."""

    name: str | None = None
    domain: str | None = None
    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        name: str | None = None,
        website: str | None = None,
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
    ) -> DuplicateKeys:
        """Build the keys from raw values (already validated)."""
        return cls(
            name=(normalize.dedupe_name(name) or None) if name else None,
            domain=normalize.web_domain(website) if website else None,
            emails=frozenset(normalize.email_key(email) for email in emails),
            phones=frozenset(normalize.phone_key(phone) for phone in phones),
        )

    def reasons(self, other: DuplicateKeys) -> list[str]:
        """Name each key these share with `other`: "name", "domain", "email", "phone" (none: no duplicate)."""
        shared = {
            "name": self.name is not None and self.name == other.name,
            "domain": self.domain is not None and self.domain == other.domain,
            "email": bool(self.emails & other.emails),
            "phone": bool(self.phones & other.phones),
        }
        return [reason for reason, match in shared.items() if match]


@dataclasses.dataclass(frozen=True)
class DuplicateCandidate:
    account: Account
    reasons: list[str]


def load_live(session: Session, account_id: str) -> Account:
    """Load an account that is neither deleted nor merged; otherwise raise the problem that says which."""
    account = session.get(Account, account_id)
    if account is None or account.deleted_at is not None:
        raise AccountNotFound(f"There is no account {account_id}.")
    if account.merged_into_id is not None:
        raise AccountMerged(
            f"Account {account_id} was merged into {account.merged_into_id}.",
            merged_into=account.merged_into_id,
        )
    return account
