"""Human feedback schemas: the questions an annotator is asked, and what their answers mean.

A human evaluator (Agenta's ``agenta:custom:feedback:v0``, agenta-behaviour.md §2.4) is a named
list of fields; each field is one question of a kind:

- ``boolean``: yes or no (``approved``);
- ``scale``: a whole number from ``minimum`` to ``maximum`` (a 1-5 rating);
- ``number``: any number, optionally bounded (a continuous score);
- ``choice``: exactly one of ``choices`` (a class);
- ``labels``: any subset of ``choices`` (tags);
- ``text``: a free note of at most ``max_length`` characters.

The original product's names for the kinds (``integer``, ``class``, ``label``, ``string``) are
accepted as aliases. ``parse_evaluator`` checks a schema given as JSON (a ``FeedbackError``
names the bad part); ``answers`` checks what annotators submit. ``numeric_value`` and
``category_of`` give the views agreement statistics and run metrics need.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,99}$")
MAX_CHOICES = 50
MAX_FIELDS = 20
DEFAULT_TEXT_LENGTH = 5000


class FeedbackKind(StrEnum):
    """The kinds of question a human evaluator can ask."""

    BOOLEAN = "boolean"
    SCALE = "scale"
    NUMBER = "number"
    CHOICE = "choice"
    LABELS = "labels"
    TEXT = "text"


ALIASES = {
    "bool": FeedbackKind.BOOLEAN,
    "integer": FeedbackKind.SCALE,
    "float": FeedbackKind.NUMBER,
    "class": FeedbackKind.CHOICE,
    "label": FeedbackKind.LABELS,
    "string": FeedbackKind.TEXT,
}
NUMERIC_KINDS = frozenset({FeedbackKind.BOOLEAN, FeedbackKind.SCALE, FeedbackKind.NUMBER})
CATEGORICAL_KINDS = frozenset({FeedbackKind.BOOLEAN, FeedbackKind.SCALE, FeedbackKind.CHOICE})


class FeedbackError(ValueError):
    """A schema or an answer is not acceptable; the message names the field."""


@dataclass(frozen=True)
class FeedbackField:
    """One question: its name (a key of the answers), kind, and the bounds of its answers."""

    name: str
    kind: FeedbackKind
    label: str = ""
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    required: bool = True
    max_length: int = DEFAULT_TEXT_LENGTH

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    @property
    def options(self) -> tuple[str, ...]:
        """What the keys 1-9 pick, in order: the choices, or the points of a scale."""
        if self.kind in (FeedbackKind.CHOICE, FeedbackKind.LABELS):
            return self.choices
        if self.kind is FeedbackKind.SCALE and self.minimum is not None:
            assert self.maximum is not None
            return tuple(str(v) for v in range(int(self.minimum), int(self.maximum) + 1))
        return ()

    def to_json(self) -> dict[str, Any]:
        """The stored form (what ``parse_field`` reads back)."""
        data: dict[str, Any] = {"name": self.name, "kind": self.kind.value}
        if self.label:
            data["label"] = self.label
        if self.description:
            data["description"] = self.description
        for key in ("minimum", "maximum"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        if self.choices:
            data["choices"] = list(self.choices)
        if not self.required:
            data["required"] = False
        if self.kind is FeedbackKind.TEXT:
            data["max_length"] = self.max_length
        return data


@dataclass(frozen=True)
class HumanEvaluator:
    """A named set of questions; annotations are filed under its slug."""

    slug: str
    name: str
    fields: tuple[FeedbackField, ...] = field(default_factory=tuple)

    def field(self, name: str) -> FeedbackField:
        for item in self.fields:
            if item.name == name:
                return item
        raise FeedbackError(f"{self.slug} has no field {name!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "fields": [item.to_json() for item in self.fields],
        }


QUALITY_RATING = HumanEvaluator(
    slug="quality-rating",
    name="Quality rating",
    fields=(FeedbackField("approved", FeedbackKind.BOOLEAN, label="Approved"),),
)


def parse_evaluator(data: Any, where: str = "evaluator") -> HumanEvaluator:
    """A human evaluator from its JSON form; ``FeedbackError`` naming the bad part."""
    if not isinstance(data, Mapping):
        raise FeedbackError(f"{where} must be an object with slug, name and fields")
    slug = str(data.get("slug") or "").strip()
    if not SLUG.match(slug):
        raise FeedbackError(
            f"{where}.slug must be lowercase letters, digits, '-' or '_', got {slug!r}"
        )
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise FeedbackError(f"{where}.fields must be a non-empty list of questions")
    if len(raw_fields) > MAX_FIELDS:
        raise FeedbackError(f"{where}.fields may hold at most {MAX_FIELDS} questions")
    fields = tuple(parse_field(item, f"{where}.fields[{i}]") for i, item in enumerate(raw_fields))
    names = [item.name for item in fields]
    if len(set(names)) != len(names):
        raise FeedbackError(f"{where}.fields: a field name is used twice")
    name = str(data.get("name") or "").strip() or slug
    return HumanEvaluator(slug=slug, name=name[:200], fields=fields)


def parse_field(data: Any, where: str = "field") -> FeedbackField:
    """One question from its JSON form; ``FeedbackError`` naming the bad part."""
    if not isinstance(data, Mapping):
        raise FeedbackError(f"{where} must be an object with name and kind")
    name = str(data.get("name") or "").strip()
    if not NAME.match(name):
        raise FeedbackError(
            f"{where}.name must start with a letter and hold lowercase letters, digits or '_', "
            f"got {name!r}"
        )
    kind = _kind(data.get("kind"), f"{where}.kind")
    minimum, maximum = _bounds(data, kind, f"{where} ({name})")
    return FeedbackField(
        name=name,
        kind=kind,
        label=str(data.get("label") or "").strip()[:200],
        description=str(data.get("description") or "").strip()[:1000],
        minimum=minimum,
        maximum=maximum,
        choices=_choices(data.get("choices"), kind, f"{where} ({name}).choices"),
        required=bool(data.get("required", True)),
        max_length=_max_length(data.get("max_length"), kind, f"{where} ({name}).max_length"),
    )


def numeric_value(item: FeedbackField, value: Any) -> float | None:
    """A checked answer as a number (booleans as 1/0); None for kinds without one."""
    if value is None or item.kind not in NUMERIC_KINDS:
        return None
    if item.kind is FeedbackKind.BOOLEAN:
        return 1.0 if value else 0.0
    return float(value)


def category_of(item: FeedbackField, value: Any) -> str | None:
    """A checked answer as a category label (for nominal agreement); None if it has none."""
    if value is None or item.kind not in CATEGORICAL_KINDS:
        return None
    if item.kind is FeedbackKind.BOOLEAN:
        return "yes" if value else "no"
    return str(value)


def outputs_schema(evaluator: HumanEvaluator) -> dict[str, Any]:
    """The JSON Schema of an evaluator's answers (Agenta's ``schemas.outputs``)."""
    properties = {item.name: _property(item) for item in evaluator.fields}
    required = [item.name for item in evaluator.fields if item.required]
    return {"type": "object", "properties": properties, "required": required}


def _property(item: FeedbackField) -> dict[str, Any]:
    kind = item.kind
    if kind is FeedbackKind.BOOLEAN:
        return {"type": "boolean"}
    if kind in (FeedbackKind.SCALE, FeedbackKind.NUMBER):
        schema: dict[str, Any] = {"type": "integer" if kind is FeedbackKind.SCALE else "number"}
        if item.minimum is not None:
            schema["minimum"] = item.minimum
        if item.maximum is not None:
            schema["maximum"] = item.maximum
        return schema
    if kind is FeedbackKind.CHOICE:
        return {"type": "string", "enum": list(item.choices)}
    if kind is FeedbackKind.LABELS:
        return {"type": "array", "items": {"type": "string", "enum": list(item.choices)}}
    return {"type": "string", "maxLength": item.max_length}


def _kind(value: Any, where: str) -> FeedbackKind:
    text = str(value or "").strip().lower()
    if text in ALIASES:
        return ALIASES[text]
    try:
        return FeedbackKind(text)
    except ValueError:
        known = ", ".join(kind.value for kind in FeedbackKind)
        raise FeedbackError(f"{where} must be one of {known}, got {value!r}") from None


def _bounds(
    data: Mapping[str, Any], kind: FeedbackKind, where: str
) -> tuple[float | None, float | None]:
    if kind not in (FeedbackKind.SCALE, FeedbackKind.NUMBER):
        return None, None
    minimum = _optional_number(data.get("minimum"), f"{where}.minimum")
    maximum = _optional_number(data.get("maximum"), f"{where}.maximum")
    if kind is FeedbackKind.SCALE:
        if minimum is None or maximum is None:
            raise FeedbackError(f"{where}: a scale needs a whole-number minimum and maximum")
        if minimum != int(minimum) or maximum != int(maximum):
            raise FeedbackError(f"{where}: a scale's minimum and maximum must be whole numbers")
        if not 2 <= maximum - minimum + 1 <= 11:
            raise FeedbackError(f"{where}: a scale has from 2 to 11 points")
        return int(minimum), int(maximum)
    if minimum is not None and maximum is not None and minimum >= maximum:
        raise FeedbackError(f"{where}: minimum must be below maximum")
    return minimum, maximum


def _optional_number(value: Any, where: str) -> float | None:
    if value is None or value == "":
        return None
    return number_of(value, where)


def _choices(value: Any, kind: FeedbackKind, where: str) -> tuple[str, ...]:
    if kind not in (FeedbackKind.CHOICE, FeedbackKind.LABELS):
        return ()
    if not isinstance(value, list) or len(value) < 2:
        raise FeedbackError(f"{where} must list at least two options")
    options = tuple(str(option).strip() for option in value)
    if any(not option for option in options):
        raise FeedbackError(f"{where}: an option is empty")
    if len(set(options)) != len(options):
        raise FeedbackError(f"{where}: an option is listed twice")
    if len(options) > MAX_CHOICES:
        raise FeedbackError(f"{where}: at most {MAX_CHOICES} options")
    return options


def _max_length(value: Any, kind: FeedbackKind, where: str) -> int:
    if kind is not FeedbackKind.TEXT or value in (None, ""):
        return DEFAULT_TEXT_LENGTH
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
        raise FeedbackError(f"{where} must be a whole number from 1 to 100000")
    return value


def number_of(value: Any, where: str) -> float:
    """``value`` as a finite number; a ``FeedbackError`` naming ``where`` otherwise."""
    if isinstance(value, bool):
        raise FeedbackError(f"{where}: must be a number, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise FeedbackError(f"{where}: must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise FeedbackError(f"{where}: must be a finite number, got {value!r}")
    return number
