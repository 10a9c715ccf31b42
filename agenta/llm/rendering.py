"""Turn a prompt config and its inputs into the messages sent to the provider.

``render_prompt`` renders every template message (string content, text parts and image URLs) in
the prompt's format, then appends the chat history unchanged; it also renders placeholders in the
keys and values of each config's ``response_format`` (not for ``fstring``, whose single braces
would collide with JSON Schema syntax such as regex quantifiers). Every unresolved variable of the
whole prompt is reported at once, with where it was found.

Variables have "dual access" (agenta-behaviour.md §3.4): every input is available at the root and
under ``inputs``, so ``{{country}}`` and ``{{$.inputs.country}}`` both work.

``detect_variables`` lists what the playground should ask for: the inputs read by the messages and
the response format, in order of first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from agenta.llm.errors import InputsError, UnresolvedVariablesError
from agenta.llm.prompt_config import ModelConfig, PromptTemplate
from agenta.llm.prompt_messages import check_messages
from agenta.llm.templating import render_template, template_variables

_HISTORY_KEY = "messages"


@dataclass(frozen=True)
class RenderedPrompt:
    """The provider messages, and the prompt with its response formats rendered."""

    messages: list[dict[str, Any]]
    prompt: PromptTemplate


def split_chat_inputs(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """Separate a chat call's ``messages`` history from its template variables."""
    variables = {key: value for key, value in inputs.items() if key != _HISTORY_KEY}
    history = inputs.get(_HISTORY_KEY) or []
    return variables, history if isinstance(history, list) else [history]


def render_prompt(
    prompt: PromptTemplate,
    inputs: Mapping[str, Any],
    *,
    history: Sequence[Any] = (),
) -> RenderedPrompt:
    """Render ``prompt`` with ``inputs`` and append the chat ``history`` after its messages.

    Raises ``InputsError`` for missing ``input_keys`` or a malformed history,
    ``UnresolvedVariablesError`` listing every placeholder without a value, and
    ``TemplateError`` for template syntax errors.
    """
    _check_inputs(prompt, inputs, history)
    renderer = _PromptRenderer(prompt.template_format, {"inputs": dict(inputs), **inputs})
    messages = [
        renderer.message(message, f"prompt.messages[{index}]")
        for index, message in enumerate(prompt.messages)
    ]
    llm_config = renderer.config(prompt.llm_config, "prompt.llm_config")
    fallbacks = [
        renderer.config(config, f"prompt.fallback_configs[{index}]")
        for index, config in enumerate(prompt.fallback_configs)
    ]
    renderer.raise_unresolved()
    rendered = replace(prompt, llm_config=llm_config, fallback_configs=fallbacks)
    return RenderedPrompt([*messages, *(dict(item) for item in history)], rendered)


def _check_inputs(
    prompt: PromptTemplate, inputs: Mapping[str, Any], history: Sequence[Any]
) -> None:
    missing = [key for key in prompt.input_keys or [] if key not in inputs]
    errors = [f"inputs.{key}: is required by the prompt's input_keys" for key in missing]
    errors.extend(check_messages(list(history), _HISTORY_KEY))
    if errors:
        raise InputsError(errors, missing)


class _PromptRenderer:
    """Renders the pieces of one prompt, collecting unresolved names across all of them."""

    def __init__(self, template_format: str, variables: Mapping[str, Any]) -> None:
        self.template_format = template_format
        self.variables = variables
        self.unresolved: dict[str, list[str]] = {}

    def text(self, template: str, where: str) -> str:
        try:
            return render_template(template, self.variables, self.template_format)
        except UnresolvedVariablesError as exc:
            for name in exc.names:
                self.unresolved.setdefault(name, []).append(where)
            return template

    def message(self, message: Mapping[str, Any], where: str) -> dict[str, Any]:
        content = message.get("content")
        if isinstance(content, str):
            content = self.text(content, f"{where}.content")
        elif isinstance(content, list):
            content = [
                self._part(part, f"{where}.content[{index}]") for index, part in enumerate(content)
            ]
        return {**message, "content": content}

    def _part(self, part: Mapping[str, Any], where: str) -> dict[str, Any]:
        if part.get("type") == "text":
            return {**part, "text": self.text(part["text"], f"{where}.text")}
        if part.get("type") == "image_url":
            image = part["image_url"]
            url = self.text(image["url"], f"{where}.image_url.url")
            return {**part, "image_url": {**image, "url": url}}
        return dict(part)

    def config(self, config: ModelConfig, where: str) -> ModelConfig:
        if not config.response_format or self.template_format == "fstring":
            return config
        rendered = self._json(config.response_format, f"{where}.response_format")
        return replace(config, response_format=rendered)

    def _json(self, value: Any, where: str) -> Any:
        """``value`` with its strings rendered; the very same object when nothing changed."""
        if isinstance(value, str):
            rendered = self.text(value, where) if "{" in value else value
            return value if rendered == value else rendered
        if isinstance(value, list):
            items = [self._json(item, f"{where}[{index}]") for index, item in enumerate(value)]
            return value if _same_objects(items, value) else items
        if isinstance(value, Mapping):
            keys = [self._json(key, f"{where}.{key}") for key in value]
            items = [self._json(item, f"{where}.{key}") for key, item in value.items()]
            unchanged = _same_objects(keys, value.keys()) and _same_objects(items, value.values())
            return value if unchanged else dict(zip(keys, items, strict=True))
        return value

    def raise_unresolved(self) -> None:
        if not self.unresolved:
            return
        places = dict.fromkeys(place for places in self.unresolved.values() for place in places)
        raise UnresolvedVariablesError(self.unresolved, where=", ".join(places))


def _same_objects(new: Iterable[Any], old: Iterable[Any]) -> bool:
    return all(a is b for a, b in zip(new, old, strict=True))


def detect_variables(prompt: PromptTemplate) -> list[str]:
    """The input names a prompt reads, for the playground's variables panel."""
    texts = [text for message in prompt.messages for text in _message_texts(message)]
    if prompt.template_format != "fstring":
        for config in prompt.model_configs():
            texts.extend(_json_strings(config.response_format))
    names = (name for text in texts for name in template_variables(text, prompt.template_format))
    return [name for name in dict.fromkeys(names) if name != "inputs"]


def _message_texts(message: Mapping[str, Any]) -> list[str]:
    content = message.get("content")
    if isinstance(content, str):
        return [content]
    texts: list[str] = []
    for part in content if isinstance(content, list) else []:
        if part.get("type") == "text":
            texts.append(part["text"])
        elif part.get("type") == "image_url":
            texts.append(part["image_url"]["url"])
    return texts


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if "{" in value else []
    if isinstance(value, list):
        return [text for item in value for text in _json_strings(item)]
    if isinstance(value, Mapping):
        return [
            text
            for key, item in value.items()
            for text in [*_json_strings(key), *_json_strings(item)]
        ]
    return []
