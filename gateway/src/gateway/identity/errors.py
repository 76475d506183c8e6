"""Identity problems: `auth.*` for signing in and tokens, `identity.*` for managing users."""

from __future__ import annotations

from crmkit import Conflict, NotFound, Unauthorized, ValidationFailed


class InvalidCredentials(Unauthorized):
    code = "auth.invalid_credentials"


class AccountDisabled(Unauthorized):
    code = "auth.account_disabled"


class AccountLocked(Unauthorized):
    code = "auth.account_locked"


class InvalidRefreshToken(Unauthorized):
    code = "auth.invalid_refresh_token"


class RefreshTokenReused(Unauthorized):
    code = "auth.refresh_token_reused"


class UserNotFound(NotFound):
    code = "identity.user_not_found"


class UsernameTaken(Conflict):
    code = "identity.username_taken"


class LastAdmin(Conflict):
    code = "identity.last_admin"


class TeamNotFound(NotFound):
    code = "identity.team_not_found"


class TeamNameTaken(Conflict):
    code = "identity.team_name_taken"


class TeamInUse(Conflict):
    code = "identity.team_in_use"


class InvalidUsername(ValidationFailed):
    code = "identity.invalid_username"


class UnknownRole(ValidationFailed):
    code = "identity.unknown_role"


class WeakPassword(ValidationFailed):
    code = "identity.weak_password"
