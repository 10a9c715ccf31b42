"""Isolation samples for the tracing routes (see ``tests/core/access/route_table.py``).

``trace_id`` is one of the owner's invocation traces (read-backs, trace pages); the
annotation routes get the trace id of an annotation of that trace.
"""

from __future__ import annotations

from agenta.core.tracing.annotations import create_annotation
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import llm_trace
from tests.support.accounts import Persona


async def trace_id(platform: Platform, owner: Persona) -> str:
    spans = llm_trace(root_attributes={"ag.data.inputs.secret": "owner-only"})
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, spans)
    return spans[0].trace_id


async def annotation_trace_id(platform: Platform, owner: Persona) -> str:
    invocation = await trace_id(platform, owner)
    async with platform.db.session() as session:
        record = await create_annotation(
            session,
            owner.project_id,
            {"data": {"outputs": {"score": 1}}, "links": {"invocation": {"trace_id": invocation}}},
        )
    return str(record["trace_id"])


SAMPLES = {
    "trace_id": trace_id,
    "/api/annotations/{trace_id:str}#trace_id": annotation_trace_id,
    "/api/simple/traces/{trace_id:str}#trace_id": annotation_trace_id,
}
