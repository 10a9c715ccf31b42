"""Evaluator settings as an HTML form: fields from the settings' JSON Schema, and back.

Each setting becomes one field named ``setting.<name>``: a select for choices, a checkbox for
booleans (with a hidden ``present.<name>`` so an unticked box reads as false), a number input,
a text input or text area for strings, and a JSON text area for objects and lists (messages,
schemas, field lists). ``settings_from_form`` turns the submitted fields back into raw settings
for the evaluator to validate; an empty field means "use the default", and JSON that does not
parse is a ``ValueError`` naming the setting. ``typed_fields`` fills the fields with the text as
submitted, so a form sent back with an error keeps what was typed, even text that did not parse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

PREFIX = "setting."
PRESENT = "present."
CHECKED = ("on", "true", "1")


@dataclass(frozen=True)
class Field:
    """One setting as a form field."""

    name: str
    label: str
    widget: str  # "select" | "checkbox" | "number" | "text" | "textarea" | "json"
    value: Any
    description: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    advanced: bool = False
    typed: str | None = None  # the text as submitted, shown instead of the value

    @property
    def input_name(self) -> str:
        return PREFIX + self.name

    @property
    def text(self) -> str:
        """The value as the field shows it."""
        if self.typed is not None:
            return self.typed
        if self.value is None:
            return ""
        if self.widget == "json":
            return json.dumps(self.value, indent=2, ensure_ascii=False)
        return str(self.value)


def form_fields(schema: Mapping[str, Any], values: Mapping[str, Any]) -> list[Field]:
    """The fields of a settings schema, filled with ``values`` (else the defaults)."""
    required = set(schema.get("required") or [])
    fields = []
    for name, prop in (schema.get("properties") or {}).items():
        value = values.get(name, prop.get("default"))
        fields.append(
            Field(
                name=name,
                label=str(prop.get("title") or name),
                widget=_widget(prop),
                value=value,
                description=str(prop.get("description") or ""),
                required=name in required,
                choices=tuple(str(choice) for choice in prop.get("enum") or ()),
                advanced=bool(prop.get("x-advanced")),
            )
        )
    return fields


def typed_fields(schema: Mapping[str, Any], form: Mapping[str, str]) -> list[Field]:
    """The fields of a settings schema holding what ``form`` submitted (else the defaults)."""
    fields = []
    for field in form_fields(schema, {}):
        if field.widget == "checkbox" and PRESENT + field.name in form:
            field = replace(field, value=form.get(field.input_name) in CHECKED)
        elif field.widget != "checkbox" and field.input_name in form:
            field = replace(field, typed=form[field.input_name])
        fields.append(field)
    return fields


def _widget(prop: Mapping[str, Any]) -> str:
    kind = prop.get("type")
    if prop.get("enum"):
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("number", "integer"):
        return "number"
    if kind == "string":
        return "textarea" if prop.get("x-multiline") else "text"
    return "json"


def settings_from_form(schema: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """Raw settings from the submitted form (the evaluator validates them next)."""
    settings: dict[str, Any] = {}
    for field in form_fields(schema, {}):
        raw = form.get(field.input_name)
        if field.widget == "checkbox":
            if PRESENT + field.name in form:
                settings[field.name] = raw in CHECKED
            continue
        if raw is None or raw.strip() == "":
            continue
        settings[field.name] = _parsed(field, raw)
    return settings


def _parsed(field: Field, raw: str) -> Any:
    if field.widget == "json":
        try:
            return json.loads(raw)
        except ValueError as error:
            raise ValueError(f"setting '{field.name}': not valid JSON ({error})") from None
    if field.widget == "number":
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"setting '{field.name}': {raw!r} is not a number") from None
    return raw
