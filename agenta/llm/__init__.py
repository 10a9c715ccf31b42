"""The LLM layer: prompt configs and templates, providers, retries and fallbacks, prices.

The services layer uses it in four steps::

    prompt = parse_prompt_template(parameters["prompt"])          # PromptConfigError names fields
    variables, history = split_chat_inputs(inputs)                # chat apps only
    rendered = render_prompt(prompt, variables, history=history)  # UnresolvedVariablesError
    plan = plan_call(rendered, connections=vault_records, env=os.environ)  # CredentialsError
    completion = await llm_client.complete(plan)                  # ProviderError after policies

Embeddings take the model name and the same connections:
``await embed_texts(llm_client.pool, "text-embedding-3-small", texts, connections=..., env=...)``.

``LLMClient`` is created once by the app (it pools SDK clients) and closed at shutdown.
Importing this package does not import the ``openai``/``anthropic`` SDKs or Jinja2: they load on
first use, so server start-up stays fast.
"""

from agenta.llm.catalog import CatalogEntry, ModelCatalog, ModelPrice, load_catalog
from agenta.llm.client import CallPlan, CallTarget, LLMClient, plan_call
from agenta.llm.config_parsing import parse_model_config, parse_prompt_template
from agenta.llm.credentials import (
    ConnectionRecord,
    ProviderCredentials,
    ResolvedModel,
    connection_model_names,
    resolve_model,
)
from agenta.llm.embeddings import Embeddings, embed_texts
from agenta.llm.errors import (
    CredentialsError,
    EmbeddingsUnsupportedError,
    ErrorKind,
    InputsError,
    LLMError,
    PromptConfigError,
    ProviderError,
    TemplateError,
    UnresolvedVariablesError,
    api_status_for,
)
from agenta.llm.pool import ProviderPool
from agenta.llm.pricing import cost_of, price_for
from agenta.llm.prompt_config import ModelConfig, PromptTemplate, RetryConfig
from agenta.llm.providers.base import ChatRequest, Provider
from agenta.llm.rendering import RenderedPrompt, detect_variables, render_prompt, split_chat_inputs
from agenta.llm.results import Completion, StreamDelta, StreamEnd, StreamEvent, Usage
from agenta.llm.templating import render_template, template_variables

__all__ = [
    "CallPlan",
    "CallTarget",
    "CatalogEntry",
    "ChatRequest",
    "Completion",
    "ConnectionRecord",
    "CredentialsError",
    "Embeddings",
    "EmbeddingsUnsupportedError",
    "ErrorKind",
    "InputsError",
    "LLMClient",
    "LLMError",
    "ModelCatalog",
    "ModelConfig",
    "ModelPrice",
    "PromptConfigError",
    "PromptTemplate",
    "Provider",
    "ProviderCredentials",
    "ProviderError",
    "ProviderPool",
    "RenderedPrompt",
    "ResolvedModel",
    "RetryConfig",
    "StreamDelta",
    "StreamEnd",
    "StreamEvent",
    "TemplateError",
    "UnresolvedVariablesError",
    "Usage",
    "api_status_for",
    "connection_model_names",
    "cost_of",
    "detect_variables",
    "embed_texts",
    "load_catalog",
    "parse_model_config",
    "parse_prompt_template",
    "plan_call",
    "price_for",
    "render_prompt",
    "render_template",
    "resolve_model",
    "split_chat_inputs",
    "template_variables",
]
