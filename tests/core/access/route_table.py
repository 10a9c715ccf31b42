"""The application's route table, as the access tests walk it.

``routes(app)`` lists every HTTP method of every route with how it is protected: public
(``opt={"public": True}``), guarded by one of our access guards (with its ``AccessRule``), or
neither — which the classification test turns into a failure. ``fill_path`` builds a concrete
URL from a route template and values for its parameters.

Isolation samples: a feature whose routes take ids of project-scoped objects provides
``tests/core/<feature>/isolation.py`` with ``SAMPLES``, a dict mapping a path parameter name
(or ``"<route path>#<parameter>"`` for one route only) to ``async def sample(platform, owner)``
returning the value of an object of that kind created in ``owner``'s project.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from litestar import Litestar
from litestar.routes import ASGIRoute, HTTPRoute, WebSocketRoute

import tests.core
from agenta.app import create_app
from agenta.core.access.guards import AccessRule, access_rule_of
from agenta.core.tracing.routes_otlp import api_key_only
from agenta.platform import Platform
from agenta.settings import Settings
from tests.support.accounts import Persona

SampleFactory = Callable[[Platform, Persona], Awaitable[str]]
PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # the template, e.g. /api/keys/{prefix:str}
    public: bool
    rule: AccessRule | None
    takes_sessions: bool = True  # False where only an API key authenticates (OTLP export)

    @property
    def parameters(self) -> list[str]:
        return [match.group(1) for match in PARAMETER.finditer(self.path)]

    @property
    def is_page(self) -> bool:
        return not self.path.startswith(("/api", "/services", "/health", "/ready"))

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@functools.cache
def application_endpoints() -> tuple[Endpoint, ...]:
    """The endpoints of the real application (built once; nothing connects)."""
    settings = Settings.from_env(
        {"AGENTA_SECRET_KEY": "route-table-" * 4, "AGENTA_DATA_DIR": tempfile.gettempdir()}
    )
    return tuple(routes(create_app(settings)))


def routes(app: Litestar) -> list[Endpoint]:
    """Every method of every route (Litestar's automatic OPTIONS handlers left out)."""
    endpoints = []
    for route in app.routes:
        for handler in route.route_handlers:
            methods = _methods(route, handler)
            public = bool(handler.opt.get("public")) or _is_api_documentation(handler)
            guards = handler.resolve_guards()
            rules = [rule for rule in map(access_rule_of, guards) if rule]
            sessions = api_key_only not in guards
            for method in sorted(methods):
                rule = rules[0] if rules else None
                endpoints.append(Endpoint(method, route.path, public, rule, sessions))
    # A stable order: pytest-xdist workers must collect the same parametrised tests.
    return sorted(endpoints, key=lambda endpoint: (endpoint.path, endpoint.method))


def _is_api_documentation(handler: Any) -> bool:
    """Litestar's own OpenAPI pages (``/api/docs``): public by nature, added by the framework."""
    module = str(getattr(handler.fn, "__module__", ""))
    return module.startswith(("litestar.openapi", "litestar._openapi"))


def _methods(route: Any, handler: Any) -> set[str]:
    if isinstance(route, HTTPRoute):
        methods = set(handler.http_methods)
        if methods == {"OPTIONS"} and handler.fn.__name__ == "options_handler":
            return set()
        return methods
    if isinstance(route, WebSocketRoute):
        return {"WEBSOCKET"}
    if isinstance(route, ASGIRoute):
        return {"ASGI"}
    return {"UNKNOWN"}


def fill_path(path: str, values: dict[str, str]) -> str:
    """The template with every parameter replaced (a fresh placeholder when no value is given)."""

    def value(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2) or "str"
        if name in values:
            return values[name]
        return {"uuid": str(uuid4()), "int": "1", "float": "1.0"}.get(kind, "placeholder")

    return PARAMETER.sub(value, path)


def sample_factories() -> dict[str, SampleFactory]:
    """Every feature's isolation samples (see the module docstring), checked for clashes."""
    found: dict[str, SampleFactory] = {}
    owners: dict[str, str] = {}
    for module_info in pkgutil.iter_modules(tests.core.__path__):
        name = f"tests.core.{module_info.name}.isolation"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        for key, factory in getattr(module, "SAMPLES", {}).items():
            if key in found:
                raise AssertionError(
                    f"isolation sample {key!r} is defined by {owners[key]} and {name}"
                )
            found[key], owners[key] = factory, name
    return found


def factory_for(
    samples: dict[str, SampleFactory], endpoint: Endpoint, parameter: str
) -> SampleFactory | None:
    """The sample for one parameter of one route (a route-specific one wins)."""
    return samples.get(f"{endpoint.path}#{parameter}") or samples.get(parameter)
