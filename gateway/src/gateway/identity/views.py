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
from gateway.access import rules
from gateway.access.masking import MASK_RULES
from gateway.context import gateway
from gateway.identity import service, teams
from gateway.identity.models import ADMIN, ROLES, Team, User
from gateway.identity.schemas import (
    JwksSchema,
    RefreshRequestSchema,
    RoleListSchema,
    TeamCreateSchema,
    TeamQuerySchema,
    TeamSchema,
    TeamUpdateSchema,
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
teams_blp = Blueprint("teams", __name__, url_prefix="/api/v1/teams", description="Teams (admin).")
roles_blp = Blueprint(
    "roles", __name__, url_prefix="/api/v1/roles", description="Department roles and what each may do."
)


@auth_blp.route("/token")
class Token(MethodView):
    @public
    @auth_blp.doc(security=[])
    @auth_blp.arguments(TokenRequestSchema)
    @auth_blp.response(200, TokenSchema)
    @auth_blp.alt_response(
        401, description="Wrong username or password, a disabled or a locked account", **PROBLEM
    )
    def post(self, data: dict[str, Any]) -> TokenPair:
        """Issue an access token and a refresh token for a username and password."""
        parts = gateway()
        lockout = service.LockoutPolicy(
            parts.settings.login_max_failures, parts.settings.login_lockout_seconds
        )
        with current_uow() as uow:
            return service.issue_token(
                uow=uow, passwords=parts.passwords, tokens=parts.tokens, lockout=lockout, **data
            )


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


@users_blp.route("/<user_id>/unlock")
class UserUnlock(MethodView):
    @require_roles(ADMIN)
    @users_blp.response(200, UserSchema)
    @users_blp.alt_response(404, description="No such user", **PROBLEM)
    def post(self, user_id: str) -> User:
        """Lift a sign-in lockout at once and reset the count of failed sign-ins."""
        with current_uow() as uow:
            return service.unlock(uow=uow, user_id=user_id)


@teams_blp.route("")
class TeamCollection(MethodView):
    @require_roles(ADMIN)
    @teams_blp.arguments(TeamQuerySchema, location="query")
    @teams_blp.response(200, page_schema(TeamSchema))
    def get(self, query: dict[str, Any]) -> Page:
        """List teams, a page at a time (filter: name)."""
        with current_uow() as uow:
            return teams.list_(uow=uow, query=query)

    @require_roles(ADMIN)
    @idempotent
    @teams_blp.arguments(TeamCreateSchema)
    @teams_blp.response(201, TeamSchema)
    @teams_blp.alt_response(409, description="The name is taken", **PROBLEM)
    def post(self, data: dict[str, Any]) -> tuple[Team, dict[str, str]]:
        """Create a team (assigning a user to a new team name creates it too)."""
        with current_uow() as uow:
            team = teams.create(uow=uow, data=data)
        return team, _team_headers(team, location=True)


@teams_blp.route("/<team_id>")
class TeamItem(MethodView):
    @require_roles(ADMIN)
    @teams_blp.response(200, TeamSchema)
    @teams_blp.alt_response(404, description="No such team", **PROBLEM)
    def get(self, team_id: str) -> tuple[Team, dict[str, str]]:
        """Read a team."""
        with current_uow() as uow:
            team = teams.get_or_raise(uow=uow, team_id=team_id)
        return team, _team_headers(team)

    @require_roles(ADMIN)
    @teams_blp.arguments(TeamUpdateSchema)
    @teams_blp.response(200, TeamSchema)
    @teams_blp.alt_response(412, description="The team changed since the If-Match version", **PROBLEM)
    def patch(self, data: dict[str, Any], team_id: str) -> tuple[Team, dict[str, str]]:
        """Change a team's description (send If-Match; the name is fixed)."""
        version = expected_version()
        with current_uow() as uow:
            team = teams.update(uow=uow, team_id=team_id, data=data, expected_version=version)
        return team, _team_headers(team)

    @require_roles(ADMIN)
    @teams_blp.response(204)
    @teams_blp.alt_response(409, description="Users still belong to the team", **PROBLEM)
    def delete(self, team_id: str) -> None:
        """Delete a team nobody belongs to (send If-Match)."""
        version = expected_version()
        with current_uow() as uow:
            teams.delete(uow=uow, team_id=team_id, expected_version=version)


@roles_blp.route("")
class RoleCollection(MethodView):
    @roles_blp.response(200, RoleListSchema)
    def get(self) -> dict[str, Any]:
        """The department roles, the resources and methods each may use, and the masked fields each sees."""
        table = rules.describe()
        items = [
            {
                "name": role,
                "access": table.get(role, {}),
                "sees_fields_of": [
                    rule.name for rule in MASK_RULES if role == ADMIN or role in rule.visible_to
                ],
            }
            for role in ROLES
        ]
        return {"items": items}


def _team_headers(team: Team, *, location: bool = False) -> dict[str, str]:
    headers = {"ETag": etag_for(team.version)}
    if location:
        headers["Location"] = url_for("teams.TeamItem", team_id=team.id)
    return headers


def _user_headers(user: User, *, location: bool = False) -> dict[str, str]:
    headers = {"ETag": etag_for(user.version)}
    if location:
        headers["Location"] = url_for("users.UserItem", user_id=user.id)
    return headers
