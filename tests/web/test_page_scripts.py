"""Pages load htmx from the bundled copy; a configured CDN comes first, the copy as fallback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from agenta.settings import Settings

BUNDLED = '<script src="/static/htmx.min.js"></script>'
CDN = "https://cdn.example/htmx.min.js"


async def sign_in_page(make_client: Callable[..., Any], settings: Settings) -> str:
    async with make_client(settings) as client:
        return str((await client.get("/login")).text)


def test_no_cdn_is_configured_by_default(tmp_path: Path) -> None:
    assert Settings.from_env({"AGENTA_DATA_DIR": str(tmp_path)}).htmx_cdn_url is None


async def test_pages_load_the_bundled_htmx_when_no_cdn_is_configured(
    make_settings: Callable[..., Settings], make_client: Callable[..., Any], sqlite_url: str
) -> None:
    page = await sign_in_page(make_client, make_settings(sqlite_url, htmx_cdn_url=None))

    assert BUNDLED in page
    assert "document.write" not in page


async def test_a_configured_cdn_comes_first_with_the_bundled_copy_as_fallback(
    make_settings: Callable[..., Settings], make_client: Callable[..., Any], sqlite_url: str
) -> None:
    page = await sign_in_page(make_client, make_settings(sqlite_url, htmx_cdn_url=CDN))

    cdn_at = page.index(f'<script src="{CDN}"')
    assert cdn_at < page.index("window.htmx || document.write")
    assert BUNDLED not in page
