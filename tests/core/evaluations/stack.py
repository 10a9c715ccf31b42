"""A real evaluation stack for end-to-end tests and the benchmark: processes and seeded data.

- ``FakeLLMProcess``: the fake OpenAI/Anthropic server as its own process (``--latency``), so
  a killed Agenta process never takes it down; ``request_count()`` asks it how many calls it got.
- ``seed_project``: a user with an API key, an app, a test set of ``rows`` rows and evaluator
  configurations, written straight into the database with the features' own services.
- ``RunClient``: the REST calls the tests make (create a run, read it, wait for it).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from agenta.core.evaluations.models import EvaluationCell
from agenta.core.evaluators.configs import builtin_data, create_config
from agenta.core.registry.applications import create_application
from agenta.core.registry.scope import Scope
from agenta.core.testsets.revisions import commit_revision, content_from_rows
from agenta.core.testsets.testsets import create_testset
from agenta.db import Database
from tests.support.accounts import Persona, make_user
from tests.support.processes import free_port

JUDGE_PROMPT = [
    {"role": "system", "content": "Grade the answer from 0 to 1."},
    {"role": "user", "content": "Question: {{country}}\nAnswer: {{outputs}}"},
]


class FakeLLMProcess:
    """``python -m tests.fakes.llm_server`` on a free port."""

    def __init__(self, log_path: Path, *, latency: float = 0.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.latency = latency
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> FakeLLMProcess:
        command = [sys.executable, "-m", "tests.fakes.llm_server", "--port", str(self.port)]
        command += ["--latency", str(self.latency)]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/_fake/requests", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"the fake LLM server did not start:\n{self.log_path.read_text()}")

    def env(self) -> dict[str, str]:
        return {
            "OPENAI_API_KEY": "fake-openai-key",
            "OPENAI_BASE_URL": f"{self.url}/v1",
            "ANTHROPIC_API_KEY": "fake-anthropic-key",
            "ANTHROPIC_BASE_URL": self.url,
        }

    def request_count(self) -> int:
        return len(httpx.get(self.url + "/_fake/requests", timeout=10).json())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@dataclass
class Seeded:
    """What ``seed_project`` stored."""

    persona: Persona
    app_slug: str
    variant_slug: str
    revision_id: uuid.UUID
    testset_slug: str
    testset_revision_id: uuid.UUID
    evaluators: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def api_key(self) -> str:
        assert self.persona.api_key is not None
        return self.persona.api_key


def make_rows(count: int) -> list[dict[str, Any]]:
    """Distinct rows, so every invocation is a distinct request."""
    names = [f"country {index}" for index in range(count)]
    return [{"country": name, "correct_answer": name} for name in names]


async def seed_project(
    database_url: str,
    *,
    rows: int,
    judge: bool = False,
    extra_apps: dict[str, str] | None = None,
) -> Seeded:
    """A user, an echoing app, a test set of ``rows`` rows and evaluators (see the docstring).

    ``extra_apps`` adds more applications by slug, each with its own user-message template.
    """
    db = Database.unpooled(database_url)
    try:
        persona = await make_user(db, with_api_key=True)
        async with db.session() as session:
            scope = Scope(session=session, project_id=persona.project_id, actor_id=persona.user_id)
            prompt = {
                "messages": [{"role": "user", "content": "{{country}}"}],
                "template_format": "curly",
                "llm_config": {"model": "gpt-4o-mini"},
            }
            head = await create_application(
                scope, slug="echo", data={"parameters": {"prompt": prompt}}
            )
            for slug, template in (extra_apps or {}).items():
                other = {**prompt, "messages": [{"role": "user", "content": template}]}
                await create_application(scope, slug=slug, data={"parameters": {"prompt": other}})
            assert head.variant is not None and head.revision is not None
            testset = await create_testset(
                session, persona.project_id, name="countries", actor=persona.user_id
            )
            revision = await commit_revision(
                session,
                testset,
                content_from_rows(testset.id, make_rows(rows)),
                message="rows",
                actor=persona.user_id,
                max_rows=1_000_000,
            )
            evaluators = await _evaluators(session, persona, judge)
        return Seeded(
            persona=persona,
            app_slug="echo",
            variant_slug=head.variant.slug,
            revision_id=head.revision.id,
            testset_slug=testset.slug,
            testset_revision_id=revision.id,
            evaluators=evaluators,
        )
    finally:
        await db.dispose()


async def _evaluators(session: Any, persona: Persona, judge: bool) -> dict[str, uuid.UUID]:
    wanted: dict[str, tuple[str, dict[str, Any]]] = {
        "exact": ("auto_exact_match", {}),
        "has-digit": ("auto_regex_test", {"regex_pattern": r"\d"}),
    }
    if judge:
        wanted["judge"] = (
            "auto_ai_critique",
            {"prompt_template": JUDGE_PROMPT, "model": "gpt-4o-mini"},
        )
    found = {}
    for slug, (key, settings) in wanted.items():
        config = await create_config(
            session,
            persona.project_id,
            persona.user_id,
            slug=slug,
            data=builtin_data(key, settings),
        )
        found[slug] = config.id
    return found


class RunClient:
    """The runs API as one persona calls it."""

    def __init__(self, url: str, api_key: str) -> None:
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"ApiKey {api_key}"}, timeout=30
        )

    def create(self, seeded: Seeded, **options: Any) -> dict[str, Any]:
        body = {
            "testset_revision_id": str(seeded.testset_revision_id),
            "applications": [{"revision_id": str(seeded.revision_id)}],
            "evaluators": [{"id": str(item)} for item in seeded.evaluators.values()],
            **options,
        }
        response = self.http.post("/api/evaluations/runs/", json={"run": body})
        response.raise_for_status()
        return response.json()["run"]  # type: ignore[no-any-return]

    def read(self, run_id: str) -> dict[str, Any]:
        response = self.http.get(f"/api/evaluations/runs/{run_id}")
        response.raise_for_status()
        return response.json()["run"]  # type: ignore[no-any-return]

    def wait(
        self,
        run_id: str,
        *,
        until: float | None = None,
        timeout: float = 120.0,
        poll: float = 0.05,
    ) -> dict[str, Any]:
        """Poll until the run has a final status (or its progress reached ``until``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                run = self.read(run_id)
            except httpx.HTTPError:
                time.sleep(poll)  # the server may be restarting
                continue
            reached = until is not None and run["progress"] >= until
            if reached or run["status"] not in ("pending", "running"):
                return run
            time.sleep(poll)
        raise TimeoutError(f"run {run_id} did not get to {until:.0%} within {timeout} s")

    def close(self) -> None:
        self.http.close()


async def _cells(database_url: str, run_id: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    db = Database.unpooled(database_url)
    try:
        async with db.session() as session:
            found = await session.scalars(
                select(EvaluationCell).where(EvaluationCell.run_id == uuid.UUID(run_id))
            )
            return {
                (c.row_index, c.revision_id, c.repeat, c.evaluator_id): (c.id, c.created_at)
                for c in found
            }
    finally:
        await db.dispose()


def cell_snapshot(database_url: str, run_id: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Every written cell of a run by its key, with its id and when it was written."""
    return asyncio.run(_cells(database_url, run_id))  # type: ignore[no-any-return]
