"""The composition root: ``create_app(settings)`` builds the one Litestar application.

It mounts every feature's routes (the REST API under ``/api``, the services under ``/services``,
pages at ``/``), the shared dependencies, the error format, request logging and the templates.
The lifespan starts the ``Platform`` (database, Redis, job queue and, in embedded mode, the
in-process job runner) and stops it on shutdown. ``create_app_from_env`` is the factory that
``agenta serve`` hands to uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.openapi import OpenAPIConfig

from agenta import __version__
from agenta.core.access import errors as access_errors
from agenta.core.access import routes as access_routes
from agenta.core.access.middleware import access_middleware
from agenta.core.access.runtime import access_lifespan
from agenta.core.accounts import routes as accounts_routes
from agenta.core.alerts import routes as alerts_routes
from agenta.core.annotations import routes as annotations_routes
from agenta.core.evaluations import routes as evaluations_routes
from agenta.core.evaluators import routes as evaluators_routes
from agenta.core.events import routes as events_routes
from agenta.core.health import routes as health_routes
from agenta.core.oauth import routes as oauth_routes
from agenta.core.online import routes as online_routes
from agenta.core.registry.api import api_router as registry_api_router
from agenta.core.registry.pages import pages_router as registry_pages_router
from agenta.core.registry.runtime import lifespan as registry_lifespan
from agenta.core.secrets import routes as secrets_routes
from agenta.core.secrets.runtime import secrets_lifespan
from agenta.core.services import routes as services_routes
from agenta.core.testsets.pages import pages_router as testsets_pages_router
from agenta.core.testsets.routes import api_router as testsets_api_router
from agenta.core.tracing import pages_routes as tracing_pages
from agenta.core.tracing import routes as tracing_routes
from agenta.core.tracing.runtime import lifespan as tracing_lifespan
from agenta.core.webhooks import routes as webhooks_routes
from agenta.deps import DEPENDENCIES
from agenta.errors import EXCEPTION_HANDLERS
from agenta.heap import freeze_startup_heap
from agenta.jobs.catalog import build_registry
from agenta.jobs.registry import JobRegistry
from agenta.jobs.runner import preload
from agenta.logs import RequestLogMiddleware, configure_logging
from agenta.platform import Platform
from agenta.settings import Settings
from agenta.web import pages
from agenta.web.api_reference import ApiReferencePlugin
from agenta.web.pages import NavItem

NAVIGATION: list[NavItem] = [
    NavItem("Apps", "/apps", "Prompts and applications: variants, history and deployments."),
    NavItem("Test sets", "/testsets", "Versioned test cases: upload, edit, compare, export."),
    NavItem("Observability", "/observability", "Traces, sessions, users and the dashboard."),
    NavItem("Alerts", "/alerts", "Rules over trace metrics and scores, and when they fired."),
    NavItem("Evaluations", "/evaluations", "Runs of apps over test sets, scored and compared."),
    NavItem("Evaluators", "/evaluators", "Evaluator configurations and their playground."),
    NavItem("Annotations", "/annotations", "Queues of traces and run rows for people to review."),
    NavItem("Online evaluation", "/online", "Rules that score live traces as they arrive."),
    NavItem("Activity", "/activity", "What happened in the project, who did it and how."),
    NavItem("Model providers", "/settings/providers", "Provider keys and custom model endpoints."),
    NavItem("Settings", "/settings", "Projects, members, invitations and API keys."),
]


def route_handlers() -> list[Any]:
    """Every feature's routes, in one list."""
    return [
        *health_routes.ROUTES,
        *access_routes.ROUTES,
        *accounts_routes.ROUTES,
        *oauth_routes.ROUTES,
        registry_api_router(),
        registry_pages_router(),
        testsets_api_router(),
        testsets_pages_router(),
        *secrets_routes.ROUTES,
        *services_routes.ROUTES,
        *evaluators_routes.ROUTES,
        *evaluations_routes.ROUTES,
        *events_routes.ROUTES,
        *webhooks_routes.ROUTES,
        *alerts_routes.ROUTES,
        *annotations_routes.ROUTES,
        *online_routes.ROUTES,
        *tracing_routes.ROUTES,
        *tracing_pages.ROUTES,
        *pages.ROUTES,
        pages.static_files_router(),
        openapi_json,
    ]


@get("/api/openapi.json", include_in_schema=False, opt={"public": True}, sync_to_thread=False)
def openapi_json(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    return Response(request.app.openapi_schema.to_schema())


def create_app(
    settings: Settings, *, registry: JobRegistry | None = None, run_jobs: bool = True
) -> Litestar:
    """Build the application for ``settings`` (nothing connects until the lifespan starts)."""
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        platform = await Platform.start(settings, registry=registry, run_jobs=run_jobs)
        app.state.platform = platform
        try:
            yield
        finally:
            await platform.stop()

    app = Litestar(
        route_handlers=route_handlers(),
        dependencies=DEPENDENCIES,
        exception_handlers={  # type: ignore[arg-type]
            **EXCEPTION_HANDLERS,
            **access_errors.EXCEPTION_HANDLERS,
        },
        middleware=access_middleware(settings),
        template_config=pages.template_config(settings, NAVIGATION),
        openapi_config=OpenAPIConfig(
            title="Agenta API",
            version=__version__,
            path="/api/docs",
            render_plugins=[ApiReferencePlugin()],
        ),
        lifespan=[lifespan, access_lifespan, registry_lifespan, secrets_lifespan, tracing_lifespan],
        debug=False,
    )
    # Outside Litestar's exception handling, so the access log sees the status the client really
    # got, also for requests no route matched and for errors that middleware raised (CSRF).
    app.asgi_handler = RequestLogMiddleware(app.asgi_handler)
    return app


def create_app_from_env() -> Litestar:
    """Factory for uvicorn (``agenta serve``): settings from the environment.

    What the process's jobs and model calls import is imported now rather than on first use,
    so that it is part of the start-up heap that is then frozen (``agenta.heap``).
    """
    app = create_app(Settings.from_env())
    preload(build_registry())
    freeze_startup_heap()
    return app
