"""Isolation samples for the online evaluation routes (see ``tests/core/access/route_table.py``)."""

from __future__ import annotations

from agenta.core.evaluators.configs import builtin_data, create_config
from agenta.core.online.rules import RuleInput, create_rule
from agenta.platform import Platform
from tests.core.evaluations.conftest import principal_of
from tests.support.accounts import Persona


async def online_rule_id(platform: Platform, owner: Persona) -> str:
    async with platform.db.session() as session:
        config = await create_config(
            session,
            owner.project_id,
            owner.user_id,
            slug="owner-regex",
            data=builtin_data("auto_regex_test", {"regex_pattern": "owner"}),
        )
        rule = await create_rule(
            session,
            principal_of(owner),
            RuleInput(name="owner rule", evaluator_ids=[config.id]),
        )
    return str(rule.id)


SAMPLES = {"online_rule_id": online_rule_id}
