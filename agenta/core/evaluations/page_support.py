"""Helpers of the evaluation pages: rendering with notices, redirects, forms and formatting.

A form post redirects (303) with ``?notice=`` or ``?error=``; ``render`` shows it as a flash.
The Jinja filters format what the tables show: ``num`` (a number or a dash), ``pct``, ``usd``,
``ms`` and ``short`` (a value as text, cut to a length).
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.response import Template

from agenta.core.accounts.page_support import flash, page
from agenta.web.redirects import back_to as back_to

STATUS_PILLS = {
    "succeeded": "ok",
    "running": "",
    "pending": "",
    "failed": "bad",
    "cancelled": "warn",
    "capped": "warn",
}
VERDICT_PILLS = {"better": "ok", "worse": "bad"}


def render(request: Request[Any, Any, Any], template: str, **context: Any) -> Template:
    """An evaluation page with the flash the URL carries, if any."""
    flashes = []
    if notice := request.query_params.get("notice"):
        flashes.append(flash("success", notice))
    if error := request.query_params.get("error"):
        flashes.append(flash("error", error))
    helpers = {
        "num": num,
        "pct": pct,
        "usd": usd,
        "ms": ms,
        "short": short,
        "status_pill": lambda status: STATUS_PILLS.get(status, ""),
        "verdict_pill": lambda verdict: VERDICT_PILLS.get(verdict, ""),
        "page_query": lambda number: page_query(request, number),
    }
    return page(request, template, flashes=flashes, **helpers, **context)


async def form_lists(request: Request[Any, Any, Any]) -> tuple[dict[str, str], dict[str, list]]:
    """The submitted form: last value per field, and every value per field."""
    form = await request.form()
    single = {key: str(value) for key, value in form.items()}
    multi = {key: [str(item) for item in form.getall(key)] for key in form}
    return single, multi


def parse_ids(values: list[str], field: str) -> list[uuid.UUID]:
    """UUIDs from form values; a ``ValueError`` names a malformed one."""
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            raise ValueError(f"{field}: {value!r} is not an id") from None
    return found


def page_query(request: Request[Any, Any, Any], number: int) -> str:
    """The current query string with ``page`` set to ``number``."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "live")]
    return urlencode([*params, ("page", str(number))])


def num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    return f"{float(value):.{digits}f}"


def pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def usd(value: Any) -> str:
    return "—" if value is None else f"${float(value):.4f}"


def ms(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0f} ms"


def short(value: Any, limit: int = 160) -> str:
    """A value as text (objects as JSON), cut to ``limit`` characters."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
