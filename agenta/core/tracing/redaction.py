"""Per-project redaction of sensitive values in spans, applied before storage.

A project keeps a list of rules (stored as plain mappings, validated here):
- `key`: a glob (case-insensitive) on attribute keys. It is tried against the key's full
  dotted path (`ag.data.inputs.password`, list items count as `0`, `1`, ...) and against
  the bare key (`password`); a match replaces the whole value, whatever its type.
- `regex`: a regular expression; every match inside any text value is replaced.
- `preset`: a built-in detector named by `pattern`: `email`, `card_number` (13-19 digits,
  spaces or dashes allowed, replaced only when the Luhn checksum holds, so order numbers
  survive), `api_key` (`sk-...` OpenAI/Anthropic style keys, AWS access key ids, GitHub
  and Google API tokens) and `bearer_token` (the token after `Bearer`).
Each rule may name its `targets` among `inputs` (`ag.data.inputs`), `outputs`
(`ag.data.outputs`), `attributes` (every other attribute) and `events` (event attributes,
the exception summary and the status message); the default is all four.

`compile_rules` validates once (errors name the rule) and returns a `Redactor`;
`redact_span` returns a redacted copy and never mutates its input; `preview` shows what
the rules would change (path, before, after) so the settings page can show it before saving.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agenta.core.tracing.span import Span

TARGETS = ("inputs", "outputs", "attributes", "events")
KINDS = ("key", "regex", "preset")
DEFAULT_REPLACEMENT = "[REDACTED]"
_MAX_PATTERN = 1000
_MAX_REPLACEMENT = 200

_PRESETS: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
    "card_number": r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])",
    "api_key": (
        r"\bsk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_\-]{16,}"
        r"|\bAKIA[0-9A-Z]{16}\b"
        r"|\bgh[pousr]_[A-Za-z0-9]{36,}\b"
        r"|\bAIza[0-9A-Za-z_\-]{35}\b"
    ),
    # The scheme word is kept (group 1) so the redacted header still reads as one.
    "bearer_token": r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]+=*",
}
PRESETS = tuple(_PRESETS)


class RedactionRuleError(ValueError):
    """A redaction rule is invalid; the message names the rule and what is wrong."""

    def __init__(self, rule_name: str, problem: str) -> None:
        super().__init__(f"redaction rule {rule_name!r}: {problem}")
        self.rule_name = rule_name
        self.problem = problem


@dataclass(frozen=True, slots=True)
class RedactionRule:
    """One project rule, as stored in project settings."""

    name: str
    kind: str
    pattern: str
    replacement: str = DEFAULT_REPLACEMENT
    targets: tuple[str, ...] = TARGETS


@dataclass(frozen=True, slots=True)
class _KeyRule:
    glob: re.Pattern[str]
    replacement: str
    targets: frozenset[str]


@dataclass(frozen=True, slots=True)
class _TextRule:
    regex: re.Pattern[str]
    substitute: Callable[[re.Match[str]], str]
    targets: frozenset[str]


@dataclass(frozen=True, slots=True)
class Redactor:
    """Compiled rules, ready to apply to many spans."""

    key_rules: tuple[_KeyRule, ...] = ()
    text_rules: tuple[_TextRule, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to redact."""
        return not self.key_rules and not self.text_rules


@dataclass(frozen=True, slots=True)
class Change:
    """One value a redaction changed."""

    path: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class SpanPreview:
    """What redaction changes in one span."""

    span_id: str
    span_name: str
    changes: tuple[Change, ...]


def compile_rules(rules: Iterable[RedactionRule | Mapping[str, Any]]) -> Redactor:
    """Validate rules and compile them; raises `RedactionRuleError` naming a bad rule."""
    key_rules: list[_KeyRule] = []
    text_rules: list[_TextRule] = []
    names: set[str] = set()
    for position, raw in enumerate(rules):
        rule = _as_rule(raw, position)
        if rule.name in names:
            raise RedactionRuleError(rule.name, "another rule already has this name")
        names.add(rule.name)
        if rule.kind == "key":
            key_rules.append(_KeyRule(_glob(rule), rule.replacement, frozenset(rule.targets)))
        else:
            text_rules.append(_text_rule(rule))
    return Redactor(tuple(key_rules), tuple(text_rules))


