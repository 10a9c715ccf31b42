"""Annotating a trace from its page: a score, a label and a comment, by a person.

`POST /observability/traces/{trace_id}/annotate` takes the form of the trace page (the span
to annotate, default the root; the evaluator name the feedback is filed under; a score, a
label and a comment, at least one of them) and stores it through the annotations service as
a human annotation from the web, `{"outputs": {"score", "label", "comment"}}`, linked to the
span. The page shows it at once (annotations are written directly, not queued).
"""

from __future__ import annotations

import math
import re
from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import form_data
from agenta.core.tracing.annotations import AnnotationError, create_annotation
from agenta.core.tracing.pages_support import back_to
from agenta.core.tracing.query import get_trace
from agenta.errors import NotFound

ANNOTATE = [requires(Permission.VIEW_SPANS, Permission.EDIT_ANNOTATIONS)]
DEFAULT_EVALUATOR = "human-feedback"
MAX_LABEL = 200
MAX_COMMENT = 10_000
_SLUG = re.compile(r"^[a-zA-Z0-9_\-][a-zA-Z0-9_.\-]{0,99}$")


def annotation_fields(form: dict[str, str], trace_id: str) -> dict[str, Any]:
    """The annotations service's fields for a submitted form; `AnnotationError` if unusable."""
    evaluator = form.get("evaluator", "").strip() or DEFAULT_EVALUATOR
    if not _SLUG.match(evaluator):
        raise AnnotationError(
            f"evaluator must be a short name of letters, digits, '-', '_' or '.', got {evaluator!r}"
        )
    outputs: dict[str, Any] = {}
    if score := form.get("score", "").strip():
        outputs["score"] = _score(score)
    if label := form.get("label", "").strip():
        outputs["label"] = _bounded(label, MAX_LABEL, "label")
    if comment := form.get("comment", "").strip():
        outputs["comment"] = _bounded(comment, MAX_COMMENT, "comment")
    if not outputs:
        raise AnnotationError("give a score, a label or a comment")
    link: dict[str, Any] = {"trace_id": trace_id}
    if span_id := form.get("span_id", "").strip():
        link["span_id"] = span_id
    return {
        "data": {"outputs": outputs},
        "references": {"evaluator": {"slug": evaluator}},
        "links": {"invocation": link},
        "origin": "human",
        "kind": "adhoc",
        "channel": "web",
    }


def _score(text: str) -> float | int:
    try:
        value = float(text)
    except ValueError:
        raise AnnotationError(f"score must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise AnnotationError(f"score must be a finite number, got {text!r}")
    return int(value) if value.is_integer() else value


def _bounded(text: str, limit: int, name: str) -> str:
    if len(text) > limit:
        raise AnnotationError(f"{name} is longer than {limit:,} characters")
    return text


@post(
    "/observability/traces/{trace_id:str}/annotate",
    guards=ANNOTATE,
    include_in_schema=False,
)
async def annotate_trace(
    request: Request[Any, Any, Any],
    trace_id: FromPath[str],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    tree = await get_trace(db_session, principal.project_id, trace_id)
    if tree is None:
        raise NotFound(f"No trace {trace_id} in this project")
    path = f"/observability/traces/{tree.trace_id}"
    form = await form_data(request)
    try:
        span_id = form.get("span_id", "").strip()
        if span_id and span_id not in {span.span_id for span in tree.spans()}:
            raise AnnotationError(f"the trace has no span {span_id!r}")
        fields = annotation_fields(form, tree.trace_id)
        await create_annotation(db_session, principal.project_id, fields, principal.user_id)
    except AnnotationError as error:
        await db_session.rollback()
        return back_to(path, error=f"Not annotated: {error}")
    return back_to(path, notice="Annotation saved")


ROUTES = [annotate_trace]
