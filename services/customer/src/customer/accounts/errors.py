"""Problems of the accounts feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class AccountNotFound(crmkit.NotFound):
    code = "customer.account.not_found"


class AccountMerged(crmkit.NotFound):
    """The account was merged away; the problem's `merged_into` names the account that took it over."""

    title = "Account Merged"
    code = "customer.account.merged"


class AccountDuplicate(crmkit.Conflict):
    """Likely duplicates exist; the problem's `candidates` lists them. Send allow_duplicate to go ahead."""

    title = "Possible Duplicate"
    code = "customer.account.duplicate"


class AccountMergeInvalid(crmkit.ValidationFailed):
    code = "customer.account.merge_invalid"
