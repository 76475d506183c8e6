"""HTTP endpoints: tokens and the key set under /api/v1/auth, user administration under /api/v1/users."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from crmkit import (
    Blueprint,
    Page,
    current_uow,
    etag_for,
    expected_version,
    idempotent,
    page_schema,
    public,
    require_roles,
)
from crmkit.api import ProblemSchema
from gateway.context import gateway
from gateway.identity import service
from gateway.identity.models import ADMIN, User
from gateway.identity.schemas import (
    JwksSchema,
    RefreshRequestSchema,
    TokenRequestSchema,
    TokenSchema,
    UserCreateSchema,
    UserQuerySchema,
    UserSchema,
    UserUpdateSchema,
)
from gateway.identity.tokens import TokenPair

PROBLEM = {"schema": ProblemSchema, "content_type": "application/problem+json"}

auth_blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign in, refresh, key set.")
users_blp = Blueprint(
    "users", __name__, url_prefix="/api/v1/users", description="User administration (admin)."
)


@auth_blp.route("/token")
class Token(MethodView):
    @public
    @auth_blp.doc(security=[])
    @auth_blp.arguments(TokenRequestSchema)
    @auth_blp.response(200, TokenSchema)
    @auth_blp.alt_response(401, description="Wrong username or password, or a disabled account", **PROBLEM)
    def post(self, data: dict[str, Any]) -> TokenPair:
        """Issue an access token and a refresh token for a username and password."""
        parts = gateway()
        with current_uow() as uow:
            return service.issue_token(uow=uow, passwords=parts.passwords, tokens=parts.tokens, **data)


@auth_blp.route("/refresh")
class Refresh(MethodView):
    @public
    @auth_blp.doc(security=[])
    @auth_blp.arguments(RefreshRequestSchema)
    @auth_blp.response(200, TokenSchema)
    @auth_blp.alt_response(401, description="Unknown, expired, revoked or reused refresh token", **PROBLEM)
    def post(self, data: dict[str, Any]) -> TokenPair:
        """Trade a refresh token for a new access token and refresh token (each refresh token works once)."""
        with current_uow() as uow:
            return service.refresh(uow=uow, tokens=gateway().tokens, refresh_token=data["refresh_token"])


@auth_blp.route("/jwks.json")
class Jwks(MethodView):
    @public
    @auth_blp.doc(security=[])
    @auth_blp.response(200, JwksSchema)
    def get(self) -> dict[str, Any]:
        """Publish the public keys that verify access tokens (RFC 7517 key set)."""
        return gateway().keys.jwks()


@users_blp.route("")
class UserCollection(MethodView):
    @require_roles(ADMIN)
    @users_blp.arguments(UserQuerySchema, location="query")
    @users_blp.response(200, page_schema(UserSchema))
    @users_blp.alt_response(403, description="Not an admin", **PROBLEM)
    def get(self, query: dict[str, Any]) -> Page:
        """List users, a page at a time (filters: role, team, active)."""
        with current_uow() as uow:
            return service.list_(uow=uow, query=query)

    @require_roles(ADMIN)
    @idempotent
    @users_blp.arguments(UserCreateSchema)
    @users_blp.response(201, UserSchema)
    @users_blp.alt_response(409, description="The username is taken", **PROBLEM)
    @users_blp.alt_response(422, description="A field is invalid (named in `errors`)", **PROBLEM)
    def post(self, data: dict[str, Any]) -> tuple[User, dict[str, str]]:
        """Create a user."""
        with current_uow() as uow:
            user = service.create_user(uow=uow, passwords=gateway().passwords, data=data)
        return user, _user_headers(user, location=True)


@users_blp.route("/<user_id>")
class UserItem(MethodView):
    @require_roles(ADMIN)
    @users_blp.response(200, UserSchema)
    @users_blp.alt_response(404, description="No such user", **PROBLEM)
    def get(self, user_id: str) -> tuple[User, dict[str, str]]:
        """Read a user (the ETag is its version, for If-Match on PATCH)."""
        with current_uow() as uow:
            user = service.get_or_raise(uow=uow, user_id=user_id)
        return user, _user_headers(user)

    @require_roles(ADMIN)
    @users_blp.arguments(UserUpdateSchema)
    @users_blp.response(200, UserSchema)
    @users_blp.alt_response(409, description="It would leave no active admin", **PROBLEM)
    @users_blp.alt_response(412, description="The user changed since the If-Match version", **PROBLEM)
    @users_blp.alt_response(428, description="If-Match is missing", **PROBLEM)
    def patch(self, data: dict[str, Any], user_id: str) -> tuple[User, dict[str, str]]:
        """Change a user's roles, team, active flag or password (send If-Match)."""
        version = expected_version()
        with current_uow() as uow:
            user = service.update_user(
                uow=uow, passwords=gateway().passwords, user_id=user_id, data=data, expected_version=version
            )
        return user, _user_headers(user)


def _user_headers(user: User, *, location: bool = False) -> dict[str, str]:
    headers = {"ETag": etag_for(user.version)}
    if location:
        headers["Location"] = url_for("users.UserItem", user_id=user.id)
    return headers
