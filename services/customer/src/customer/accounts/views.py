"""HTTP resources of accounts: /api/v1/accounts, one account, duplicates check and merge."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from customer.accounts import service
from customer.accounts.schemas import (
    AccountCreateSchema,
    AccountQuerySchema,
    AccountSchema,
    AccountUpdateSchema,
    DuplicateListSchema,
    DuplicateQuerySchema,
    MergeSchema,
)
from customer.http import created, etag, optional_version
from customer.roles import EDITORS, MANAGERS

blp = crmkit.Blueprint(
    "accounts", __name__, url_prefix="/api/v1/accounts", description="Companies: search, duplicates, merge."
)


@blp.route("")
class Accounts(MethodView):
    @blp.arguments(AccountQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(AccountSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List accounts, filtered by name prefix, tag, tier, owner or stage."""
        return service.list_accounts(uow=current_uow(), query=query)

    @crmkit.require_roles(*EDITORS)
    @crmkit.idempotent
    @blp.arguments(AccountCreateSchema)
    @blp.response(201, AccountSchema)
    @blp.alt_response(409, description="Likely duplicates exist (problem `customer.account.duplicate`)")
    def post(self, data: dict[str, Any]) -> Any:
        """Create an account (with its first contacts), unless it looks like a duplicate."""
        account = service.create_account(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return account, created(url_for("accounts.AccountById", account_id=account.id), account.version)


@blp.route("/duplicates")
class AccountDuplicates(MethodView):
    @blp.arguments(DuplicateQuerySchema, location="query")
    @blp.response(200, DuplicateListSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """List live accounts that look like the company described by name, website, e-mail or phone."""
        return {"items": service.check_duplicates(uow=current_uow(), query=query)}


@blp.route("/<account_id>")
class AccountById(MethodView):
    @blp.response(200, AccountSchema)
    @blp.alt_response(404, description="No such account, or merged away (`customer.account.merged`)")
    def get(self, account_id: str) -> Any:
        """Read an account; a merged one answers 404 naming the account it was merged into."""
        account = service.get_account(uow=current_uow(), account_id=account_id)
        return account, etag(account.version)

    @crmkit.require_roles(*EDITORS)
    @blp.arguments(AccountUpdateSchema)
    @blp.response(200, AccountSchema)
    def patch(self, data: dict[str, Any], account_id: str) -> Any:
        """Change an account (send If-Match with its ETag)."""
        account = service.update_account(
            uow=current_uow(),
            account_id=account_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return account, etag(account.version)

    @crmkit.require_roles(*MANAGERS)
    @blp.response(204)
    def delete(self, account_id: str) -> None:
        """Delete an account and its contacts (send If-Match with its ETag)."""
        service.delete_account(
            uow=current_uow(),
            account_id=account_id,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )


@blp.route("/<account_id>/merge")
class AccountMerge(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @blp.arguments(MergeSchema)
    @blp.response(200, AccountSchema)
    def post(self, data: dict[str, Any], account_id: str) -> Any:
        """Merge a duplicate account into this one (If-Match with this account's ETag is optional)."""
        survivor = service.merge_accounts(
            uow=current_uow(),
            survivor_id=account_id,
            merged_id=data["merged_account_id"],
            expected_version=optional_version(),
            actor=crmkit.current_principal(),
        )
        return survivor, etag(survivor.version)
