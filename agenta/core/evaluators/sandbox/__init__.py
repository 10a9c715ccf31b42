"""The sandbox for user-written evaluator code.

User code never runs in the server process. ``SandboxRunner`` starts a separate interpreter per
job, isolated in layers (each one enough to stop the common escapes on its own):
1. the process: empty environment, ``python -I -S``, private empty working directory, own
   session; as root, its own network namespace and the ``nobody`` user; CPU, memory, file-size,
   open-file and process limits; wall-clock limit and reply size cap enforced by the server;
2. the interpreter: an audit hook that refuses file opens, imports, sockets, ``os``/``subprocess``
   calls, ``ctypes`` and introspection escapes;
3. the namespace: restricted builtins, allow-listed modules as read-only copies;
4. the source: a static check with readable messages (``check_source``).
"""

from .child.policy import ALLOWED_MODULES, check_source
from .models import SandboxJob, SandboxLimits, SandboxOutcome
from .runner import SandboxRunner

__all__ = [
    "ALLOWED_MODULES",
    "SandboxJob",
    "SandboxLimits",
    "SandboxOutcome",
    "SandboxRunner",
    "check_source",
]
