"""Evaluation runs: app revisions x one test set revision x evaluators, with repeats.

- data: ``models`` (runs, scenarios, cells, gates, response cache) and the run's ``plan``,
  pinned when the run is created (``runs``, from references: ``requests``);
- running: the job (``jobs``, ``execution``) works slice by slice; ``units`` says what is
  missing, ``slices`` computes it with bounded concurrency through the services layer
  (``invoking``) and the evaluator library (``llm_access``, ``ratelimit``,
  ``response_cache``), and ``writer`` commits each cell exactly once;
- reading: ``metrics``, ``results``, ``stats`` (paired bootstrap), ``comparison``, ``exports``;
- deploying: ``gates`` (with the registry's deploy hook);
- runs the official SDK drives itself: ``client_runs``;
- surfaces: the REST API (``api``, ``gates_api``), the SDK's endpoints (``sdk_api``), the pages
  (``run_pages``, ``compare_pages``, ``gate_pages``) and ``agenta eval run`` (``cli``).
"""
