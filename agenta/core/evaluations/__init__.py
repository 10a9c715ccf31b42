"""Evaluation runs: app revisions x one test set revision x evaluators, with repeats.

Layers: ``models`` (runs, scenarios, cells, gates, response cache), the run's ``plan`` pinned at
creation, ``runs`` (create, find, cancel, finish), the job (``jobs``, ``execution``, ``slices``,
``units``) that fills every cell exactly once through the services layer (``invoking``) and the
evaluator library (``llm_access``), then reading: ``metrics``, ``stats`` (paired bootstrap),
``comparison``, ``exports``; ``gates`` for eval-gated deployment; REST API, SDK-compatible API,
pages and the ``agenta eval`` command.
"""
