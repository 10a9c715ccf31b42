"""``agenta eval run``: run an evaluation from a CI pipeline and fail the build on a threshold.

    agenta eval run --app support --variant prod --testset faq --evaluator exact \\
        --evaluator judge --fail-under exact.pass_rate=0.9 --fail-under judge=0.7

It talks to a server through the REST API (``--url`` or ``AGENTA_HOST``, ``--api-key`` or
``AGENTA_API_KEY``): creates the run by reference (``--variant`` or ``--environment`` picks the
revision), prints its progress until it finishes, then the metrics, then one line per threshold.
A metric is ``<evaluator slug>`` (the mean value), ``<slug>.score`` or ``<slug>.pass_rate``.
The exit status is 0 when the run succeeded and every threshold holds, 1 otherwise (a missed
threshold, a run that failed, was capped or cancelled, or a server that refused the request).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

import httpx

from agenta.core.evaluations.metrics import split_metric_name

POLL_SECONDS = 1.0
FINAL = {"succeeded", "failed", "cancelled", "capped"}


def register(commands: Any) -> None:
    """Add ``agenta eval run`` to the ``agenta`` parser."""
    evals = commands.add_parser("eval", help="evaluations").add_subparsers(metavar="ACTION")
    run = evals.add_parser("run", help="run an evaluation and check thresholds (for CI)")
    run.add_argument("--app", required=True, help="application slug")
    target = run.add_mutually_exclusive_group(required=True)
    target.add_argument("--variant", help="variant slug (its latest revision)")
    target.add_argument("--environment", help="environment slug (what it deploys)")
    run.add_argument("--version", type=int, help="variant version (default: latest)")
    run.add_argument("--testset", required=True, help="test set slug (its latest revision)")
    run.add_argument("--evaluator", action="append", default=[], help="evaluator slug (repeat)")
    run.add_argument(
        "--fail-under", action="append", default=[], metavar="METRIC=VALUE", help="threshold"
    )
    run.add_argument("--name", default="", help="run name")
    run.add_argument("--repeats", type=int, default=1)
    run.add_argument("--concurrency", type=int, default=10, help="rows calling the models at once")
    run.add_argument("--spend-cap", type=float, help="stop once the run cost this many USD")
    run.add_argument("--cache", action="store_true", help="reuse cached model answers")
    run.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait (default 1 h)")
    run.add_argument("--url", help="server URL (default AGENTA_HOST)")
    run.add_argument("--api-key", help="API key (default AGENTA_API_KEY)")
    run.set_defaults(handler=cmd_eval_run)


@dataclass(frozen=True)
class Threshold:
    metric: str
    minimum: float


def parse_threshold(text: str) -> Threshold:
    """``judge.pass_rate=0.9`` -> a threshold; a ``ValueError`` says what is wrong."""
    metric, sep, value = text.partition("=")
    if not sep or not metric.strip():
        raise ValueError(f"--fail-under expects METRIC=VALUE, got {text!r}")
    try:
        return Threshold(metric.strip(), float(value))
    except ValueError:
        raise ValueError(f"--fail-under {metric.strip()}: {value!r} is not a number") from None


def server_url(given: str | None) -> str:
    """The server's base URL from ``--url`` or ``AGENTA_HOST``."""
    url = (given or os.environ.get("AGENTA_HOST") or "").strip().rstrip("/")
    if not url:
        raise ValueError("give the server with --url or AGENTA_HOST (https://agenta.example.com)")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"--url/AGENTA_HOST must be an http(s) URL, got {url!r}")
    return url


def cmd_eval_run(args: argparse.Namespace) -> int:
    from agenta.cli import CommandError

    try:
        thresholds = [parse_threshold(item) for item in args.fail_under]
        url = server_url(args.url)
    except ValueError as error:
        raise CommandError(str(error)) from None
    key = args.api_key or os.environ.get("AGENTA_API_KEY")
    if not key:
        raise CommandError("give an API key with --api-key or AGENTA_API_KEY")
    with httpx.Client(base_url=url, headers={"Authorization": f"ApiKey {key}"}, timeout=60) as http:
        try:
            return run_and_check(http, args, thresholds, sys.stdout)
        except httpx.HTTPError as error:
            raise CommandError(f"could not reach {url}: {error}") from None


