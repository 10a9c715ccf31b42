"""References and slugs as clients send them: string or integer versions, clear refusals."""

from __future__ import annotations

import uuid

import pytest

from agenta.core.revisions.references import ReferenceBody, parse_version, to_reference
from agenta.core.revisions.slugs import validate_slug
from agenta.errors import AppError


def test_a_version_may_be_a_string_or_an_integer() -> None:
    assert parse_version("3", "ref.version") == 3
    assert parse_version(3, "ref.version") == 3
    assert parse_version("", "ref.version") is None


def test_a_version_that_is_not_a_number_is_refused_naming_the_field() -> None:
    with pytest.raises(AppError, match=r"application_revision_ref\.version must be a version"):
        parse_version("latest", "application_revision_ref.version")


def test_an_empty_reference_means_no_reference() -> None:
    assert to_reference(ReferenceBody(), "application_ref") is None
    assert to_reference(None, "application_ref") is None


def test_a_reference_keeps_its_id_slug_and_version() -> None:
    ref_id = uuid.uuid4()

    found = to_reference(ReferenceBody(id=ref_id, slug="app", version="2"), "application_ref")

    assert found is not None
    assert (found.id, found.slug, found.version) == (ref_id, "app", 2)


@pytest.mark.parametrize("slug", ["my-app", "app_2", "v1.2", "-x"])
def test_slugs_follow_the_sdk_pattern(slug: str) -> None:
    assert validate_slug(slug, "application.slug") == slug


@pytest.mark.parametrize("slug", [".hidden", "has space", "é", ""])
def test_an_invalid_slug_is_refused_naming_the_field(slug: str) -> None:
    with pytest.raises(AppError, match=r"application\.slug"):
        validate_slug(slug, "application.slug")
