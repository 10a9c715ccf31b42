"""Permissions and the roles that bundle them.

Every route declares the permission it needs (``requires(Permission.EDIT_TESTSETS)``); a member's
role in the organization that owns the project in scope decides whether they have it. The role
catalog follows the original product: each role is the one below it plus a few more rights, so
the sets are built by accumulation and can never drift apart.

- ``viewer``: view everything, and run services (the playground and served workflows).
- ``annotator``: viewer + edit annotations, evaluation runs and spans.
- ``editor``: annotator + edit applications, test sets, evaluators, secrets and webhooks.
- ``developer``: editor + API keys, environments (edit and deploy) and the event log.
- ``admin``: developer + members and project settings.
- ``owner``: everything, including the organization itself.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """One right a role can grant; the value is the name used in routes, logs and messages."""

    VIEW_APPLICATIONS = "view_applications"
    EDIT_APPLICATIONS = "edit_applications"
    RUN_SERVICE = "run_service"
    VIEW_ENVIRONMENTS = "view_environments"
    EDIT_ENVIRONMENTS = "edit_environments"
    DEPLOY_ENVIRONMENTS = "deploy_environments"
    VIEW_TESTSETS = "view_testsets"
    EDIT_TESTSETS = "edit_testsets"
    VIEW_EVALUATORS = "view_evaluators"
    EDIT_EVALUATORS = "edit_evaluators"
    VIEW_EVALUATION_RUNS = "view_evaluation_runs"
    EDIT_EVALUATION_RUNS = "edit_evaluation_runs"
    VIEW_ANNOTATIONS = "view_annotations"
    EDIT_ANNOTATIONS = "edit_annotations"
    VIEW_SPANS = "view_spans"
    EDIT_SPANS = "edit_spans"
    VIEW_SECRETS = "view_secrets"
    EDIT_SECRETS = "edit_secrets"
    VIEW_API_KEYS = "view_api_keys"
    EDIT_API_KEYS = "edit_api_keys"
    VIEW_WEBHOOKS = "view_webhooks"
    EDIT_WEBHOOKS = "edit_webhooks"
    VIEW_EVENTS = "view_events"
    VIEW_MEMBERS = "view_members"
    EDIT_MEMBERS = "edit_members"
    EDIT_PROJECT = "edit_project"
    EDIT_ORGANIZATION = "edit_organization"


P = Permission

_VIEWER = frozenset(
    {
        P.VIEW_APPLICATIONS,
        P.RUN_SERVICE,
        P.VIEW_ENVIRONMENTS,
        P.VIEW_TESTSETS,
        P.VIEW_EVALUATORS,
        P.VIEW_EVALUATION_RUNS,
        P.VIEW_ANNOTATIONS,
        P.VIEW_SPANS,
        P.VIEW_SECRETS,
        P.VIEW_WEBHOOKS,
        P.VIEW_MEMBERS,
    }
)
_ANNOTATOR = _VIEWER | {P.EDIT_ANNOTATIONS, P.EDIT_EVALUATION_RUNS, P.EDIT_SPANS}
_EDITOR = _ANNOTATOR | {
    P.EDIT_APPLICATIONS,
    P.EDIT_TESTSETS,
    P.EDIT_EVALUATORS,
    P.EDIT_SECRETS,
    P.EDIT_WEBHOOKS,
}
_DEVELOPER = _EDITOR | {
    P.VIEW_API_KEYS,
    P.EDIT_API_KEYS,
    P.VIEW_ENVIRONMENTS,
    P.EDIT_ENVIRONMENTS,
    P.DEPLOY_ENVIRONMENTS,
    P.VIEW_EVENTS,
}
_ADMIN = _DEVELOPER | {P.EDIT_MEMBERS, P.EDIT_PROJECT}
_OWNER = frozenset(Permission)

ROLES: dict[str, frozenset[Permission]] = {
    "owner": _OWNER,
    "admin": frozenset(_ADMIN),
    "developer": frozenset(_DEVELOPER),
    "editor": frozenset(_EDITOR),
    "annotator": frozenset(_ANNOTATOR),
    "viewer": _VIEWER,
}

# Strongest first: the order pages list roles in, and the order "at least this role" compares by.
ROLE_ORDER: tuple[str, ...] = ("owner", "admin", "developer", "editor", "annotator", "viewer")

ROLE_DESCRIPTIONS: dict[str, str] = {
    "owner": "Everything, including the organization itself.",
    "admin": "Developer rights plus managing members and project settings.",
    "developer": "Editor rights plus API keys, environments, deployments and events.",
    "editor": "Edits applications, test sets, evaluators, secrets and webhooks.",
    "annotator": "Annotates traces and runs evaluations.",
    "viewer": "Sees everything and runs the playground.",
}


def permissions_of(role: str) -> frozenset[Permission]:
    """The permissions of ``role``; an unknown role has none (it is never an error at runtime)."""
    return ROLES.get(role, frozenset())


def parse_role(name: str) -> str:
    """Validate a role name given by a user; the error lists the valid ones."""
    role = name.strip().lower()
    if role not in ROLES:
        raise ValueError(f"unknown role {name!r}: choose one of {', '.join(ROLE_ORDER)}")
    return role


def parse_permission(name: Permission | str) -> Permission:
    """Validate a permission name; the error says which name is unknown."""
    try:
        return Permission(name)
    except ValueError:
        raise ValueError(f"unknown permission {name!r}") from None
