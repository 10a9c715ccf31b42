"""The home page and the template engine set-up shared by every feature's pages.

Templates live in ``agenta/web/templates``; each feature adds its own under a sub-folder named
after it. Every page gets ``navigation`` (the main menu, gathered by the composition root),
``htmx_cdn_url`` and ``version`` as globals. Jinja2 autoescaping is on for all ``.html`` files,
so trace and user content is always escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from agenta import __version__
from agenta.settings import Settings

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    description: str = ""


def template_config(settings: Settings, navigation: list[NavItem]) -> TemplateConfig[Any]:
    def configure(engine: JinjaTemplateEngine) -> None:
        engine.engine.autoescape = True
        engine.engine.globals.update(
            navigation=navigation,
            htmx_cdn_url=settings.htmx_cdn_url,
            version=__version__,
            embedded=settings.embedded,
            flashes=[],
        )

    return TemplateConfig(
        directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=configure
    )


def static_files_router() -> Any:
    return create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        name="static",
        include_in_schema=False,
        opt={"public": True},
    )


@get("/", include_in_schema=False, opt={"public": True})
async def home(request: Request[Any, Any, Any]) -> Template:
    return Template("home.html", context={"request": request})


ROUTES = [home]
