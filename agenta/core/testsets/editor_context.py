"""Everything the editor page and its fragments need, gathered in one ``EditorState``.

The editor shows one revision: the latest by default, an older one with ``?version=`` (read
only). On the latest revision a user who may edit works through their draft: the page lays the
draft over the stored rows. A draft made on a revision that is no longer the latest is stale: it
is shown with a way to discard it, and editing waits until it is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.testsets import browsing, editing, revisions
from agenta.core.testsets.changes import Changes, RowRef, Shape
from agenta.core.testsets.editor_view import RowView, added_row_views, base_row_view
from agenta.core.testsets.models import Testset, TestsetRevision
from agenta.core.testsets.storage import rows_at
from agenta.errors import AppError

PAGE_SIZE = 50


@dataclass
class EditorState:
    """One user's view of one test set revision, and their draft on it if they edit."""

    testset: Testset
    revision: TestsetRevision | None
    can_edit: bool
    draft: editing.Draft | None = None
    offset: int = 0
    search: str = ""
    error: str | None = None
    rows: list[RowView] = field(default_factory=list)
    added: list[RowView] = field(default_factory=list)
    page: browsing.RowPage | None = None

    @property
    def is_head(self) -> bool:
        return self.revision is None or self.revision.version == self.testset.head_version

    @property
    def editing(self) -> bool:
        """True when the user edits through a draft that applies to the latest revision."""
        return self.draft is not None and not self.draft.is_stale

    @property
    def changes(self) -> Changes | None:
        return self.draft.changes if self.editing and self.draft else None

    @property
    def shape(self) -> Shape:
        return editing.shape_of(self.revision)

    @property
    def columns(self) -> list[str]:
        if self.changes is not None:
            return self.changes.columns(self.shape)
        return list(self.revision.columns) if self.revision else []

    @property
    def answer_column(self) -> str:
        if self.changes is not None:
            return self.changes.answer(self.shape)
        return self.shape.answer_column

    @property
    def state_values(self) -> dict[str, Any]:
        """What htmx sends back with every action, to re-render the same page."""
        return {"offset": self.offset, "q": self.search}


async def load_state(
    session: AsyncSession,
    testset: Testset,
    principal: Principal,
    *,
    version: str | None = None,
    offset: int = 0,
    search: str = "",
) -> EditorState:
    """The editor's state for ``principal`` (rows not loaded yet: see ``load_rows``)."""
    wanted = revisions.parse_version(version)
    revision = (
        await revisions.get_revision(session, testset, wanted) if testset.head_version else None
    )
    state = EditorState(
        testset,
        revision,
        can_edit=principal.can(Permission.EDIT_TESTSETS) and principal.user_id is not None,
        offset=max(0, offset),
        search=search.strip(),
    )
    if state.can_edit and state.is_head and principal.user_id is not None:
        state.draft = await editing.load_draft(session, testset, principal.user_id)
    return state


async def load_rows(session: AsyncSession, state: EditorState) -> EditorState:
    """Fill in the page of rows the state points at."""
    if state.revision is None:
        return state
    state.page = await browsing.read_page(
        session, state.revision, offset=state.offset, limit=PAGE_SIZE, search=state.search
    )
    columns = state.columns
    state.rows = [base_row_view(row, columns, state.changes) for row in state.page.rows]
    if not state.search:
        state.added = added_row_views(state.changes, columns)
    return state


async def current_value(session: AsyncSession, state: EditorState, ref: RowRef, column: str) -> Any:
    """The value a cell holds in the user's draft (``None`` when the row lacks it)."""
    return (await row_data(session, state, ref)).get(column)


async def row_data(session: AsyncSession, state: EditorState, ref: RowRef) -> dict[str, Any]:
    """A row as the draft sees it."""
    changes = state.changes or Changes()
    if ref.new:
        if not 0 <= ref.index < len(changes.added_rows):
            raise AppError(f"There is no added row {ref}")
        return changes.added_rows[ref.index]
    if state.revision is None:
        raise AppError(f"There is no row {ref.index}")
    stored = (await rows_at(session, state.revision.id, [ref.index])).get(ref.index)
    if stored is None:
        raise AppError(f"There is no row {ref.index}")
    return changes.apply_row(ref.index, stored.data) or {}
