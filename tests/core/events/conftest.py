"""Fixtures of the events tests: a project to record events in, and a job context to publish."""

from __future__ import annotations

from uuid import UUID

import pytest

from agenta.jobs.registry import JobContext
from agenta.platform import Platform
from tests.support.accounts import Persona, make_user


@pytest.fixture
async def member(platform: Platform) -> Persona:
    return await make_user(platform, with_api_key=True)


@pytest.fixture
def project_id(member: Persona) -> UUID:
    return member.project_id


@pytest.fixture
def job_context(platform: Platform) -> JobContext:
    return JobContext(
        settings=platform.settings, db=platform.db, queue=platform.queue, redis=platform.redis
    )
