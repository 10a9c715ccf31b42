"""The response cache: reuse a model's answer when the same question is asked again.

The key is a SHA-256 of the model, its call parameters and the rendered messages (the whole
request a provider would see, fallbacks included), so a cached answer is only reused for an
identical request. Entries are per project and keep the completion as the LLM layer returned it
(text, tool calls, usage, model, provider); a reuse costs nothing and says so in its cell.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluations.models import ResponseCacheEntry
from agenta.db import uuid7
from agenta.llm import CallPlan, Completion, Usage

_TABLE = ResponseCacheEntry.__table__


def cache_key(plan: CallPlan) -> str:
    """The hash of everything that decides a model's answer to ``plan``."""
    targets = [
        {"model": target.model.name, "params": target.config.call_params()}
        for target in plan.targets
    ]
    request = {"targets": targets, "messages": list(plan.messages)}
    encoded = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def completion_to_json(completion: Completion) -> dict[str, Any]:
    """A completion as stored in the cache."""
    return {
        "content": completion.content,
        "tool_calls": completion.tool_calls,
        "finish_reason": completion.finish_reason,
        "refusal": completion.refusal,
        "usage": completion.usage.to_dict(),
        "model": completion.model,
        "provider": completion.provider,
    }


def completion_from_json(data: dict[str, Any]) -> Completion:
    """A stored completion, as a reuse that cost nothing."""
    usage = data.get("usage") or {}
    return Completion(
        content=data.get("content"),
        tool_calls=list(data.get("tool_calls") or []),
        finish_reason=data.get("finish_reason"),
        refusal=data.get("refusal"),
        usage=Usage(
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
        ),
        model=str(data.get("model") or ""),
        provider=str(data.get("provider") or ""),
        cost=0.0,
    )


async def lookup(session: AsyncSession, project_id: uuid.UUID, key: str) -> Completion | None:
    """The cached answer under ``key``, if any."""
    found = await session.scalar(
        select(ResponseCacheEntry.completion).where(
            ResponseCacheEntry.project_id == project_id, ResponseCacheEntry.key == key
        )
    )
    return None if found is None else completion_from_json(found)


async def store(
    session: AsyncSession, project_id: uuid.UUID, key: str, completion: Completion
) -> None:
    """Keep ``completion`` under ``key`` (the first answer stored wins)."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    statement = insert(_TABLE).values(
        id=uuid7(),
        project_id=project_id,
        key=key,
        completion=completion_to_json(completion),
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=["project_id", "key"]))
