"""Applications and variants at the service level: types, commits, forks, resolution rules."""

from __future__ import annotations

import pytest

from agenta.core.registry import applications, variants
from agenta.core.registry.resolution import ConfigQuery, resolve
from agenta.core.revisions.references import Reference
from agenta.errors import AppError
from tests.core.registry.conftest import ScopeOf
from tests.support.accounts import Persona


async def test_a_built_in_app_starts_with_a_prompt_and_its_handler(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        chat = await applications.create_application(scope, slug="chat", app_type="chat")
        completion = await applications.create_application(scope, slug="completion")

    assert chat.application.flags["is_chat"] is True
    assert chat.revision is not None and chat.revision.data["uri"] == "agenta:builtin:chat:v0"
    assert completion.revision is not None
    assert "{{country}}" in str(completion.revision.data["parameters"]["prompt"])
    assert completion.revision.message == "Initial commit"


async def test_a_custom_app_keeps_its_url_and_refuses_a_non_http_one(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        custom = await applications.create_application(
            scope, slug="mine", app_type="custom", url="https://example.com/svc"
        )
        with pytest.raises(AppError, match="must be an http:// or https:// URL"):
            await applications.create_application(
                scope, slug="bad", app_type="custom", url="ftp://x"
            )

    assert custom.revision is not None
    assert custom.revision.data["url"] == "https://example.com/svc"
    assert custom.application.flags["is_custom"] is True


async def test_a_commit_keeps_the_data_keys_it_does_not_mention(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        head = await applications.create_application(scope, slug="bot")
        assert head.variant is not None
        revision = await variants.commit(
            scope, head.variant, data={"parameters": {"x": 1}}, message="tweak"
        )

    assert revision.data == {"uri": "agenta:builtin:completion:v0", "parameters": {"x": 1}}
    assert (revision.version, revision.message) == (2, "tweak")


async def test_committing_to_an_archived_variant_is_refused(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        head = await applications.create_application(scope, slug="bot")
        assert head.variant is not None
        await variants.set_variant_archived(scope, head.variant, True)
        with pytest.raises(AppError, match="is archived"):
            await variants.commit(scope, head.variant, data={})


async def test_a_fork_names_its_origin(scope_of: ScopeOf, owner: Persona) -> None:
    async with scope_of(owner) as scope:
        head = await applications.create_application(scope, slug="bot", variant_slug="main")
        assert head.revision is not None
        fork, first = await variants.fork(scope, head.revision, slug="try-2")

    assert first.message == "Forked from main v1"
    assert first.data == head.revision.data
    assert fork.forked_from_id == head.revision.id


async def test_the_application_alone_resolves_to_its_default_variant_s_latest(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        head = await applications.create_application(scope, slug="bot", variant_slug="main")
        other = await variants.create_variant(scope, head.application, slug="other")
        await variants.commit(scope, other, data={"parameters": {"o": 1}})
        assert head.variant is not None
        newest = await variants.commit(scope, head.variant, data={"parameters": {"m": 2}})
        resolved = await resolve(scope, ConfigQuery(application=Reference(slug="bot")))

    assert resolved is not None and resolved.revision.id == newest.id


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (ConfigQuery(), "give an application_ref"),
        (ConfigQuery(revision=Reference(version=2)), "needs an application_variant_ref"),
        (ConfigQuery(variant=Reference(slug="main")), "needs an application_ref"),
        (ConfigQuery(environment=Reference(slug="production")), "needs a key"),
        (
            ConfigQuery(environment=Reference(slug="production"), key="bot"),
            "key must look like",
        ),
    ],
)
async def test_incomplete_references_are_refused_naming_what_is_missing(
    scope_of: ScopeOf, owner: Persona, query: ConfigQuery, message: str
) -> None:
    async with scope_of(owner) as scope:
        with pytest.raises(AppError, match=message):
            await resolve(scope, query)


async def test_contradictory_references_are_refused(scope_of: ScopeOf, owner: Persona) -> None:
    async with scope_of(owner) as scope:
        head = await applications.create_application(scope, slug="bot")
        await applications.create_application(scope, slug="other")
        assert head.revision is not None
        query = ConfigQuery(
            application=Reference(slug="other"), revision=Reference(id=head.revision.id)
        )
        with pytest.raises(AppError, match="does not match"):
            await resolve(scope, query)
