"""Saved evaluator configurations: checked settings, versions, lookups and archiving."""

from __future__ import annotations

import pytest

from agenta.core.evaluators import configs
from agenta.core.revisions.references import Reference
from agenta.errors import AppError, Conflict
from agenta.platform import Platform
from tests.support.accounts import Persona


async def create(platform: Platform, owner: Persona, slug: str, key: str, **settings: object):
    async with platform.db.session() as session:
        return await configs.create_config(
            session,
            owner.project_id,
            owner.user_id,
            slug=slug,
            data=configs.builtin_data(key, settings),
        )


async def test_a_configuration_stores_its_checked_settings_with_defaults(
    platform: Platform, owner: Persona
) -> None:
    config = await create(platform, owner, "starts-p", "auto_regex_test", regex_pattern="^P")
    assert config.uri == "agenta:builtin:auto_regex_test:v0"
    assert config.key == "auto_regex_test"
    assert config.settings == {
        "regex_pattern": "^P",
        "regex_should_match": True,
        "case_sensitive": True,
    }
    assert config.revision.version == 1


async def test_a_bad_setting_is_refused_naming_it(platform: Platform, owner: Persona) -> None:
    with pytest.raises(AppError) as refused:
        await create(platform, owner, "broken", "auto_regex_test", regex_pattern="(")
    assert refused.value.detail.startswith("setting 'regex_pattern'")
    with pytest.raises(AppError, match="'nope' is not a built-in evaluator"):
        await create(platform, owner, "nope", "nope")


async def test_new_settings_make_a_new_version_and_old_ones_stay_readable(
    platform: Platform, owner: Persona
) -> None:
    first = await create(platform, owner, "starts-p", "auto_regex_test", regex_pattern="^P")
    async with platform.db.session() as session:
        second = await configs.commit_config(
            session,
            first,
            owner.user_id,
            data=configs.builtin_data("auto_regex_test", {"regex_pattern": "^Q"}),
            message="stricter",
        )
        old = await configs.config_at(session, owner.project_id, first.revision.id)
        latest = await configs.find_config(session, owner.project_id, Reference(slug="starts-p"))
        history = await configs.history(session, second)
    assert second.revision.version == 2
    assert old is not None and old.settings["regex_pattern"] == "^P"
    assert latest is not None and latest.settings["regex_pattern"] == "^Q"
    assert [revision.message for revision in history] == ["stricter", "Created"]


async def test_slugs_are_unique_per_project(
    platform: Platform, owner: Persona, outsider: Persona
) -> None:
    await create(platform, owner, "exact", "auto_exact_match")
    await create(platform, outsider, "exact", "auto_exact_match")
    with pytest.raises(Conflict):
        await create(platform, owner, "exact", "auto_exact_match")


async def test_archived_configurations_leave_the_list_but_resolve_by_id(
    platform: Platform, owner: Persona
) -> None:
    created = await create(platform, owner, "exact", "auto_exact_match")
    async with platform.db.session() as session:
        config = await configs.get_config(session, owner.project_id, created.id)
        await configs.set_archived(session, config, True, owner.user_id)
        listed = await configs.list_configs(session, owner.project_id)
        found = await configs.get_config(session, owner.project_id, config.id)
    assert listed == []
    assert found.slug == "exact"


async def test_a_client_side_evaluator_is_stored_as_given_but_cannot_run_on_the_server(
    platform: Platform, owner: Persona
) -> None:
    data = {"uri": "user:custom:module.judge:latest", "schemas": {"outputs": {"type": "object"}}}
    async with platform.db.session() as session:
        config = await configs.create_config(
            session, owner.project_id, owner.user_id, slug="mine", data=data
        )
    assert not config.is_builtin and config.key == "user:custom:module.judge:latest"
    with pytest.raises(AppError, match="runs on the client"):
        config.builtin()
