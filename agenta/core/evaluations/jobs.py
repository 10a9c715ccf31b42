"""The evaluation jobs, as the job registry declares them (``worker-evaluations``' role).

``evaluations.run_slice`` computes one slice of a run (``execution.run_slice``). The pipeline
is imported when the job runs, not with this module: the job catalog is imported by the
platform, and the pipeline reaches the services layer, which imports the platform. Runners
import it at start-up instead (``JobSpec.imports``).
"""

from __future__ import annotations

from agenta.jobs.registry import JobContext, JobSpec

RUN_JOB = "evaluations.run_slice"
SLICE_TIMEOUT_SECONDS = 3600.0
SLICE_TRIES = 5


async def run_slice(ctx: JobContext, run_id: str, chunk: int = 0) -> None:
    """Job: compute slice ``chunk`` of run ``run_id``."""
    from agenta.core.evaluations import execution

    await execution.run_slice(ctx, run_id, chunk)


JOBS = [
    JobSpec(
        RUN_JOB,
        run_slice,
        timeout=SLICE_TIMEOUT_SECONDS,
        max_tries=SLICE_TRIES,
        backoff_base=2.0,
        backoff_max=60.0,
        imports=("agenta.core.evaluations.execution",),
    )
]
