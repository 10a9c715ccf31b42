"""A generic git-style store: artifacts own variants (branches), variants own immutable revisions.

A feature declares three tables from the mixins in ``columns`` and hands them to
``RevisionStore`` (``store``), which does the rest: per-variant version numbers, commits, forks,
logs, archive and unarchive, lookups by id, slug or version. ``references`` parses the
``{id, slug, version}`` references that API clients send, ``slugs`` validates slugs, and
``diffing`` compares the data of two revisions field by field. The prompt registry keeps
applications and environments in it; test sets and evaluators can reuse it the same way.
"""
