"""The provider keys vault: a project's LLM provider connections, encrypted at rest.

Layers: ``models`` (the ``secrets`` table), ``payloads`` (request bodies in), ``vault`` (service
functions, encryption, ``project_connections`` for the LLM layer), ``records`` (what callers
see: never a key, only a hint), ``environment`` and ``runtime`` (the environment-variable
fallback read once at start-up, and the encryption box), ``probe`` (test a connection), and
the routes: the REST API in ``api_routes`` and the settings page in ``pages``.
"""
