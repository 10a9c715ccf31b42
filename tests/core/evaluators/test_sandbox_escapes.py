"""Escape attempts against the code sandbox; each must fail cleanly with a readable error.

The first group runs with every layer on, as evaluations do; most attempts stop at the static
check. The second group turns the static check off (``check_source=False``) and uses the classic
``__subclasses__`` walk to reach the real ``os`` module, to prove that the audit hook and the
operating-system isolation hold on their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agenta.core.evaluators.sandbox import SandboxJob, SandboxLimits, SandboxOutcome, SandboxRunner

# A generous wall limit: on a busy machine one CPU second can take many wall seconds, and
# these tests must see the CPU limit act, not the wall clock.
LIMITS = SandboxLimits(cpu_seconds=1, wall_seconds=30)
RUNNING_AS_ROOT = os.geteuid() == 0

# Reaches the globals of the real ``os`` module without importing anything.
REACH_OS = (
    "    classes = ().__class__.__base__.__subclasses__()\n"
    "    wrap = [c for c in classes if c.__name__ == '_wrap_close'][0]\n"
    "    real_os = wrap.__init__.__globals__\n"
)


@pytest.fixture(scope="module")
def checked() -> Iterator[SandboxRunner]:
    with SandboxRunner(LIMITS) as runner:
        yield runner


@pytest.fixture(scope="module")
def unchecked() -> Iterator[SandboxRunner]:
    with SandboxRunner(LIMITS, check_source=False) as runner:
        yield runner


def evaluate_body(body: str, prelude: str = "") -> str:
    return prelude + "def evaluate(inputs, outputs, trace):\n" + body


async def run(runner: SandboxRunner, code: str) -> SandboxOutcome:
    return await runner.run(SandboxJob(code=code, args=[{}, "x", {}]))


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "import os\n" + evaluate_body("    return dict(os.environ)"),
            "line 1: module 'os' is not allowed",
        ),
        ("import socket\n" + evaluate_body("    return 1"), "module 'socket' is not allowed"),
        (
            "import subprocess\n" + evaluate_body("    return 1"),
            "module 'subprocess' is not allowed",
        ),
        (
            "from os import fork\n" + evaluate_body("    return fork()"),
            "module 'os' is not allowed",
        ),
        ("import ctypes\n" + evaluate_body("    return 1"), "module 'ctypes' is not allowed"),
        ("import builtins\n" + evaluate_body("    return 1"), "module 'builtins' is not allowed"),
        ("import importlib\n" + evaluate_body("    return 1"), "module 'importlib' is not allowed"),
        ("from json import _default_decoder\n" + evaluate_body("    return 1"), "private name"),
        (evaluate_body("    return open('/etc/passwd').read()"), "'open' is not available"),
        (
            evaluate_body(f"    return open({str(Path(__file__))!r}).read()"),
            "'open' is not available",
        ),
        (evaluate_body("    return eval('1')"), "'eval' is not available"),
        (evaluate_body("    exec('x = 1')\n    return 1"), "'exec' is not available"),
        (evaluate_body("    return __import__('os').getcwd()"), "name '__import__' is not allowed"),
        (
            evaluate_body("    return len(().__class__.__base__.__subclasses__())"),
            "attribute '__subclasses__' is not allowed",
        ),
        (
            evaluate_body("    __builtins__['len'] = None\n    return 1"),
            "name '__builtins__' is not allowed",
        ),
        (
            "import random\n" + evaluate_body("    return random._os.getcwd()"),
            "attribute '_os' is not allowed",
        ),
        (
            evaluate_body(
                "    def g():\n        yield 1\n    return str(g().gi_frame.f_back.f_globals)"
            ),
            "attribute 'gi_frame' is not allowed",
        ),
        (evaluate_body("    return globals()"), "'globals' is not available"),
        (evaluate_body("    return 1\n") + "import os.path\n", "module 'os.path' is not allowed"),
    ],
)
async def test_the_static_check_refuses_escape_attempts_readably(
    checked: SandboxRunner, code: str, message: str
) -> None:
    outcome = await run(checked, code)
    assert outcome.error_kind == "invalid-code"
    assert message in (outcome.error or "")


async def test_getattr_with_a_private_name_is_refused(checked: SandboxRunner) -> None:
    outcome = await run(checked, evaluate_body("    return str(getattr((), '__class__'))"))
    assert outcome.error_kind == "code-error"
    assert "attribute '__class__' is not allowed" in (outcome.error or "")


async def test_a_string_evaluated_by_a_library_still_cannot_run_commands(
    checked: SandboxRunner,
) -> None:
    # typing evaluates string annotations; the static check cannot see inside strings.
    annotation = (
        "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0]"
        ".__init__.__globals__['system']('id')"
    )
    code = f'import typing\ndef hint(x: "{annotation}"): pass\n' + evaluate_body(
        "    return str(typing.get_type_hints(hint))"
    )
    outcome = await run(checked, code)
    assert outcome.error_kind == "forbidden"
    assert "'os.system' is not allowed in the sandbox" in (outcome.error or "")


async def test_replacing_a_module_function_does_not_reach_the_sandbox_itself(
    checked: SandboxRunner,
) -> None:
    code = "import json\njson.dumps = None\n" + evaluate_body("    return {'genuine': True}")
    outcome = await run(checked, code)
    assert outcome.ok and outcome.value == {"genuine": True}


async def test_an_infinite_loop_is_stopped_by_the_cpu_limit(checked: SandboxRunner) -> None:
    outcome = await run(checked, evaluate_body("    while True:\n        pass"))
    assert outcome.error_kind == "cpu-time"
    assert outcome.error == "the code used more than 1 s of CPU time and was stopped"


async def test_a_loop_that_swallows_the_cpu_signal_is_still_killed(checked: SandboxRunner) -> None:
    body = (
        "    while True:\n"
        "        try:\n"
        "            while True:\n"
        "                pass\n"
        "        except BaseException:\n"
        "            pass"
    )
    outcome = await run(checked, evaluate_body(body))
    assert outcome.error_kind == "cpu-time"


async def test_a_huge_allocation_fails_with_a_memory_error(checked: SandboxRunner) -> None:
    outcome = await run(checked, evaluate_body("    block = bytearray(2 ** 33)\n    return 1"))
    assert outcome.error_kind == "memory"
    assert outcome.error == "the code ran out of memory (the sandbox allows 256 MB)"


async def test_a_computation_stuck_in_c_code_is_killed(checked: SandboxRunner) -> None:
    outcome = await run(checked, evaluate_body("    return len(str(10 ** (10 ** 8)))"))
    assert outcome.error_kind == "cpu-time"


async def test_the_layers_below_stop_running_a_command(unchecked: SandboxRunner) -> None:
    outcome = await run(unchecked, evaluate_body(REACH_OS + "    return real_os['system']('id')"))
    assert outcome.error_kind == "forbidden"
    assert outcome.error is not None
    assert outcome.error.startswith("'os.system' is not allowed in the sandbox")


async def test_the_layers_below_stop_forking(unchecked: SandboxRunner) -> None:
    outcome = await run(unchecked, evaluate_body(REACH_OS + "    return real_os['fork']()"))
    assert outcome.error_kind == "forbidden"
    assert "'os.fork' is not allowed" in (outcome.error or "")


@pytest.mark.parametrize("path", ["/etc/passwd", str(Path(__file__).resolve())])
async def test_the_layers_below_stop_reading_files(unchecked: SandboxRunner, path: str) -> None:
    outcome = await run(
        unchecked, evaluate_body(REACH_OS + f"    return real_os['open']({path!r}, 0)")
    )
    assert outcome.error_kind == "forbidden"
    assert f"opening {path!r} is not allowed" in (outcome.error or "")


async def test_the_layers_below_stop_listing_directories(unchecked: SandboxRunner) -> None:
    outcome = await run(unchecked, evaluate_body(REACH_OS + "    return real_os['listdir']('/')"))
    assert outcome.error_kind == "forbidden"


async def test_the_layers_below_stop_importing_socket(unchecked: SandboxRunner) -> None:
    body = REACH_OS + "    return str(real_os['sys'].modules['builtins'].__import__('socket'))"
    outcome = await run(unchecked, evaluate_body(body))
    assert outcome.error_kind == "forbidden"
    assert "importing 'socket' is not allowed" in (outcome.error or "")


async def test_the_layers_below_stop_ctypes(unchecked: SandboxRunner) -> None:
    body = REACH_OS + "    return str(real_os['sys'].modules['ctypes'].CDLL(None))"
    outcome = await run(unchecked, evaluate_body(body))
    assert outcome.error_kind == "forbidden"
    assert "'ctypes.dlopen' is not allowed" in (outcome.error or "")


async def test_no_other_audit_hook_can_be_added(unchecked: SandboxRunner) -> None:
    # CPython silently skips adding a hook when an existing hook refuses the addition.
    body = REACH_OS + (
        "    seen = []\n"
        "    real_os['sys'].addaudithook(lambda event, args: seen.append(event))\n"
        "    real_os['sys'].modules['builtins'].compile('1', 'probe', 'eval')\n"
        "    return len(seen)"
    )
    outcome = await run(unchecked, evaluate_body(body))
    assert outcome.ok
    assert outcome.value == 0


async def test_the_environment_holds_none_of_the_servers_variables(
    unchecked: SandboxRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTA_TEST_SECRET", "do-not-leak")
    outcome = await run(unchecked, evaluate_body(REACH_OS + "    return dict(real_os['environ'])"))
    assert outcome.ok
    # Python itself may set LC_CTYPE when it coerces the C locale; nothing else is there.
    assert set(outcome.value) <= {"LC_CTYPE"}


@pytest.mark.skipif(not RUNNING_AS_ROOT, reason="privileges are dropped only when started as root")
async def test_the_code_runs_as_nobody(unchecked: SandboxRunner) -> None:
    outcome = await run(
        unchecked, evaluate_body(REACH_OS + "    return [real_os['getuid'](), real_os['getgid']()]")
    )
    assert outcome.value == [65534, 65534]
    assert outcome.isolation["privileges_dropped"] is True


@pytest.mark.skipif(not RUNNING_AS_ROOT, reason="a network namespace needs root here")
async def test_the_code_has_its_own_empty_network_namespace(checked: SandboxRunner) -> None:
    outcome = await run(checked, evaluate_body("    return 1"))
    assert outcome.isolation["network_isolated"] is True
