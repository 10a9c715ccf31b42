"""A project seeded for the annotation browser tests, and the real server they drive.

``seed_annotation_project`` writes, with the features' own services: an owner with an API key,
two annotators (all with the suite's password), three failing traces and one good one, two apps
(``right`` answers the reference, ``wrong`` answers "no idea") and the capitals test set.
``annotation_server`` starts ``agenta serve`` on that database with the fake LLM server as its
provider, so runs made through the API really execute.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from agenta.core.registry.applications import create_application
from agenta.core.registry.scope import Scope
from agenta.core.testsets.revisions import commit_revision, content_from_rows
from agenta.core.testsets.testsets import create_testset
from agenta.db import Database
from tests.conftest import TEST_SECRET_KEY
from tests.core.annotations.traces import store_trace
from tests.core.evaluations.conftest import CAPITALS, echo_prompt
from tests.core.evaluations.stack import FakeLLMProcess
from tests.support.accounts import Persona, make_project_member, make_user
from tests.support.processes import ServerProcess, base_env


@dataclass(frozen=True)
class AnnotationProject:
    """What ``seed_annotation_project`` stored."""

    owner: Persona
    ada: Persona
    bob: Persona
    failing_traces: tuple[str, ...]
    right: uuid.UUID
    wrong: uuid.UUID
    testset_revision_id: uuid.UUID


async def seed_annotation_project(database_url: str) -> AnnotationProject:
    """Seed the project (see the module docstring)."""
    db = Database.unpooled(database_url)
    try:
        owner = await make_user(db, with_api_key=True, name="Owner")
        ada = await make_project_member(db, owner.project_id, role="annotator", email="ada@ex.org")
        bob = await make_project_member(db, owner.project_id, role="annotator", email="bob@ex.org")
        failing = [
            await store_trace(db, owner.project_id, question=f"question {n}", error=True)
            for n in range(3)
        ]
        await store_trace(db, owner.project_id, question="a good one")
        async with db.session() as session:
            scope = Scope(session=session, project_id=owner.project_id, actor_id=owner.user_id)
            revisions = {}
            for slug, template in (("right", "{{correct_answer}}"), ("wrong", "no idea")):
                data = {"parameters": {"prompt": echo_prompt(template)}}
                head = await create_application(scope, slug=slug, data=data)
                assert head.revision is not None
                revisions[slug] = head.revision.id
            testset = await create_testset(
                session, owner.project_id, name="capitals", actor=owner.user_id
            )
            revision = await commit_revision(
                session,
                testset,
                content_from_rows(testset.id, CAPITALS),
                message="rows",
                actor=owner.user_id,
                max_rows=1000,
            )
        return AnnotationProject(
            owner, ada, bob, tuple(failing), revisions["right"], revisions["wrong"], revision.id
        )
    finally:
        await db.dispose()


@contextmanager
def annotation_server(database_url: str, folder: Path) -> Iterator[ServerProcess]:
    """``agenta serve`` on ``database_url``, its provider the fake LLM server."""
    fake = FakeLLMProcess(folder / "llm.log").start()
    env = base_env(
        AGENTA_DATA_DIR=str(folder / "data"),
        AGENTA_DATABASE_URL=database_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
        AGENTA_HTMX_CDN_URL="off",
        **fake.env(),
    )
    server = ServerProcess(env, folder / "serve.log").start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
        fake.stop()


async def run_both_apps(url: str, project: AnnotationProject) -> str:
    """Run both apps on the capitals through the API; waits until the run has finished."""
    assert project.owner.api_key is not None
    headers = {"Authorization": f"ApiKey {project.owner.api_key}"}
    body: dict[str, Any] = {
        "testset_revision_id": str(project.testset_revision_id),
        "applications": [
            {"revision_id": str(project.right)},
            {"revision_id": str(project.wrong)},
        ],
    }
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        created = await http.post("/api/evaluations/runs/", json={"run": body})
        created.raise_for_status()
        run_id = str(created.json()["run"]["id"])
        async with asyncio.timeout(60):
            while True:
                run = (await http.get(f"/api/evaluations/runs/{run_id}")).json()["run"]
                if run["status"] not in ("pending", "running"):
                    assert run["status"] == "succeeded", run
                    return run_id
                await asyncio.sleep(0.1)
