"""Refused credentials are logged with their reason, and never with the secret itself."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from litestar.testing import AsyncTestClient

from tests.support.accounts import Persona, api_headers, csrf_token


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        extras = {
            k: v
            for k, v in record.__dict__.items()
            if k not in logging.LogRecord("", 0, "", 0, "", (), None).__dict__
        }
        self.lines.append(f"{record.getMessage()} {extras}")


@pytest.fixture
def access_log() -> Iterator[Collected]:
    logger = logging.getLogger("agenta.access")
    handler, level = Collected(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def test_refusals_are_logged_with_a_reason_but_without_the_secret(
    client: AsyncTestClient[Any], owner: Persona, access_log: Collected
) -> None:
    assert owner.api_key is not None
    wrong_key = owner.api_key[:9] + "f" * 64
    forged = jwt.encode({"sub": "x", "aud": "agenta:access", "exp": 2**40}, "k" * 40)
    wrong_password = "not-the-password-123"
    secrets_sent = [wrong_key, forged, wrong_password, owner.api_key[9:]]
    await client.get("/api/projects/current", headers=api_headers(wrong_key))
    client.cookies.set("agenta_access", forged)
    await client.get("/api/projects/current")
    client.cookies.clear()
    await client.post(
        "/login",
        data={
            "email": owner.email,
            "password": wrong_password,
            "_csrf_token": await csrf_token(client),
        },
    )
    text = "\n".join(access_log.lines)
    assert "The API key is not valid" in text
    assert "the token signature is not valid" in text
    assert "wrong e-mail or password" in text
    for secret in secrets_sent:
        assert secret not in text
