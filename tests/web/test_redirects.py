"""Redirects after a form post carry their notice or error whatever query the path has."""

from __future__ import annotations

from agenta.web.redirects import back_to


def test_a_notice_starts_the_query_of_a_plain_path() -> None:
    redirect = back_to("/testsets", notice="Saved & versioned")
    assert redirect.status_code == 303
    assert redirect.url == "/testsets?notice=Saved+%26+versioned"


def test_an_error_joins_the_query_a_path_already_has() -> None:
    redirect = back_to("/evaluators/new?key=auto_exact_match", error="slug taken?")
    assert redirect.url == "/evaluators/new?key=auto_exact_match&error=slug+taken%3F"


def test_nothing_to_say_leaves_the_path_as_it_is() -> None:
    assert back_to("/apps?page=2").url == "/apps?page=2"
