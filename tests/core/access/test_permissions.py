"""The role catalog: each role is the one below it plus its own rights."""

from __future__ import annotations

import itertools
from uuid import uuid4

import pytest

from agenta.core.access.permissions import (
    ROLE_ORDER,
    ROLES,
    Permission,
    parse_permission,
    parse_role,
    permissions_of,
)
from agenta.core.access.principal import Principal


def test_every_role_includes_every_weaker_role() -> None:
    for stronger, weaker in itertools.pairwise(ROLE_ORDER):
        assert ROLES[weaker] < ROLES[stronger], f"{stronger} must strictly include {weaker}"


def test_the_owner_has_every_permission() -> None:
    assert ROLES["owner"] == frozenset(Permission)


def test_a_viewer_sees_everything_and_runs_services_but_edits_nothing() -> None:
    viewer = ROLES["viewer"]
    assert Permission.RUN_SERVICE in viewer
    assert not any(str(p).startswith(("edit_", "deploy_")) for p in viewer)
    assert Permission.VIEW_API_KEYS not in viewer


@pytest.mark.parametrize(
    ("role", "granted", "refused"),
    [
        ("annotator", Permission.EDIT_ANNOTATIONS, Permission.EDIT_TESTSETS),
        ("editor", Permission.EDIT_TESTSETS, Permission.EDIT_API_KEYS),
        ("developer", Permission.DEPLOY_ENVIRONMENTS, Permission.EDIT_MEMBERS),
        ("admin", Permission.EDIT_MEMBERS, Permission.EDIT_ORGANIZATION),
    ],
)
def test_each_role_stops_where_the_next_one_starts(
    role: str, granted: Permission, refused: Permission
) -> None:
    assert granted in ROLES[role]
    assert refused not in ROLES[role]


def test_an_unknown_role_is_refused_with_the_valid_choices() -> None:
    with pytest.raises(ValueError, match="choose one of owner, admin"):
        parse_role("superuser")
    assert permissions_of("superuser") == frozenset()
    assert parse_role(" Editor ") == "editor"


def test_an_unknown_permission_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="'edit_everything'"):
        parse_permission("edit_everything")


def test_a_principal_can_what_its_permissions_grant() -> None:
    principal = Principal(
        user_id=uuid4(),
        project_id=uuid4(),
        workspace_id=uuid4(),
        organization_id=uuid4(),
        role="viewer",
        permissions=ROLES["viewer"],
        via="session",
    )
    assert principal.can("view_testsets")
    assert not principal.can(Permission.EDIT_TESTSETS)
