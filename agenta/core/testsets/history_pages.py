"""A test set's revision history, and the diff of two revisions.

- ``GET /testsets/{id}/history``: every revision with its message, author, date and size, links
  to view or download it, and a form to compare two of them;
- ``GET /testsets/{id}/diff?from=1&to=3``: added, removed and changed rows (the changed cells
  side by side) and the column changes, up to ``SHOWN_ROWS`` rows of each kind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.models import User
from agenta.core.testsets import browsing, revisions, testsets
from agenta.core.testsets.editor_view import as_text
from agenta.core.testsets.page_helpers import render

VIEW = [requires(Permission.VIEW_TESTSETS)]
SHOWN_ROWS = 200


async def author_names(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[Any, str]:
    """A display name (name, else email) for each user id."""
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return {}
    result = await session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(wanted))
    )
    return {user_id: name or email for user_id, name, email in result}


@get("/testsets/{testset_id:uuid}/history", guards=VIEW, include_in_schema=False)
async def history_page(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> Template:
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    found = await revisions.list_revisions(db_session, testset)
    authors = await author_names(db_session, (revision.created_by_id for revision in found))
    return render(request, "history.html", testset=testset, revisions=found, authors=authors)


@get("/testsets/{testset_id:uuid}/diff", guards=VIEW, include_in_schema=False)
async def diff_page(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
    from_version: FromQuery[int] = 0,
    to_version: FromQuery[int] = 0,
) -> Template:
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    newest = testset.head_version
    new_version = to_version or newest
    old_version = from_version or max(1, new_version - 1)
    compared = await browsing.compare_versions(db_session, testset, old_version, new_version)
    return render(
        request,
        "diff.html",
        testset=testset,
        compared=compared,
        renamed_back={new: old for old, new in compared.diff.renamed_columns.items()},
        shown=SHOWN_ROWS,
        versions=list(range(newest, 0, -1)),
        as_text=as_text,
    )


ROUTES = [history_page, diff_page]
