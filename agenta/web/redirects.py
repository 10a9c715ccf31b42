"""Redirects after a form post: a 303 back to a page, carrying a notice or an error to show.

Pages read ``notice`` and ``error`` from their query string and show them in the flash banner;
the path may already have a query of its own (``/evaluators/new?key=...``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from litestar.response import Redirect


def back_to(path: str, *, notice: str | None = None, error: str | None = None) -> Redirect:
    """A 303 to ``path`` carrying a notice or an error for the page to show."""
    query = urlencode(
        [(key, value) for key, value in (("notice", notice), ("error", error)) if value]
    )
    if not query:
        return Redirect(path, status_code=303)
    separator = "&" if "?" in path else "?"
    return Redirect(f"{path}{separator}{query}", status_code=303)
