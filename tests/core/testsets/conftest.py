"""Factories for test set codec tests: build upload bytes, parse them, collect refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from agenta.core.testsets.codecs import ParsedTestset, TestsetImportError, parse_upload


@pytest.fixture
def make_csv() -> Callable[..., bytes]:
    """Join lines into CSV bytes: ``make_csv("a,b", "1,2", newline="\\r\\n", bom=True)``."""

    def make(*lines: str, newline: str = "\n", bom: bool = False) -> bytes:
        text = newline.join(lines) + newline
        return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")

    return make


@pytest.fixture
def parse() -> Callable[..., ParsedTestset]:
    """``parse_upload`` with an optional file name given positionally."""

    def run(data: bytes, filename: str | None = None, **options: Any) -> ParsedTestset:
        return parse_upload(data, filename=filename, **options)

    return run


@pytest.fixture
def refusal() -> Callable[..., TestsetImportError]:
    """Parse a file that must be refused and return the error."""

    def run(data: bytes, filename: str | None = None, **options: Any) -> TestsetImportError:
        with pytest.raises(TestsetImportError) as caught:
            parse_upload(data, filename=filename, **options)
        return caught.value

    return run
