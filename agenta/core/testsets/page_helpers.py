"""Helpers of the test set pages: rendering with flashes, redirects carrying a notice, htmx.

A form post redirects (303) back to a page with ``?notice=`` or ``?error=`` in the URL and the
page shows it as a flash. Editor actions sent by htmx answer with the fragment to swap instead;
the same forms still work without JavaScript, answered by a redirect back to the page.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from agenta.core.accounts.page_support import flash, page
from agenta.web.redirects import back_to as back_to


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """True for a request sent by htmx (which swaps fragments instead of following pages)."""
    return request.headers.get("hx-request") == "true"


def render(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """A test set page (or partial) with the flash that the URL carries, if any."""
    flashes = list(context.pop("flashes", []))
    if notice := request.query_params.get("notice"):
        flashes.append(flash("success", notice))
    if error := request.query_params.get("error"):
        flashes.append(flash("error", error))
    return page(
        request, f"testsets/{template}", status_code=status_code, flashes=flashes, **context
    )
