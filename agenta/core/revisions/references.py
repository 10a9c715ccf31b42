"""References: how clients point at an artifact, a variant or a revision.

On the wire a reference is ``{"id"?, "slug"?, "version"?}``. The official SDK sends ``version`` as
a string (``"3"``), older clients as an integer; ``ReferenceBody`` accepts both and
``to_reference`` turns it into a ``Reference`` whose version is an int, with a 400 that names the
field when the version is not a whole number. An empty object or null means "no reference".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import msgspec

from agenta.errors import AppError


class ReferenceBody(msgspec.Struct, kw_only=True):
    """A reference as clients send it; unknown keys are ignored."""

    id: uuid.UUID | None = None
    slug: str | None = None
    version: str | int | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """A parsed reference: any of id, slug and version (a version number, from 1)."""

    id: uuid.UUID | None = None
    slug: str | None = None
    version: int | None = None

    @property
    def is_empty(self) -> bool:
        return self.id is None and self.slug is None and self.version is None


def parse_version(value: str | int | None, field: str) -> int | None:
    """A version number from ``"3"`` or ``3``; None for null or ``""``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise AppError(f'{field} must be a version number such as "3", got {value!r}')
    if isinstance(value, int):
        number = value
    else:
        text = value.strip().removeprefix("v")
        if not text.isdigit():
            raise AppError(f'{field} must be a version number such as "3", got {value!r}')
        number = int(text)
    if number < 0:
        raise AppError(f"{field} must not be negative, got {value!r}")
    return number


def to_reference(body: ReferenceBody | None, field: str) -> Reference | None:
    """The parsed reference, or None when ``body`` is absent or empty."""
    if body is None:
        return None
    slug = body.slug or None
    reference = Reference(
        id=body.id, slug=slug, version=parse_version(body.version, f"{field}.version")
    )
    return None if reference.is_empty else reference
