"""Isolation samples for the alert routes (see ``tests/core/access/route_table.py``)."""

from __future__ import annotations

from agenta.core.alerts.rules import AlertRuleInput, create_rule
from agenta.platform import Platform
from tests.support.accounts import Persona


async def rule_id(platform: Platform, owner: Persona) -> str:
    async with platform.db.session() as session:
        rule = await create_rule(
            session,
            owner.project_id,
            AlertRuleInput(name="owner rule", metric="error_rate", threshold=0.5),
            owner.user_id,
        )
    return str(rule.id)


SAMPLES = {"rule_id": rule_id}
