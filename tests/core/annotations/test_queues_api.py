"""Annotation queues over the API: filtered traces, assignment, reviews, progress, agreement."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.tracing.annotations import AnnotationFilter, query_annotations
from agenta.platform import Platform
from tests.core.annotations.conftest import RATING, create_queue, next_item, results, review
from tests.core.annotations.traces import store_trace
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona


async def test_a_queue_from_a_trace_filter_is_reviewed_by_two_people_with_agreement(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, make_persona: MakePersona
) -> None:
    ada, bob = await make_persona("annotator"), await make_persona("annotator")
    failing = [
        await store_trace(platform.db, owner.project_id, question=f"q{n}", error=True)
        for n in range(3)
    ]
    await store_trace(platform.db, owner.project_id, question="fine")
    queue = await create_queue(
        client,
        owner,
        name="Errors",
        evaluators=[RATING],
        reviews_per_item=2,
        assignment="round_robin",
        annotators=[str(ada.user_id), str(bob.user_id)],
        source={"type": "filter", "filters": {"status": "error"}},
    )
    assert queue["items"] == 3 and queue["progress"]["reviews_wanted"] == 6

    answers = {ada.email: [(True, 5), (False, 2), (True, 4)], bob.email: [(True, 4), (True, 1)]}
    for persona in (ada, bob):
        for correct, rating in answers[persona.email]:
            item = await next_item(client, persona, queue["id"])
            assert item is not None and item["trace_id"] in failing
            body = {"answers": {"review": {"correct": correct, "rating": rating}}}
            response = await review(client, persona, queue["id"], item["id"], **body)
            assert response.status_code == 200, response.text

    found = await results(client, owner, queue["id"])
    progress = found["queue"]["progress"]
    assert (progress["complete"], progress["reviews_done"]) == (2, 5)
    correct = next(q for q in found["questions"] if q["question"] == "correct")
    assert correct["counts"] == {"yes": 4, "no": 1}
    assert correct["agreement"]["items"] == 2 and correct["agreement"]["raters"] == 2
    assert correct["agreement"]["percent"] == 0.5
    rating = next(q for q in found["questions"] if q["question"] == "rating")
    assert rating["mean"] == (5 + 2 + 4 + 4 + 1) / 5 and rating["agreement"]["level"] == "interval"


async def test_round_robin_deals_every_item_to_different_people(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, make_persona: MakePersona
) -> None:
    people = [await make_persona("annotator") for _ in range(3)]
    trace_ids = [await store_trace(platform.db, owner.project_id) for _ in range(3)]
    queue = await create_queue(
        client,
        owner,
        name="Dealt",
        reviews_per_item=2,
        assignment="round_robin",
        annotators=[str(p.user_id) for p in people],
        source={"type": "traces", "trace_ids": trace_ids},
    )
    owed = {a["email"]: a["assigned"] for a in queue["progress"]["annotators"]}
    assert sorted(owed.values()) == [2, 2, 2]


async def test_an_open_queue_hands_an_item_to_the_next_person_until_it_has_its_reviews(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, make_persona: MakePersona
) -> None:
    ada, bob = await make_persona("annotator"), await make_persona("editor")
    trace_id = await store_trace(platform.db, owner.project_id)
    queue = await create_queue(
        client, owner, name="Open", source={"type": "traces", "trace_ids": [trace_id]}
    )
    item = await next_item(client, ada, queue["id"])
    assert item is not None
    assert (await review(client, ada, queue["id"], item["id"], answers={})).status_code == 422
    body = {"answers": {"quality-rating": {"approved": True}}}
    assert (await review(client, ada, queue["id"], item["id"], **body)).status_code == 200

    assert await next_item(client, bob, queue["id"]) is None
    refused = await review(client, bob, queue["id"], item["id"], **body)
    assert refused.status_code == 403 and "not yours to review" in refused.json()["message"]


async def test_a_review_is_written_on_the_trace_and_edited_when_changed(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, make_persona: MakePersona
) -> None:
    ada = await make_persona("annotator")
    trace_id = await store_trace(platform.db, owner.project_id)
    queue = await create_queue(
        client,
        owner,
        name="Traced",
        evaluators=[RATING],
        source={"type": "traces", "trace_ids": [trace_id]},
    )
    item = await next_item(client, ada, queue["id"])
    assert item is not None
    for rating in (2, 4):
        body = {"answers": {"review": {"correct": True, "rating": rating}}, "note": "ok"}
        assert (await review(client, ada, queue["id"], item["id"], **body)).status_code == 200

    async with platform.db.session() as session:
        wanted = AnnotationFilter(links=[{"trace_id": trace_id}])
        [annotation] = await query_annotations(session, owner.project_id, wanted)
    assert annotation["origin"] == "human" and annotation["references"]["evaluator"]["slug"] == (
        "review"
    )
    assert annotation["data"]["outputs"] == {"correct": True, "rating": 4, "comment": "ok"}
    assert annotation["created_by_id"] == str(ada.user_id)
    assert await next_item(client, ada, queue["id"]) is None


async def test_wrong_answers_and_set_ups_are_refused_naming_what_is_wrong(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    trace_id = await store_trace(platform.db, owner.project_id)
    source = {"type": "traces", "trace_ids": [trace_id]}
    bad_field = {"slug": "x", "fields": [{"name": "stars", "kind": "scale", "minimum": 1}]}
    cases = [
        ({"name": "q", "evaluators": [bad_field]}, "evaluators[0].fields[0] (stars)"),
        (
            {"name": "q", "assignment": "round_robin", "annotators": [str(viewer.user_id)]},
            "is a viewer, who may not annotate",
        ),
        ({"name": "q", "reviews_per_item": 0}, "reviews_per_item must be from 1 to 10"),
        ({"name": "q", "source": {"type": "filter", "filters": {"status": "odd"}}}, "status"),
        ({"name": "", "source": source}, "name: a queue needs a name"),
    ]
    for body, message in cases:
        response = await client.post("/api/annotations/queues", json=body, headers=owner.headers)
        assert response.status_code in (400, 422), response.text
        assert message in response.json()["message"]

    queue = await create_queue(client, owner, name="q", evaluators=[RATING], source=source)
    item_id = (await next_item(client, owner, queue["id"]) or {})["id"]
    wrong = await review(
        client, owner, queue["id"], item_id, answers={"review": {"correct": "yes", "rating": 9}}
    )
    assert wrong.status_code == 422
    assert wrong.json()["message"] == "answers.review.rating: must be from 1 to 5, got 9"
