"""JSON evaluators: contains JSON, JSON schema, field match, multi-field match, JSON diff.

Outputs that are not valid JSON are a *failed evaluation* (success false, score 0, the parse
error in ``details``), never an exception: an LLM that answers with prose simply fails. A ground
truth that is not valid JSON is a test-set problem and is reported as an ``invalid-input`` error.
(The original raised on invalid outputs in JSON diff only; we treat all JSON evaluators alike.)

Field paths accept dot notation, JSONPath and JSON Pointer (see ``json_paths``). Field values
compare leniently (``"42"`` matches ``42``), JSON diff compares leaves strictly by JSON type.
JSON schemas are validated with the ``jsonschema`` library; remote ``$ref`` are never fetched
(an unresolvable reference is reported as a settings error).
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError
from referencing.exceptions import Unresolvable

from . import json_paths
from .base import BuiltinEvaluator, EvaluationCall, EvaluatorResult
from .errors import InvalidSettings, JsonDiffError
from .settings import (
    Boolean,
    Custom,
    JsonObject,
    Setting,
    SettingsSchema,
    Text,
    TextList,
    correct_answer_key,
    threshold,
)
from .values import (
    expected_value,
    json_equal,
    json_type,
    loose_equal,
    output_text,
    parse_expected_json,
    parse_json,
)

MAX_REPORTED_PROBLEMS = 20


def _parsed_output(outputs: Any) -> tuple[Any, str | None]:
    """The output as JSON, or ``(None, reason)`` when it is not JSON."""
    output_text(outputs)  # a missing output is an error, not a parse failure
    try:
        return parse_json(outputs), None
    except ValueError as exc:
        return None, f"the output is not valid JSON ({exc})"


async def _contains_json(call: EvaluationCall) -> EvaluatorResult:
    if isinstance(call.outputs, dict | list):
        return EvaluatorResult.verdict(True)
    text = output_text(call.outputs)
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end < start:
        return EvaluatorResult.verdict(False, reason="no JSON object found in the output")
    try:
        json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        return EvaluatorResult.verdict(False, reason=f"the JSON object is malformed ({exc})")
    return EvaluatorResult.verdict(True)


CONTAINS_JSON = BuiltinEvaluator(
    key="auto_contains_json",
    name="Contains JSON",
    description="Succeeds when the output contains a valid JSON object "
    "(from its first '{' to its last '}').",
    settings=SettingsSchema(),
    run=_contains_json,
    tags=("classifiers",),
)


def _check_schema(name: str, schema: dict[str, Any]) -> None:
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        raise InvalidSettings(name, f"is not a valid JSON schema ({exc.message})") from exc


async def _json_schema(call: EvaluationCall) -> EvaluatorResult:
    document, problem = _parsed_output(call.outputs)
    if problem:
        return EvaluatorResult.verdict(False, errors=[problem])
    schema = call.settings["json_schema"]
    validator = jsonschema.validators.validator_for(schema)(schema)
    try:
        errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    except Unresolvable as exc:
        raise InvalidSettings(
            "json_schema", f"has a $ref that cannot be resolved ({exc}); only local refs work"
        ) from exc
    messages = [f"at {error.json_path}: {error.message}" for error in errors]
    return EvaluatorResult.verdict(not errors, errors=messages[:MAX_REPORTED_PROBLEMS])


JSON_SCHEMA = BuiltinEvaluator(
    key="auto_json_schema",
    name="JSON Schema Validation",
    description="Succeeds when the output is JSON that validates against a JSON schema.",
    settings=SettingsSchema(
        (
            Setting(
                "json_schema",
                "JSON schema",
                JsonObject(check=_check_schema),
                "The schema the output must satisfy (any draft jsonschema supports).",
                required=True,
            ),
        )
    ),
    run=_json_schema,
    tags=("classifiers",),
)


async def _field_match(call: EvaluationCall) -> EvaluatorResult:
    expected = expected_value(call.inputs, call.settings["correct_answer_key"])
    document, problem = _parsed_output(call.outputs)
    if problem:
        return EvaluatorResult.verdict(False, reason=problem)
    field = call.settings["json_field"]
    try:
        actual = _field_value(document, field)
    except (json_paths.PathNotFound, ValueError) as exc:
        return EvaluatorResult.verdict(False, reason=f"field {field!r}: {exc}")
    return EvaluatorResult.verdict(loose_equal(actual, expected))


def _field_value(document: Any, field: str) -> Any:
    """A top-level key named ``field`` wins; otherwise ``field`` is read as a path."""
    if isinstance(document, dict) and field in document:
        return document[field]
    return json_paths.resolve(document, json_paths.parse_path(field))


FIELD_MATCH = BuiltinEvaluator(
    key="field_match_test",
    name="JSON Field Match",
    description="Succeeds when one field of the JSON output equals the expected answer.",
    settings=SettingsSchema(
        (
            Setting(
                "json_field",
                "JSON field",
                Text(),
                "Key (or path) of the field to compare, e.g. 'country' or 'address.city'.",
                required=True,
            ),
            correct_answer_key(),
        )
    ),
    run=_field_match,
    tags=("classifiers",),
    archived=True,
)


def _clean_paths(name: str, value: Any) -> list[str]:
    paths = TextList().clean(name, value)
    for path in paths:
        try:
            json_paths.parse_path(path)
        except ValueError as exc:
            raise InvalidSettings(name, str(exc)) from exc
    return paths


async def _multi_field_match(call: EvaluationCall) -> EvaluatorResult:
    expected = parse_expected_json(call.inputs, call.settings["correct_answer_key"])
    actual, problem = _parsed_output(call.outputs)
    fields = call.settings["fields"]
    scores = {field: 0.0 for field in fields}
    if not problem:
        scores = {field: _field_score(actual, expected, field) for field in fields}
    aggregate = sum(scores.values()) / len(scores)
    details: dict[str, Any] = {**scores, "aggregate_score": aggregate}
    if problem:
        details["reason"] = problem
    return EvaluatorResult.scored(aggregate, call.settings["threshold"], **details)


def _field_score(actual: Any, expected: Any, field: str) -> float:
    path = json_paths.parse_path(field)
    try:
        matched = loose_equal(json_paths.resolve(actual, path), json_paths.resolve(expected, path))
    except json_paths.PathNotFound:
        matched = False
    return 1.0 if matched else 0.0


MULTI_FIELD_MATCH = BuiltinEvaluator(
    key="json_multi_field_match",
    name="JSON Multi-Field Match",
    description="Compares several fields of the JSON output with the expected JSON; "
    "one metric per field plus the fraction that matched.",
    settings=SettingsSchema(
        (
            Setting(
                "fields",
                "Fields",
                Custom(_clean_paths, TextList().schema()),
                "Paths of the fields to compare: dot (a.b), JSONPath ($.a.b) or pointer (/a/b).",
                required=True,
            ),
            correct_answer_key(),
            threshold(default=1.0),
        )
    ),
    run=_multi_field_match,
    tags=("classifiers",),
)


async def _json_diff(call: EvaluationCall) -> EvaluatorResult:
    settings = call.settings
    expected = parse_expected_json(call.inputs, settings["correct_answer_key"])
    actual, problem = _parsed_output(call.outputs)
    if problem:
        return EvaluatorResult.scored(0.0, settings["threshold"], reason=problem)
    try:
        score, mismatched = _diff_score(expected, actual, settings)
    except RecursionError as exc:
        raise JsonDiffError("the JSON documents are nested too deeply to compare") from exc
    return EvaluatorResult.scored(
        score, settings["threshold"], mismatched_keys=mismatched[:MAX_REPORTED_PROBLEMS]
    )


def _diff_score(expected: Any, actual: Any, settings: dict[str, Any]) -> tuple[float, list[str]]:
    lower = settings["case_insensitive_keys"]
    expected_leaves = json_paths.flatten(expected, lowercase_keys=lower)
    actual_leaves = json_paths.flatten(actual, lowercase_keys=lower)
    keys = list(expected_leaves)
    if settings["predict_keys"]:
        keys += [key for key in actual_leaves if key not in expected_leaves]
    if not keys:
        return 1.0, []
    same = _same_type if settings["compare_schema_only"] else json_equal
    mismatched = [
        key
        for key in keys
        if key not in expected_leaves
        or key not in actual_leaves
        or not same(expected_leaves[key], actual_leaves[key])
    ]
    return 1 - len(mismatched) / len(keys), mismatched


def _same_type(left: Any, right: Any) -> bool:
    return json_type(left) == json_type(right)


JSON_DIFF = BuiltinEvaluator(
    key="auto_json_diff",
    name="JSON Diff Match",
    description="Scores how many leaf values of the JSON output match the expected JSON.",
    settings=SettingsSchema(
        (
            Setting(
                "compare_schema_only",
                "Compare schema only",
                Boolean(),
                "Only check that each leaf has the same JSON type, not the same value.",
                default=False,
            ),
            Setting(
                "predict_keys",
                "Include extra output keys",
                Boolean(),
                "Also count keys present only in the output (they lower the score).",
                default=False,
            ),
            Setting(
                "case_insensitive_keys",
                "Case-insensitive keys",
                Boolean(),
                "Match keys regardless of upper and lower case.",
                default=False,
            ),
            correct_answer_key(),
            threshold(),
        )
    ),
    run=_json_diff,
    tags=("similarity",),
)
