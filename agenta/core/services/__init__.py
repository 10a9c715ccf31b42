"""The services API: run built-in applications (completion, chat) on inline or stored configs.

``POST /services/{completion|chat}/v0/invoke`` resolves the config (inline parameters, or
references to a stored revision or an environment through the registry), renders the prompt,
calls the model through the project's vault connections (``agenta.core.secrets``) with the
shared ``LLMClient``, answers as JSON or streams (SSE, NDJSON), and records a trace of each
invocation after the response. ``/inspect`` describes a service and its ready-to-send request.
"""
