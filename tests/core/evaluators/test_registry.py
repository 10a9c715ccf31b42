"""The catalog: every original key is present and described well enough for a catalog page."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from agenta.core.evaluators.builtins import (
    BUILTIN_EVALUATORS,
    BuiltinEvaluator,
    UnknownEvaluator,
    catalog,
    get_evaluator,
    list_evaluators,
)
from agenta.core.evaluators.builtins.errors import MissingSetting

ORIGINAL_KEYS = {
    "auto_exact_match",
    "auto_contains_json",
    "auto_regex_test",
    "auto_starts_with",
    "auto_ends_with",
    "auto_contains",
    "auto_contains_any",
    "auto_contains_all",
    "field_match_test",
    "json_multi_field_match",
    "auto_json_diff",
    "auto_similarity_match",
    "auto_levenshtein_distance",
    "auto_semantic_similarity",
    "auto_ai_critique",
    "auto_webhook_test",
    "auto_custom_code_run",
}


def test_it_offers_every_original_evaluator_and_json_schema_validation() -> None:
    assert {e.key for e in BUILTIN_EVALUATORS} == ORIGINAL_KEYS | {"auto_json_schema"}


def test_archived_evaluators_are_listed_only_on_request() -> None:
    current = {e.key for e in list_evaluators()}
    everything = {e.key for e in list_evaluators(include_archived=True)}
    assert "auto_starts_with" not in current
    assert "auto_starts_with" in everything
    assert len(everything) == len(BUILTIN_EVALUATORS)


def test_only_the_judge_and_semantic_similarity_need_an_llm_key() -> None:
    needing = {
        entry["key"] for entry in catalog(include_archived=True) if entry["requires_llm_api_keys"]
    }
    assert needing == {"auto_ai_critique", "auto_semantic_similarity"}


@pytest.mark.parametrize("entry", catalog(include_archived=True), ids=lambda entry: entry["key"])
def test_each_catalog_entry_has_a_valid_settings_schema(entry: dict[str, Any]) -> None:
    assert entry["name"] and entry["description"]
    assert entry["uri"] == f"agenta:builtin:{entry['key']}:v0"
    jsonschema.Draft202012Validator.check_schema(entry["settings_schema"])


@pytest.mark.parametrize("evaluator", BUILTIN_EVALUATORS, ids=lambda evaluator: evaluator.key)
def test_defaults_are_valid_settings(evaluator: BuiltinEvaluator) -> None:
    schema = evaluator.settings.json_schema()
    try:
        settings = evaluator.validate_settings({})
    except MissingSetting as missing:
        assert missing.setting in schema["required"]
        return
    jsonschema.validate(settings, schema)


def test_it_finds_an_evaluator_by_its_original_uri() -> None:
    assert get_evaluator("agenta:builtin:auto_regex_test:v0").key == "auto_regex_test"


@pytest.mark.parametrize(
    "name", ["auto_unknown", "agenta:builtin:auto_regex_test:v9", "agenta:custom:x:v0"]
)
def test_an_unknown_evaluator_is_a_typed_error(name: str) -> None:
    with pytest.raises(UnknownEvaluator) as caught:
        get_evaluator(name)
    assert caught.value.code == "interface:invalid-uri"
    assert caught.value.type_url == "https://agenta.ai/docs/misc/errors#v0:interface:invalid-uri"
