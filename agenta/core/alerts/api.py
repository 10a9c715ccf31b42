"""REST API of alert rules (``/api/alerts/rules``) and their firing history.

Reading needs ``view_spans`` (whoever sees traces sees the alerts on them); changing needs
``edit_webhooks`` (whoever configures where notifications go configures what triggers them).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.alerts import rules
from agenta.core.alerts.rules import AlertRuleInput
from agenta.core.alerts.views import firing_view, rule_view

VIEW = [requires(Permission.VIEW_SPANS)]
EDIT = [requires(Permission.EDIT_WEBHOOKS)]
BASE = "/api/alerts/rules"
ONE = BASE + "/{rule_id:uuid}"
TAGS = ["alerts"]


@get(BASE, guards=VIEW, tags=TAGS)
async def list_alert_rules(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> list[dict[str, Any]]:
    """The project's alert rules with their state."""
    return [rule_view(rule) for rule in await rules.list_rules(db_session, principal.project_id)]


@post(BASE, guards=EDIT, tags=TAGS, status_code=201)
async def create_alert_rule(
    data: JSONBody[AlertRuleInput],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """A new rule, evaluated from the next minute on."""
    rule = await rules.create_rule(db_session, principal.project_id, data, principal.user_id)
    return rule_view(rule)


@get(ONE, guards=VIEW, tags=TAGS)
async def read_alert_rule(
    rule_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """One rule with its latest firings."""
    rule = await rules.get_rule(db_session, principal.project_id, rule_id)
    history = await rules.firing_history(db_session, principal.project_id, rule.id)
    return {**rule_view(rule), "firings": [firing_view(f) for f in history]}


@put(ONE, guards=EDIT, tags=TAGS)
async def replace_alert_rule(
    rule_id: FromPath[UUID],
    data: JSONBody[AlertRuleInput],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Replace a rule's settings."""
    rule = await rules.get_rule(db_session, principal.project_id, rule_id)
    await rules.update_rule(db_session, rule, data, principal.user_id)
    return rule_view(rule)


@delete(ONE, guards=EDIT, tags=TAGS)
async def delete_alert_rule(
    rule_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> None:
    """Delete a rule and its history."""
    rule = await rules.get_rule(db_session, principal.project_id, rule_id)
    await rules.delete_rule(db_session, rule)


ROUTES = [
    list_alert_rules,
    create_alert_rule,
    read_alert_rule,
    replace_alert_rule,
    delete_alert_rule,
]
