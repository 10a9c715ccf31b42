"""Test sets: versioned tables of test cases used by the playground and evaluations.

``agenta.core.testsets.codecs`` holds the file import/export codecs, content-addressed test case
ids and the revision diff; they are pure and independent of the database.
"""
