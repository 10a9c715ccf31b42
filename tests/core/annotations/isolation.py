"""Isolation samples for the annotation queue routes (see ``tests/core/access/route_table.py``)."""

from __future__ import annotations

from agenta.core.annotations.models import TESTCASE
from agenta.core.annotations.queues import ItemInput, QueueInput, add_items, create_queue
from agenta.platform import Platform
from tests.support.accounts import Persona


async def _queue_with_item(platform: Platform, owner: Persona) -> tuple[str, str]:
    async with platform.db.session() as session:
        queue = await create_queue(
            session,
            owner.project_id,
            owner.organization_id,
            QueueInput(name="owner queue"),
            owner.user_id,
        )
        [item] = await add_items(
            session, queue, [ItemInput(kind=TESTCASE, content={"inputs": {"q": "owner"}})]
        )
    return str(queue.id), str(item.id)


async def queue_id(platform: Platform, owner: Persona) -> str:
    return (await _queue_with_item(platform, owner))[0]


async def queue_item_id(platform: Platform, owner: Persona) -> str:
    return (await _queue_with_item(platform, owner))[1]


SAMPLES = {"queue_id": queue_id, "queue_item_id": queue_item_id}
