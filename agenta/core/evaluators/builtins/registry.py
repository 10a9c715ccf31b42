"""The catalog of built-in evaluators, looked up by key or by the original product's URI.

The catalog is a fixed tuple built from the family modules; nothing registers itself at import
time. Archived evaluators (kept for configurations made with the original product) are listed
only when asked for.
"""

from __future__ import annotations

from typing import Any

from .base import BuiltinEvaluator
from .code import CUSTOM_CODE
from .errors import UnknownEvaluator
from .json_evaluators import CONTAINS_JSON, FIELD_MATCH, JSON_DIFF, JSON_SCHEMA, MULTI_FIELD_MATCH
from .llm_judge import AI_CRITIQUE
from .matching import (
    CONTAINS,
    CONTAINS_ALL,
    CONTAINS_ANY,
    ENDS_WITH,
    EXACT_MATCH,
    REGEX_TEST,
    STARTS_WITH,
)
from .similarity import LEVENSHTEIN, SEMANTIC_SIMILARITY, SIMILARITY_MATCH
from .webhook import WEBHOOK_TEST

BUILTIN_EVALUATORS: tuple[BuiltinEvaluator, ...] = (
    EXACT_MATCH,
    CONTAINS_JSON,
    REGEX_TEST,
    JSON_SCHEMA,
    MULTI_FIELD_MATCH,
    JSON_DIFF,
    SIMILARITY_MATCH,
    LEVENSHTEIN,
    SEMANTIC_SIMILARITY,
    AI_CRITIQUE,
    CUSTOM_CODE,
    WEBHOOK_TEST,
    STARTS_WITH,
    ENDS_WITH,
    CONTAINS,
    CONTAINS_ANY,
    CONTAINS_ALL,
    FIELD_MATCH,
)

_BY_KEY = {evaluator.key: evaluator for evaluator in BUILTIN_EVALUATORS}
_URI_PREFIX = "agenta:builtin:"


def list_evaluators(include_archived: bool = False) -> list[BuiltinEvaluator]:
    """The built-in evaluators in catalog order."""
    return [e for e in BUILTIN_EVALUATORS if include_archived or not e.archived]


def get_evaluator(key_or_uri: str) -> BuiltinEvaluator:
    """The evaluator with this key (``auto_regex_test``) or URI (``agenta:builtin:...:v0``)."""
    key = key_from_uri(key_or_uri) if key_or_uri.startswith(_URI_PREFIX) else key_or_uri
    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownEvaluator(f"there is no built-in evaluator {key_or_uri!r}") from None


def key_from_uri(uri: str) -> str:
    """``agenta:builtin:auto_regex_test:v0`` -> ``auto_regex_test``."""
    parts = uri.split(":")
    if len(parts) != 4 or f"{parts[0]}:{parts[1]}:" != _URI_PREFIX or parts[3] != "v0":
        raise UnknownEvaluator(f"not a built-in evaluator URI: {uri!r}")
    return parts[2]


def catalog(include_archived: bool = False) -> list[dict[str, Any]]:
    """Catalog entries (key, name, description, settings schema, needs) for the catalog page."""
    return [evaluator.describe() for evaluator in list_evaluators(include_archived)]
