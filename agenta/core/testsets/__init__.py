"""Test sets: versioned tables of test cases used by the playground and evaluations.

Pure parts, independent of the database: ``codecs`` (file import/export, content-addressed test
case ids, the revision diff), ``changes`` (editor operations in a normal form), ``storable``
(what the databases can hold).

Stored parts: ``models`` (tables), ``storage`` and ``bulk_writes`` (rows of revisions),
``revisions`` (committing and finding versions), ``testsets`` (naming, listing, archiving),
``uploads``, ``adding`` (rows from traces and the playground: ``add_rows``), ``editing``
(commits of edits, drafts), ``browsing`` (pages, search, comparisons), ``exports`` (streamed
downloads).

HTTP: ``routes`` and ``revision_routes`` (our REST API), ``sdk_routes`` (the official SDK's
endpoints), ``pages``, ``editor_pages`` and ``history_pages`` (HTML with htmx). Every request
that commits a revision calls ``commit_events.announce_commit`` (``testset.committed``) in the
same transaction; the service functions record no events.
"""
