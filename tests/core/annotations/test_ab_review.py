"""A/B review over the API: two revisions' outputs per row, hidden and shuffled, then tallied."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.annotations.ab import b_shown_first
from tests.core.annotations.conftest import Factory, create_queue, next_item, results, review
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona


def better_position(item: dict[str, Any]) -> str:
    """The position holding the right answer (the reference), as a reviewer would judge."""
    content = item["content"]
    return "first" if content["first"] == content["reference"] else "second"


async def test_two_reviewers_prefer_the_right_answers_whatever_order_they_see(
    client: AsyncTestClient[Any],
    owner: Persona,
    make_persona: MakePersona,
    finished_run: Factory,
) -> None:
    run_id, (right, echo) = await finished_run("{{correct_answer}}", "{{country}}")
    ada, bob = await make_persona("annotator"), await make_persona("annotator")
    queue = await create_queue(
        client,
        owner,
        name="Right or echo",
        reviews_per_item=2,
        assignment="round_robin",
        annotators=[str(ada.user_id), str(bob.user_id)],
        source={
            "type": "ab",
            "a": {"run_id": str(run_id), "revision_id": str(right)},
            "b": {"run_id": str(run_id), "revision_id": str(echo)},
        },
    )
    assert queue["kind"] == "ab" and queue["items"] == 3

    for persona in (ada, bob):
        while (item := await next_item(client, persona, queue["id"])) is not None:
            assert "output_a" not in item["content"] and item["trace_id"] is None
            b_first = b_shown_first(queue["id"], item["id"], persona.user_id)
            assert better_position(item) == ("second" if b_first else "first")
            body = {"vote": better_position(item), "note": "closer to the reference"}
            response = await review(client, persona, queue["id"], item["id"], **body)
            assert response.status_code == 200, response.text

    found = await results(client, owner, queue["id"])
    tally = found["ab"]["overall"]
    assert (tally["a"], tally["b"], tally["ties"]) == (6, 0, 0)
    assert tally["win_rate_a"] == 1.0 and tally["interval"][0] > 0.5
    assert tally["verdict"] == "A preferred"
    assert found["ab"]["a"]["revision_id"] == str(right)
    assert found["ab"]["agreement"]["percent"] == 1.0


async def test_a_vote_must_name_a_position_and_a_tie_counts_for_neither(
    client: AsyncTestClient[Any], owner: Persona, finished_run: Factory
) -> None:
    run_id, (first, second) = await finished_run("{{correct_answer}}", "{{country}}")
    queue = await create_queue(
        client,
        owner,
        name="Ties",
        source={
            "type": "ab",
            "a": {"run_id": str(run_id), "revision_id": str(first)},
            "b": {"run_id": str(run_id), "revision_id": str(second)},
        },
    )
    item = await next_item(client, owner, queue["id"])
    assert item is not None
    wrong = await review(client, owner, queue["id"], item["id"], vote="a")
    assert wrong.status_code == 422
    assert wrong.json()["message"] == "vote must be one of first, second, tie, got 'a'"
    assert (await review(client, owner, queue["id"], item["id"], vote="tie")).status_code == 200

    tally = (await results(client, owner, queue["id"]))["ab"]["overall"]
    assert (tally["ties"], tally["verdict"]) == (1, "not enough votes")


async def test_an_ab_source_needs_two_sides_on_the_same_rows(
    client: AsyncTestClient[Any], owner: Persona, finished_run: Factory
) -> None:
    run_id, [revision] = await finished_run()
    side = {"run_id": str(run_id), "revision_id": str(revision)}
    response = await client.post(
        "/api/annotations/queues",
        json={"name": "Same", "source": {"type": "ab", "a": side, "b": side}},
        headers=owner.headers,
    )
    assert response.status_code == 400
    assert "needs two different sides" in response.json()["message"]
