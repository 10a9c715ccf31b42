"""Helpers shared by the observability pages: rendering, redirects and number formats.

`render` adds what every observability page needs to a template's context: the flash that
a redirect carried (`?notice=` or `?error=`, shown escaped like any other value), the CSRF
token, the tab that is active, and the formatting helpers the templates call (`ms`, `usd`,
`count`, `when`, `pretty`). A form post answers with `back_to(path, notice=...)`, a 303, so
reloading the page never repeats the post.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request
from litestar.response import Template

from agenta.core.accounts.page_support import flash, page
from agenta.core.tracing.pages_payloads import pretty_json
from agenta.web.redirects import back_to as back_to

TABS = (
    ("traces", "Traces", "/observability/traces"),
    ("sessions", "Sessions", "/observability/sessions"),
    ("users", "Users", "/observability/users"),
    ("dashboard", "Dashboard", "/observability/dashboard"),
    ("settings", "Settings", "/observability/settings"),
)


def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    tab: str,
    status_code: int = 200,
    flashes: list[dict[str, str]] | None = None,
    **context: Any,
) -> Template:
    """An observability page (`template` under `tracing/`) with flashes and helpers."""
    shown = list(flashes or [])
    if notice := request.query_params.get("notice"):
        shown.append(flash("success", notice))
    if error := request.query_params.get("error"):
        shown.append(flash("error", error))
    helpers = {"ms": ms, "usd": usd, "count": count, "when": when, "pretty": pretty_json}
    return page(
        request,
        f"tracing/{template}",
        status_code=status_code,
        flashes=shown,
        tabs=TABS,
        tab=tab,
        **helpers,
        **context,
    )


def ms(value: float | None) -> str:
    """A duration: milliseconds under a second, else seconds."""
    if value is None:
        return "—"
    if value < 1000:
        return f"{value:.0f} ms"
    if value < 60_000:
        return f"{value / 1000:.2f} s"
    return f"{value / 60_000:.1f} min"


def usd(value: float | None) -> str:
    """A cost in US dollars, with enough digits for a fraction of a cent."""
    if value is None:
        return "—"
    if value == 0:
        return "$0"
    if abs(value) < 1:
        return f"${value:.6f}".rstrip("0")
    return f"${value:,.2f}"


def count(value: float | None) -> str:
    """A whole number with thousands separators."""
    return "—" if value is None else f"{round(value):,}"


def when(value: datetime | None) -> str:
    """A UTC time to the second."""
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")
