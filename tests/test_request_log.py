"""The access log: one line per request, with the status the client really got."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.accounts import Persona, login_as


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def status_of(self, method: str, path: str) -> int:
        [status] = [
            record.status  # type: ignore[attr-defined]
            for record in self.records
            if getattr(record, "path", None) == path and getattr(record, "method", None) == method
        ]
        return int(status)


@pytest.fixture
def access_log() -> Iterator[Lines]:
    lines = Lines()
    logger = logging.getLogger("agenta.http")
    level = logger.level
    logger.setLevel(logging.INFO)  # the suite runs quieter than that
    logger.addHandler(lines)
    yield lines
    logger.removeHandler(lines)
    logger.setLevel(level)


async def test_a_form_post_refused_by_the_csrf_check_is_logged_as_403(
    client: AsyncTestClient[Any], owner: Persona, access_log: Lines
) -> None:
    await login_as(client, owner)

    response = await client.post("/logout", data={"_csrf_token": ""})

    assert response.status_code == 403
    assert access_log.status_of("POST", "/logout") == 403


async def test_an_unknown_page_is_logged_as_404(
    client: AsyncTestClient[Any], access_log: Lines
) -> None:
    response = await client.get("/no-such-page", headers={"accept": "text/html"})

    assert response.status_code == 404
    assert access_log.status_of("GET", "/no-such-page") == 404


async def test_logging_out_from_the_error_page_of_a_post_only_address_works(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)

    page = await client.get("/logout", headers={"accept": "text/html"})
    token = re.search(
        r'action="/logout">\s*<input type="hidden" name="_csrf_token" value="([^"]+)"', page.text
    )
    assert page.status_code == 405 and token is not None, page.text
    logged_out = await client.post("/logout", data={"_csrf_token": token.group(1)})

    assert logged_out.status_code == 200, logged_out.text
    assert "agenta_access" not in client.cookies
