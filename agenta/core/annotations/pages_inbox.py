"""The inbox: one item at a time, scored from the keyboard, then on to the next.

- ``GET /annotations/{id}/inbox``: the caller's next unreviewed item (``?item=`` shows any item
  of their inbox, reviewed ones with their answers filled in, to change them);
- ``POST /annotations/{id}/inbox/{item}``: save the review and go to the next unreviewed item.

The page works without JavaScript (radio buttons, a submit button, previous/next links); a small
inline script adds the keys: 1-9 pick the n-th choice or scale point of the active question (and
move to the next question), y/n answer a yes/no question, Enter submits (Ctrl+Enter from a text
box), j/k go to the next/previous item. In an A/B queue the two outputs are shown as Response 1
and Response 2 in the order ``ab.b_shown_first`` gives this reviewer; 1, 2 and 3 vote first,
second or tie. Both routes need ``edit_annotations``.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.annotations import queues
from agenta.core.annotations.ab import FIRST, SECOND, TIE, b_shown_first, shown_order
from agenta.core.annotations.inbox import Inbox, inbox
from agenta.core.annotations.models import AB, AnnotationQueue, QueueItem, QueueReview
from agenta.core.annotations.page_forms import review_form
from agenta.core.annotations.reviews import ReviewInput, may_review, review_of, submit_review
from agenta.core.annotations.views import shown_pair
from agenta.core.evaluations.page_support import back_to, form_lists, render
from agenta.core.tracing.pages_payloads import payload_sections
from agenta.errors import AppError

EDIT = [requires(Permission.EDIT_ANNOTATIONS)]


@get("/annotations/{queue_id:uuid}/inbox", guards=EDIT, include_in_schema=False)
async def inbox_page(
    request: Request[Any, Any, Any],
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    user_id = _user(principal)
    mine = await inbox(db_session, queue, user_id)
    wanted = request.query_params.get("item")
    item_id = _item_id(wanted) if wanted else mine.next_item()
    item = await queues.get_item(db_session, queue, item_id) if item_id else None
    context = await _item_context(db_session, queue, item, user_id, mine) if item else {}
    return render(request, "annotations/inbox.html", queue=queue, mine=mine, **context)


@post(
    "/annotations/{queue_id:uuid}/inbox/{queue_item_id:uuid}", guards=EDIT, include_in_schema=False
)
async def submit_from_inbox(
    request: Request[Any, Any, Any],
    queue_id: FromPath[uuid.UUID],
    queue_item_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    item = await queues.get_item(db_session, queue, queue_item_id)
    form, lists = await form_lists(request)
    path = f"/annotations/{queue.id}/inbox"
    data = ReviewInput(
        answers=review_form(queues.human_evaluators(queue), lists) if queue.kind != AB else {},
        vote=form.get("vote") or None,
        note=form.get("note"),
        channel="web",
    )
    try:
        await submit_review(db_session, queue, item, _user(principal), data)
    except AppError as error:
        query = urlencode({"item": str(item.id), "error": error.detail})
        return Redirect(f"{path}?{query}", status_code=303)
    return back_to(path, notice=f"Item {item.position + 1} saved")


async def _item_context(
    session: AsyncSession,
    queue: AnnotationQueue,
    item: QueueItem,
    user_id: uuid.UUID,
    mine: Inbox,
) -> dict[str, Any]:
    review = await review_of(session, item, user_id)
    before, after = mine.around(item.id)
    base = f"/annotations/{queue.id}/inbox?item="
    context: dict[str, Any] = {
        "item": item,
        "review": review,
        "can_review": await may_review(session, queue, item, user_id),
        "index": mine.index_of(item.id),
        "previous_url": f"{base}{before}" if before else None,
        "next_url": f"{base}{after}" if after else None,
        "inputs": payload_sections(item.content.get("inputs")),
        "reference": item.content.get("reference"),
    }
    if queue.kind == AB:
        context.update(_pair_context(queue, item, user_id, review))
    else:
        context["outputs"] = payload_sections(item.content.get("outputs"))
        context["evaluators"] = queues.human_evaluators(queue)
        context["answers"] = review.answers if review else {}
    return context


def _pair_context(
    queue: AnnotationQueue, item: QueueItem, user_id: uuid.UUID, review: QueueReview | None
) -> dict[str, Any]:
    shown = shown_pair(item, user_id)
    swapped = b_shown_first(queue.id, item.id, user_id)
    chosen = None
    if review is not None and review.vote:
        first, _ = shown_order(swapped)
        chosen = TIE if review.vote == TIE else FIRST if review.vote == first else SECOND
    return {
        "first": payload_sections(shown["first"]),
        "second": payload_sections(shown["second"]),
        "chosen": chosen,
    }


def _item_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise AppError(f"item must be an item id, got {raw!r}") from None


def _user(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise AppError("the inbox belongs to a person: log in as one", status_code=403)
    return principal.user_id


ROUTES = [inbox_page, submit_from_inbox]
