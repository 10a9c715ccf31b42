"""What user code may say: the module allow-list and a static check of the source.

This module runs both in the server (to reject bad code when an evaluator is saved) and inside the
sandbox process (before the code runs), so it uses the standard library only.

The static check is the first of several layers, and the one that gives the clearest messages:
- only allow-listed modules may be imported, and no name starting with ``_`` from them;
- no attribute whose name starts with ``_`` (this closes ``().__class__.__base__.__subclasses__()``
  and reaching private module globals such as ``random._os``), and no frame or generator
  internals (``gi_frame``, ``f_globals``, ``tb_frame``...), which lead back to other modules;
- no name starting with ``__`` (``__builtins__``, ``__import__``, ``__loader__``);
- no use of builtins that reach outside the code (``open``, ``eval``, ``exec``, ``compile``,
  ``globals``, ``vars``, ``input``...), unless the code defines that name itself.
Code that slips past this check (for instance through strings that a library evaluates) still
meets the audit hook, the restricted builtins and the operating-system limits of the sandbox.
"""

from __future__ import annotations

import ast

ALLOWED_MODULES = frozenset(
    {
        "base64",
        "bisect",
        "cmath",
        "collections",
        "collections.abc",
        "copy",
        "datetime",
        "decimal",
        "difflib",
        "fractions",
        "functools",
        "heapq",
        "itertools",
        "json",
        "math",
        "numbers",
        "random",
        "re",
        "statistics",
        "string",
        "textwrap",
        "typing",
        "unicodedata",
    }
)

FORBIDDEN_BUILTINS = frozenset(
    {
        "breakpoint",
        "compile",
        "delattr",
        "eval",
        "exec",
        "exit",
        "globals",
        "help",
        "input",
        "locals",
        "memoryview",
        "open",
        "quit",
        "setattr",
        "vars",
    }
)

BLOCKED_ATTRIBUTES = frozenset(
    {
        "ag_await",
        "ag_code",
        "ag_frame",
        "cr_await",
        "cr_code",
        "cr_frame",
        "f_back",
        "f_builtins",
        "f_code",
        "f_globals",
        "f_locals",
        "f_trace",
        "gi_code",
        "gi_frame",
        "gi_yieldfrom",
        "tb_frame",
        "tb_next",
    }
)


def check_source(source: str) -> list[str]:
    """Every policy violation in ``source`` as "line N: ..." text; empty when the code is fine."""
    try:
        tree = ast.parse(source, filename="<evaluator>")
    except SyntaxError as exc:
        return [f"line {exc.lineno or 0}: syntax error: {exc.msg}"]
    bound = _bound_names(tree)
    problems: list[str] = []
    for node in ast.walk(tree):
        problem = _problem(node, bound)
        if problem:
            problems.append(f"line {getattr(node, 'lineno', 0)}: {problem}")
    return problems


def _problem(node: ast.AST, bound: set[str]) -> str | None:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return _import_problem(node)
    if isinstance(node, ast.Attribute):
        return attribute_problem(node.attr)
    if isinstance(node, ast.MatchClass):
        return next(filter(None, map(attribute_problem, node.kwd_attrs)), None)
    if isinstance(node, ast.Name):
        return _name_problem(node.id, bound)
    return None


def attribute_problem(name: str) -> str | None:
    """Why reading attribute ``name`` is not allowed, or None."""
    if name.startswith("_"):
        return f"attribute '{name}' is not allowed (names starting with '_' are private)"
    if name in BLOCKED_ATTRIBUTES:
        return f"attribute '{name}' is not allowed (interpreter internals)"
    return None


def _name_problem(name: str, bound: set[str]) -> str | None:
    if name.startswith("__"):
        return f"name '{name}' is not allowed (names starting with '__' are reserved)"
    if name in FORBIDDEN_BUILTINS and name not in bound:
        return f"'{name}' is not available in the sandbox"
    return None


def _import_problem(node: ast.Import | ast.ImportFrom) -> str | None:
    if isinstance(node, ast.ImportFrom):
        if node.level:
            return "relative imports are not available in the sandbox"
        modules = [node.module or ""]
        private = [alias.name for alias in node.names if alias.name.startswith("_")]
        if private:
            return f"importing private name '{private[0]}' is not allowed"
    else:
        modules = [alias.name for alias in node.names]
    refused = [module for module in modules if module not in ALLOWED_MODULES]
    return module_problem(refused[0]) if refused else None


def module_problem(module: str) -> str:
    """The message for a module outside the allow-list."""
    allowed = ", ".join(sorted(ALLOWED_MODULES))
    return f"module '{module}' is not allowed in the sandbox (allowed: {allowed})"


def _bound_names(tree: ast.AST) -> set[str]:
    """Names the code binds itself (so a variable called ``input`` is fine)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
    return bound
