"""Reading what a log-in stored: users, their identities, organizations and log lines."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from agenta.core.accounts.models import OrganizationMember, User, UserIdentity
from agenta.logs import JSONFormatter
from agenta.platform import Platform


async def user_by_email(platform: Platform, email: str) -> User | None:
    async with platform.db.session() as session:
        return await session.scalar(select(User).where(User.email == email))


async def user_count(platform: Platform) -> int:
    async with platform.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def identities_of(platform: Platform, user_id: object) -> list[tuple[str, str]]:
    async with platform.db.session() as session:
        rows = await session.execute(
            select(UserIdentity.provider, UserIdentity.subject).where(
                UserIdentity.user_id == user_id
            )
        )
        return sorted((provider, subject) for provider, subject in rows)


async def roles_of(platform: Platform, user_id: object) -> list[str]:
    async with platform.db.session() as session:
        rows = await session.scalars(
            select(OrganizationMember.role).where(OrganizationMember.user_id == user_id)
        )
        return list(rows)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JSONFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every line the ``agenta`` loggers write meanwhile, formatted as in production."""
    handler = _Lines()
    root = logging.getLogger("agenta")
    root.addHandler(handler)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
