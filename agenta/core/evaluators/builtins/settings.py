"""Evaluator settings: declared once, validated strictly, described as JSON Schema for the catalog.

An evaluator declares its settings as a tuple of ``Setting``; each setting has a ``kind`` that
both cleans a raw value (from JSON or from an HTML form) and describes itself as JSON Schema.
``SettingsSchema.validate`` returns a dict with every declared setting (defaults filled in) and
raises ``InvalidSettings``/``MissingSetting`` naming the setting that is wrong.

Deliberate differences from the original product:
- thresholds accept any number in (0, 1], including the integer ``1`` (the original required a
  float, so ``1`` was rejected);
- lists of strings also accept one comma-separated string, as the original UI sent them;
- unknown settings are ignored, so configurations carrying extra keys (``version``, UI state)
  still load.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from .errors import InvalidSettings, MissingSetting, RegexPatternError


class SettingKind(Protocol):
    """Cleans raw values of one kind and describes the kind as JSON Schema."""

    def clean(self, name: str, value: Any) -> Any: ...

    def schema(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Setting:
    """One declared setting; ``required`` settings have no default."""

    name: str
    label: str
    kind: SettingKind
    description: str = ""
    default: Any = None
    required: bool = False
    aliases: tuple[str, ...] = ()
    advanced: bool = False

    def schema(self) -> dict[str, Any]:
        """This setting as a JSON Schema property."""
        prop = {**self.kind.schema(), "title": self.label}
        if self.description:
            prop["description"] = self.description
        if not self.required and self.default is not None:
            prop["default"] = self.default
        if self.advanced:
            prop["x-advanced"] = True
        return prop


@dataclass(frozen=True)
class SettingsSchema:
    """The settings of one evaluator."""

    settings: tuple[Setting, ...] = ()

    def validate(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """Clean ``raw`` into a complete settings dict, or raise naming the bad setting."""
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise InvalidSettings("settings", f"expected an object, got {type(raw).__name__}")
        return {setting.name: _clean_one(setting, raw) for setting in self.settings}

    def json_schema(self) -> dict[str, Any]:
        """The settings as a JSON Schema object, for the catalog and settings forms."""
        return {
            "type": "object",
            "properties": {setting.name: setting.schema() for setting in self.settings},
            "required": [setting.name for setting in self.settings if setting.required],
        }


def _clean_one(setting: Setting, raw: Mapping[str, Any]) -> Any:
    value = _lookup(setting, raw)
    if value is None or (isinstance(value, str) and value.strip() == "" and setting.required):
        if setting.required:
            raise MissingSetting(setting.name, "is required")
        # A copy, so that a caller changing its settings cannot change the declared default.
        return copy.deepcopy(setting.default)
    return setting.kind.clean(setting.name, value)


def _lookup(setting: Setting, raw: Mapping[str, Any]) -> Any:
    for name in (setting.name, *setting.aliases):
        if raw.get(name) is not None:
            return raw[name]
    return None


@dataclass(frozen=True)
class Text:
    """A string; ``multiline`` and ``format`` only shape the form."""

    multiline: bool = False
    format: str | None = None

    def clean(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidSettings(name, f"expected text, got {type(value).__name__}")
        return value

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if self.multiline:
            schema["x-multiline"] = True
        if self.format:
            schema["format"] = self.format
        return schema


@dataclass(frozen=True)
class Boolean:
    """True or false; forms may send "true"/"false"/"on"/"1"/"0"."""

    def clean(self, name: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _BOOLEAN_WORDS:
            return _BOOLEAN_WORDS[value.strip().lower()]
        raise InvalidSettings(name, f"expected true or false, got {value!r}")

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


_BOOLEAN_WORDS = {"true": True, "on": True, "1": True, "yes": True}
_BOOLEAN_WORDS |= {"false": False, "off": False, "0": False, "no": False}


@dataclass(frozen=True)
class Threshold:
    """A number in (0, 1]; integers (``1``) and numeric strings are accepted."""

    def clean(self, name: str, value: Any) -> float:
        number = _as_number(value)
        if number is None or not 0 < number <= 1:
            raise InvalidSettings(
                name, f"expected a number greater than 0 and at most 1, got {value!r}"
            )
        return number

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "exclusiveMinimum": 0, "maximum": 1}


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Choice:
    """One of fixed options (compared as strings, so a version ``3`` matches ``"3"``)."""

    options: tuple[str, ...]

    def clean(self, name: str, value: Any) -> str:
        readable = isinstance(value, str | int) and not isinstance(value, bool)
        text = str(value).strip() if readable else None
        if text not in self.options:
            raise InvalidSettings(name, f"expected one of {', '.join(self.options)}; got {value!r}")
        return text

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.options)}


@dataclass(frozen=True)
class TextList:
    """A non-empty list of strings, or one comma-separated string; items are trimmed."""

    def clean(self, name: str, value: Any) -> list[str]:
        if isinstance(value, str):
            items: Sequence[Any] = value.split(",")
        elif isinstance(value, list | tuple):
            items = value
        else:
            raise InvalidSettings(name, f"expected a list of text, got {type(value).__name__}")
        if not all(isinstance(item, str) for item in items):
            raise InvalidSettings(name, "every item must be text")
        cleaned = [item.strip() for item in items if item.strip()]
        if not cleaned:
            raise InvalidSettings(name, "must contain at least one non-empty item")
        return cleaned

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string"}, "minItems": 1}


@dataclass(frozen=True)
class JsonObject:
    """A JSON object, given as an object or as JSON text; ``check`` validates it further."""

    check: Callable[[str, dict[str, Any]], None] | None = None

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            value = _parse_json_text(name, value)
        if not isinstance(value, dict):
            raise InvalidSettings(name, f"expected a JSON object, got {type(value).__name__}")
        if self.check is not None:
            self.check(name, value)
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "object"}


@dataclass(frozen=True)
class Messages:
    """A non-empty list of chat messages ``{"role": ..., "content": "..."}``."""

    roles: tuple[str, ...] = ("system", "user", "assistant")

    def clean(self, name: str, value: Any) -> list[dict[str, str]]:
        if isinstance(value, str):
            value = _parse_json_text(name, value)
        if not isinstance(value, list) or not value:
            raise InvalidSettings(name, "expected a non-empty list of messages")
        return [self._message(name, index, item) for index, item in enumerate(value)]

    def _message(self, name: str, index: int, item: Any) -> dict[str, str]:
        where = f"message {index + 1}"
        if not isinstance(item, dict):
            raise InvalidSettings(name, f"{where} must be an object with role and content")
        role, content = item.get("role"), item.get("content")
        if role not in self.roles:
            raise InvalidSettings(name, f"{where} has role {role!r}; use one of {self.roles}")
        if not isinstance(content, str):
            raise InvalidSettings(name, f"{where} must have text content")
        return {"role": role, "content": content}

    def schema(self) -> dict[str, Any]:
        message = {
            "type": "object",
            "properties": {
                "role": {"type": "string", "enum": list(self.roles)},
                "content": {"type": "string"},
            },
            "required": ["role", "content"],
        }
        return {"type": "array", "items": message, "minItems": 1}


def _parse_json_text(name: str, value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise InvalidSettings(name, f"is not valid JSON ({exc})") from exc


@dataclass(frozen=True)
class Url:
    """An absolute http(s) URL. Whether its address may be reached is decided at call time."""

    def clean(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidSettings(name, f"expected a URL, got {type(value).__name__}")
        parts = urlsplit(value.strip())
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise InvalidSettings(name, f"expected an http:// or https:// URL, got {value!r}")
        return value.strip()

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uri"}


@dataclass(frozen=True)
class RegexPattern:
    """A Python regular expression that must compile."""

    def clean(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidSettings(
                name, f"expected a regular expression, got {type(value).__name__}"
            )
        try:
            re.compile(value)
        except re.error as exc:
            raise RegexPatternError(name, f"is not a valid regular expression ({exc})") from exc
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "regex"}


@dataclass(frozen=True)
class Custom:
    """A kind defined by a cleaning function and a fixed schema."""

    cleaner: Callable[[str, Any], Any]
    json_schema: dict[str, Any] = field(default_factory=dict)

    def clean(self, name: str, value: Any) -> Any:
        return self.cleaner(name, value)

    def schema(self) -> dict[str, Any]:
        return dict(self.json_schema)


def correct_answer_key(required: bool = True) -> Setting:
    """The test-set column holding the expected answer."""
    return Setting(
        name="correct_answer_key",
        label="Expected answer column",
        kind=Text(),
        description="Name of the test-set column that holds the expected answer."
        + ("" if required else " Optional: leave the column out of the test set to skip it."),
        default="correct_answer",
        advanced=True,
    )


def threshold(default: float = 0.5, aliases: tuple[str, ...] = ()) -> Setting:
    """The score at or above which a result counts as a success."""
    return Setting(
        name="threshold",
        label="Threshold",
        kind=Threshold(),
        description="Scores at or above this value (in (0, 1]) count as a success.",
        default=default,
        aliases=aliases,
    )


def case_sensitive() -> Setting:
    """Whether text comparisons distinguish upper and lower case."""
    return Setting(
        name="case_sensitive",
        label="Case sensitive",
        kind=Boolean(),
        description="Distinguish upper and lower case when comparing text.",
        default=True,
    )