def _as_rule(raw: RedactionRule | Mapping[str, Any], position: int) -> RedactionRule:
    if isinstance(raw, Mapping):
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise RedactionRuleError(f"#{position + 1}", "name must be a non-empty string")
        rule = RedactionRule(
            name=name,
            kind=raw.get("kind"),  # type: ignore[arg-type]
            pattern=raw.get("pattern"),  # type: ignore[arg-type]
            replacement=raw.get("replacement", DEFAULT_REPLACEMENT),
            targets=tuple(raw.get("targets") or TARGETS),
        )
    else:
        rule = raw
    _check(rule)
    return rule


def _check(rule: RedactionRule) -> None:
    if not isinstance(rule.name, str) or not rule.name.strip():
        raise RedactionRuleError(str(rule.name), "name must be a non-empty string")
    if rule.kind not in KINDS:
        raise RedactionRuleError(rule.name, f"kind must be one of {', '.join(KINDS)}")
    if not isinstance(rule.pattern, str) or not rule.pattern:
        raise RedactionRuleError(rule.name, "pattern must be a non-empty string")
    if len(rule.pattern) > _MAX_PATTERN:
        raise RedactionRuleError(rule.name, f"pattern is longer than {_MAX_PATTERN} characters")
    if not isinstance(rule.replacement, str) or len(rule.replacement) > _MAX_REPLACEMENT:
        raise RedactionRuleError(
            rule.name, f"replacement must be text of at most {_MAX_REPLACEMENT} characters"
        )
    unknown = [target for target in rule.targets if target not in TARGETS]
    if unknown or not rule.targets:
        raise RedactionRuleError(rule.name, f"targets must be among {', '.join(TARGETS)}")
    if rule.kind == "preset" and rule.pattern not in _PRESETS:
        raise RedactionRuleError(
            rule.name, f"unknown preset {rule.pattern!r}; choose one of {', '.join(PRESETS)}"
        )


def _glob(rule: RedactionRule) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(rule.pattern), re.IGNORECASE)


def _text_rule(rule: RedactionRule) -> _TextRule:
    source = _PRESETS[rule.pattern] if rule.kind == "preset" else rule.pattern
    try:
        regex = re.compile(source)
    except re.error as error:
        raise RedactionRuleError(rule.name, f"invalid regular expression: {error}") from error
    if regex.fullmatch(""):
        raise RedactionRuleError(rule.name, "the regular expression matches empty text")
    return _TextRule(regex, _substitute(rule), frozenset(rule.targets))


def _substitute(rule: RedactionRule) -> Callable[[re.Match[str]], str]:
    replacement = rule.replacement
    if rule.kind == "preset" and rule.pattern == "card_number":
        return _luhn_substitute(replacement)
    if rule.kind == "preset" and rule.pattern == "bearer_token":
        return lambda match: match.group(1) + replacement
    # A literal replacement: backslashes and group references in it are not interpreted.
    return lambda _match: replacement


def _luhn_substitute(replacement: str) -> Callable[[re.Match[str]], str]:
    def substitute(match: re.Match[str]) -> str:
        digits = [int(char) for char in match.group() if char.isdigit()]
        return replacement if _luhn_valid(digits) else match.group()

    return substitute


def _luhn_valid(digits: list[int]) -> bool:
    checksum = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        checksum += digit
    return checksum % 10 == 0


def redact_span(span: Span, redactor: Redactor) -> Span:
    """A copy of `span` with the rules applied; the original is left untouched."""
    if redactor.is_empty:
        return span
    return _Walk(redactor, None).span(span)


