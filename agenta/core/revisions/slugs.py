"""Slugs: the human-readable names that references use, and the random ones clients expect.

The pattern is the one the official SDK enforces (``^[A-Za-z0-9_-][A-Za-z0-9_.-]*$``): a slug
may contain dots but not start with one, because environment keys are ``<app_slug>.revision``.
"""

from __future__ import annotations

import re
import secrets

from agenta.errors import AppError

SLUG_MAX_LENGTH = 200
SLUG_PATTERN = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")


def validate_slug(value: object, field: str) -> str:
    """``value`` if it is a valid slug; otherwise a 400 naming ``field`` and what is wrong."""
    if not isinstance(value, str) or value == "":
        raise AppError(f"{field} is required: a slug such as 'my-prompt'")
    if len(value) > SLUG_MAX_LENGTH:
        raise AppError(f"{field} is longer than {SLUG_MAX_LENGTH} characters")
    if not SLUG_PATTERN.match(value):
        raise AppError(
            f"{field} {value!r} is not a valid slug: use letters, digits, '-', '_' and '.' "
            "(not first)"
        )
    return value


def random_slug() -> str:
    """Twelve random hex digits, the slug clients give revisions and unnamed variants."""
    return secrets.token_hex(6)


def slugify(text: str) -> str:
    """A valid slug made from free text (a display name), never empty."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text.strip()).strip("-.")
    return slug[:SLUG_MAX_LENGTH] or random_slug()
