"""Agenta: an open-source LLMOps platform.

The package is a modular monolith. ``agenta.app.create_app`` is the one composition root for the
HTTP process; ``agenta.jobs`` runs the same job functions in-process (embedded mode) or in arq
workers (production mode). Each feature lives in its own package under ``agenta.core``.
"""

__version__ = "0.1.0"