def run_and_check(
    http: httpx.Client, args: argparse.Namespace, thresholds: list[Threshold], out: TextIO
) -> int:
    """Create the run, follow it, print the metrics; 0 only if it succeeded and thresholds hold."""
    run = _answer(http.post("/api/evaluations/runs/", json={"run": _run_body(args)}))["run"]
    print(f"started run {run['id']}: {run['name']}", file=out, flush=True)
    run = _follow(http, run["id"], args.timeout, out)
    metrics = _answer(http.get(f"/api/evaluations/runs/{run['id']}/metrics"))
    _print_metrics(metrics, out)
    missed = _check(metrics, thresholds, out)
    if run["status"] != "succeeded":
        print(f"run {run['status']}: {run.get('error') or 'no error message'}", file=out)
        return 1
    return 1 if missed else 0


def _run_body(args: argparse.Namespace) -> dict[str, Any]:
    application: dict[str, Any] = {"application": args.app}
    if args.environment:
        application["environment"] = args.environment
    else:
        application["variant"] = args.variant
        if args.version:
            application["version"] = args.version
    return {
        "name": args.name,
        "testset": {"slug": args.testset},
        "applications": [application],
        "evaluators": [{"slug": slug} for slug in args.evaluator],
        "repeats": args.repeats,
        "concurrency": args.concurrency,
        "spend_cap": args.spend_cap,
        "use_cache": args.cache,
    }


def _answer(response: httpx.Response) -> dict[str, Any]:
    from agenta.cli import CommandError

    if response.status_code >= 400:
        try:
            message = response.json().get("message") or response.text
        except ValueError:
            message = response.text
        raise CommandError(f"the server answered {response.status_code}: {message}")
    return response.json()  # type: ignore[no-any-return]


def _follow(http: httpx.Client, run_id: str, timeout: float, out: TextIO) -> dict[str, Any]:
    from agenta.cli import CommandError

    deadline = time.monotonic() + timeout
    shown = -1.0
    while True:
        run = _answer(http.get(f"/api/evaluations/runs/{run_id}"))["run"]
        if run["progress"] != shown:
            shown = run["progress"]
            done, total = run["cells_done"], run["cells_total"]
            print(f"{run['status']}: {shown:.0%} ({done}/{total} cells)", file=out, flush=True)
        if run["status"] in FINAL:
            return run  # type: ignore[no-any-return]
        if time.monotonic() > deadline:
            raise CommandError(f"run {run_id} did not finish within {timeout:g} s")
        time.sleep(POLL_SECONDS)


def _print_metrics(metrics: dict[str, Any], out: TextIO) -> None:
    for app in metrics["applications"]:
        invocations = app["invocations"]
        print(
            f"{app['label']}: {invocations['count']} invocations, {invocations['errors']} errors, "
            f"${invocations['cost_total']:.4f}",
            file=out,
        )
        for slug, found in app["evaluators"].items():
            print(
                f"  {slug}: value {_number(found['value'])}, pass rate "
                f"{_number(found['pass_rate'])}, errors {found['errors']}/{found['count']}",
                file=out,
            )


def _check(metrics: dict[str, Any], thresholds: list[Threshold], out: TextIO) -> list[str]:
    missed = []
    for app in metrics["applications"]:
        for threshold in thresholds:
            slug, _ = split_metric_name(threshold.metric)
            value = _metric(app["evaluators"], threshold.metric)
            ok = value is not None and value >= threshold.minimum
            verdict = "PASS" if ok else "FAIL"
            line = f"{verdict} {threshold.metric} >= {threshold.minimum:g} ({_number(value)})"
            if slug not in app["evaluators"]:
                line = f"FAIL {threshold.metric}: the run has no evaluator {slug!r}"
            print(line, file=out)
            if not ok:
                missed.append(line)
    return missed


def _metric(evaluators: dict[str, Any], name: str) -> float | None:
    slug, stat = split_metric_name(name)
    found = evaluators.get(slug)
    if found is None:
        return None
    key = {"score": "score_mean", "pass_rate": "pass_rate"}.get(stat, "value")
    value = found.get(key)
    return None if value is None else float(value)


def _number(value: Any) -> str:
    return "—" if value is None else f"{float(value):.3f}"
