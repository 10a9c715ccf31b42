"""Text matching evaluators: exact match, regex, starts/ends with, contains (one, any, all).

All of them compare the app output as text (non-string outputs as JSON, see ``values``) and give
a pass/fail verdict. Exact match compares with the ground-truth column and accepts structured
values on either side (``"42"`` matches ``42``; JSON objects match regardless of key order).
The others compare with text from the settings, case-sensitively unless told otherwise.

Regex patterns come from users and outputs from models, so a pattern with catastrophic
backtracking must not freeze a worker: the search runs with the ``regex`` package (same syntax as
``re``) under a time limit, in a thread, with the GIL released while it matches.
"""

from __future__ import annotations

import asyncio

import regex

from .base import BuiltinEvaluator, EvaluationCall, EvaluatorResult
from .errors import EvaluatorError
from .settings import (
    Boolean,
    RegexPattern,
    Setting,
    SettingsSchema,
    Text,
    TextList,
    case_sensitive,
    correct_answer_key,
)
from .values import expected_value, fold_case, loose_equal, output_text


async def _exact_match(call: EvaluationCall) -> EvaluatorResult:
    output_text(call.outputs)  # a missing output is an error, not a mismatch
    expected = expected_value(call.inputs, call.settings["correct_answer_key"])
    return EvaluatorResult.verdict(loose_equal(call.outputs, expected))


EXACT_MATCH = BuiltinEvaluator(
    key="auto_exact_match",
    name="Exact Match",
    description="Succeeds when the output equals the expected answer exactly "
    "(JSON values compare by structure).",
    settings=SettingsSchema((correct_answer_key(),)),
    run=_exact_match,
    tags=("classifiers",),
)


REGEX_TIME_LIMIT_SECONDS = 2.0


class RegexTimeout(EvaluatorError):
    code = "workflows:regex-timeout"
    status = 400


def _search(pattern: str, text: str, flags: int) -> bool:
    try:
        found = regex.search(
            pattern, text, flags | regex.VERSION0, timeout=REGEX_TIME_LIMIT_SECONDS, concurrent=True
        )
    except TimeoutError:
        raise RegexTimeout(
            f"the regex pattern took more than {REGEX_TIME_LIMIT_SECONDS:g} s on this output "
            "(catastrophic backtracking?); simplify the pattern"
        ) from None
    return found is not None


async def _regex_test(call: EvaluationCall) -> EvaluatorResult:
    flags = 0 if call.settings["case_sensitive"] else regex.IGNORECASE
    text = output_text(call.outputs)
    matched = await asyncio.to_thread(_search, call.settings["regex_pattern"], text, flags)
    return EvaluatorResult.verdict(matched == call.settings["regex_should_match"], matched=matched)


REGEX_TEST = BuiltinEvaluator(
    key="auto_regex_test",
    name="Regex Test",
    description="Succeeds when a regular expression is found in the output "
    "(or, if so configured, when it is not).",
    settings=SettingsSchema(
        (
            Setting(
                "regex_pattern",
                "Regex pattern",
                RegexPattern(),
                "Python regular expression searched anywhere in the output.",
                required=True,
            ),
            Setting(
                "regex_should_match",
                "Should match",
                Boolean(),
                "Succeed when the pattern is found (on) or when it is absent (off).",
                default=True,
            ),
            case_sensitive(),
        )
    ),
    run=_regex_test,
    tags=("classifiers",),
)


def _text_setting(name: str, label: str, description: str) -> Setting:
    return Setting(name, label, Text(), description, required=True)


def _prepared(call: EvaluationCall, text: str) -> tuple[str, str]:
    """The output and ``text``, both case-folded when case does not matter."""
    sensitive = call.settings["case_sensitive"]
    return fold_case(output_text(call.outputs), sensitive), fold_case(text, sensitive)


async def _starts_with(call: EvaluationCall) -> EvaluatorResult:
    output, prefix = _prepared(call, call.settings["prefix"])
    return EvaluatorResult.verdict(output.startswith(prefix))


async def _ends_with(call: EvaluationCall) -> EvaluatorResult:
    output, suffix = _prepared(call, call.settings["suffix"])
    return EvaluatorResult.verdict(output.endswith(suffix))


async def _contains(call: EvaluationCall) -> EvaluatorResult:
    output, substring = _prepared(call, call.settings["substring"])
    return EvaluatorResult.verdict(substring in output)


def _found_substrings(call: EvaluationCall) -> tuple[list[str], list[str]]:
    """The configured substrings split into (found, missing) in the output."""
    sensitive = call.settings["case_sensitive"]
    output = fold_case(output_text(call.outputs), sensitive)
    found, missing = [], []
    for substring in call.settings["substrings"]:
        (found if fold_case(substring, sensitive) in output else missing).append(substring)
    return found, missing


async def _contains_any(call: EvaluationCall) -> EvaluatorResult:
    found, _missing = _found_substrings(call)
    return EvaluatorResult.verdict(bool(found), found=found)


async def _contains_all(call: EvaluationCall) -> EvaluatorResult:
    _found, missing = _found_substrings(call)
    return EvaluatorResult.verdict(not missing, missing=missing)


STARTS_WITH = BuiltinEvaluator(
    key="auto_starts_with",
    name="Starts With",
    description="Succeeds when the output starts with the given prefix.",
    settings=SettingsSchema(
        (_text_setting("prefix", "Prefix", "Text the output must start with."), case_sensitive())
    ),
    run=_starts_with,
    tags=("classifiers",),
    archived=True,
)

ENDS_WITH = BuiltinEvaluator(
    key="auto_ends_with",
    name="Ends With",
    description="Succeeds when the output ends with the given suffix.",
    settings=SettingsSchema(
        (_text_setting("suffix", "Suffix", "Text the output must end with."), case_sensitive())
    ),
    run=_ends_with,
    tags=("classifiers",),
    archived=True,
)

CONTAINS = BuiltinEvaluator(
    key="auto_contains",
    name="Contains",
    description="Succeeds when the output contains the given text.",
    settings=SettingsSchema(
        (
            _text_setting("substring", "Substring", "Text the output must contain."),
            case_sensitive(),
        )
    ),
    run=_contains,
    tags=("classifiers",),
    archived=True,
)

_SUBSTRINGS = Setting(
    "substrings",
    "Substrings",
    TextList(),
    "List of texts (or one comma-separated text); surrounding spaces are ignored.",
    required=True,
)

CONTAINS_ANY = BuiltinEvaluator(
    key="auto_contains_any",
    name="Contains Any",
    description="Succeeds when the output contains at least one of the given texts.",
    settings=SettingsSchema((_SUBSTRINGS, case_sensitive())),
    run=_contains_any,
    tags=("classifiers",),
    archived=True,
)

CONTAINS_ALL = BuiltinEvaluator(
    key="auto_contains_all",
    name="Contains All",
    description="Succeeds when the output contains every one of the given texts.",
    settings=SettingsSchema((_SUBSTRINGS, case_sensitive())),
    run=_contains_all,
    tags=("classifiers",),
    archived=True,
)
