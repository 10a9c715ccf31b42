"""The namespace user code runs in: restricted builtins, guarded imports, read-only module views.

Runs inside the sandbox process only (standard library, no package imports).

- Builtins are a fresh dict holding only harmless functions and the exception classes: no
  ``open``, ``eval``, ``exec``, ``compile``, ``globals``, ``vars``, ``input``, ``setattr``...
  ``getattr``/``hasattr`` refuse private and interpreter-internal attribute names, so the
  static check cannot be side-stepped with a string.
- ``import`` goes through ``guarded_import``: only allow-listed modules, which were imported
  before the sandbox closed (no file is read at run time). C code inside allowed modules imports
  helpers through the same function (``datetime.strptime`` imports ``_strptime``); those few
  preloaded helpers are let through as they are.
- An import yields a *copy* of the module with its public attributes only, minus references to
  other modules that are not allowed (``typing.sys``, ``statistics.sys``...). Changing the copy
  cannot change the real module, which the sandbox's own code keeps using.
- ``print`` writes to a capped buffer; the captured text is returned with the result.
"""

from __future__ import annotations

import builtins
import sys
import types
from collections.abc import Callable, Collection
from typing import Any

SAFE_BUILTINS = (
    "abs", "all", "any", "ascii", "bin", "bool", "bytearray", "bytes", "callable", "chr",
    "classmethod", "complex", "dict", "dir", "divmod", "enumerate", "filter", "float", "format",
    "frozenset", "hash", "hex", "id", "int", "isinstance", "issubclass", "iter", "len", "list",
    "map", "max", "min", "next", "object", "oct", "ord", "pow", "print", "property", "range",
    "repr", "reversed", "round", "set", "slice", "sorted", "staticmethod", "str", "sum", "super",
    "tuple", "type", "zip", "aiter", "anext", "Ellipsis", "NotImplemented", "None", "True",
    "False",
)  # fmt: skip


class SandboxImportError(ImportError):
    """An import the sandbox does not allow."""


class CappedOutput:
    """A text stream that keeps at most ``limit`` characters and notes what it dropped."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def write(self, text: str) -> int:
        room = self.limit - self.size
        if len(text) > room:
            self.truncated = True
            text = text[: max(room, 0)]
        self.parts.append(text)
        self.size += len(text)
        return len(text)

    def flush(self) -> None:
        pass

    def getvalue(self) -> str:
        suffix = "\n[output truncated]" if self.truncated else ""
        return "".join(self.parts) + suffix


def build_globals(
    allowed_modules: Collection[str],
    internal_modules: Collection[str],
    attribute_problem: Callable[[str], str | None],
) -> dict[str, Any]:
    """The globals dict for user code."""
    safe = {name: getattr(builtins, name) for name in SAFE_BUILTINS}
    safe |= _exception_classes()
    safe["__build_class__"] = builtins.__build_class__
    safe["__import__"] = _importer(frozenset(allowed_modules), frozenset(internal_modules))
    safe["getattr"], safe["hasattr"] = _attribute_readers(attribute_problem)
    return {"__builtins__": safe, "__name__": "evaluator", "__doc__": None}


def _exception_classes() -> dict[str, type[BaseException]]:
    return {
        name: value
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }


def _attribute_readers(
    attribute_problem: Callable[[str], str | None],
) -> tuple[Callable[..., Any], Callable[[Any, str], bool]]:
    missing = object()

    def safe_getattr(obj: Any, name: str, default: Any = missing) -> Any:
        problem = attribute_problem(name) if isinstance(name, str) else None
        if problem:
            raise AttributeError(problem)
        if default is missing:
            return getattr(obj, name)
        return getattr(obj, name, default)

    def safe_hasattr(obj: Any, name: str) -> bool:
        if isinstance(name, str) and attribute_problem(name):
            return False
        return hasattr(obj, name)

    return safe_getattr, safe_hasattr


def _importer(allowed: frozenset[str], internal: frozenset[str]) -> Callable[..., types.ModuleType]:
    views: dict[str, types.ModuleType] = {}

    def view(name: str) -> types.ModuleType:
        if name not in views:
            views[name] = _module_view(sys.modules[name], allowed, view)
        return views[name]

    def guarded_import(
        name: str,
        globals: Any = None,
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
    ) -> types.ModuleType:
        if level:
            raise SandboxImportError("relative imports are not available in the sandbox")
        if name in internal and name in sys.modules:
            return sys.modules[name]
        if name not in allowed or name not in sys.modules:
            raise SandboxImportError(f"module '{name}' is not allowed in the sandbox")
        # "import a.b" binds "a"; "from a.b import c" needs "a.b" itself.
        return view(name if fromlist else name.split(".")[0])

    return guarded_import


def _module_view(
    module: types.ModuleType,
    allowed: frozenset[str],
    view: Callable[[str], types.ModuleType],
) -> types.ModuleType:
    copy = types.ModuleType(module.__name__, module.__doc__)
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        if isinstance(value, types.ModuleType):
            if value.__name__ not in allowed:
                continue
            value = view(value.__name__)
        setattr(copy, name, value)
    return copy