def redact_spans(spans: Iterable[Span], redactor: Redactor) -> list[Span]:
    """Redact a batch of spans (see `redact_span`)."""
    return [redact_span(span, redactor) for span in spans]


def preview(
    rules: Iterable[RedactionRule | Mapping[str, Any]], spans: Iterable[Span]
) -> list[SpanPreview]:
    """For each span, the values the rules would change, with before and after."""
    redactor = compile_rules(rules)
    previews: list[SpanPreview] = []
    for span in spans:
        changes: list[Change] = []
        _Walk(redactor, changes).span(span)
        previews.append(SpanPreview(span.span_id, span.name, tuple(changes)))
    return previews


@dataclass(slots=True)
class _Walk:
    """One redaction pass; records changes when `changes` is a list."""

    redactor: Redactor
    changes: list[Change] | None = field(default=None)

    def span(self, span: Span) -> Span:
        attributes = {
            key: self.tree(value, key, (key,), _target_of((key,)))
            for key, value in span.attributes.items()
        }
        events = [self.event(event, index) for index, event in enumerate(span.events)]
        return dataclasses.replace(
            span,
            attributes=attributes,
            events=events,
            exception=self.flat(span.exception, "exception") if span.exception else None,
            status_message=self.text(span.status_message, "status_message", "events"),
        )

    def event(self, event: dict[str, Any], index: int) -> dict[str, Any]:
        where = f"events.{index}.attributes"
        return {**event, "attributes": self.flat(event["attributes"], where)}

    def flat(self, values: dict[str, Any], where: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in values.items():
            path = f"{where}.{key}"
            hidden = self.key_match(key, key.rsplit(".", 1)[-1], "events")
            result[key] = (
                self.replace(value, hidden, path)
                if hidden is not None
                else self.value(value, path, "events")
            )
        return result

    def tree(self, value: Any, key: str, parts: tuple[str, ...], target: str) -> Any:
        path = ".".join(parts)
        hidden = self.key_match(path, key, target)
        if hidden is not None:
            return self.replace(value, hidden, f"attributes.{path}")
        if isinstance(value, dict):
            return {
                child: self.tree(item, child, (*parts, child), _target_of((*parts, child)))
                for child, item in value.items()
            }
        if isinstance(value, list):
            return [
                self.tree(item, str(index), (*parts, str(index)), target)
                for index, item in enumerate(value)
            ]
        return self.text(value, f"attributes.{path}", target)

    def value(self, value: Any, path: str, target: str) -> Any:
        if isinstance(value, dict):
            return {key: self.value(item, f"{path}.{key}", target) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item, f"{path}.{i}", target) for i, item in enumerate(value)]
        return self.text(value, path, target)

    def key_match(self, path: str, key: str, target: str) -> str | None:
        for rule in self.redactor.key_rules:
            if target in rule.targets and (rule.glob.match(path) or rule.glob.match(key)):
                return rule.replacement
        return None

    def replace(self, value: Any, replacement: str, path: str) -> Any:
        if value is None or value == replacement:
            return value
        self.record(path, value, replacement)
        return replacement

    def text(self, value: Any, path: str, target: str) -> Any:
        if not isinstance(value, str) or not value:
            return value
        redacted = value
        for rule in self.redactor.text_rules:
            if target in rule.targets:
                redacted = rule.regex.sub(rule.substitute, redacted)
        if redacted != value:
            self.record(path, value, redacted)
        return redacted

    def record(self, path: str, before: Any, after: Any) -> None:
        if self.changes is not None:
            self.changes.append(Change(path, before, after))


def _target_of(parts: tuple[str, ...]) -> str:
    if len(parts) >= 3 and parts[0] == "ag" and parts[1] == "data":
        if parts[2] == "inputs":
            return "inputs"
        if parts[2] == "outputs":
            return "outputs"
    return "attributes"
