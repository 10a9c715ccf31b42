"""The prompt registry: applications, their variants and immutable revisions, environments with
deployment history and rollback, and the cached config fetch that user apps call.

Layers: ``models`` (tables, on the generic store in ``agenta.core.revisions``), services
(``applications``, ``variants``, ``environments``, ``resolution``, ``configs``) that take a
``Scope``, the REST API in ``api`` and the pages in ``pages``. ``changes`` names each change that
other features (webhooks) will react to; ``cache``/``invalidation``/``runtime`` keep config
fetches cheap and fresh across serve processes.
"""
