"""Adding rows from traces and the playground: mapping paths to columns, appending."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.core.testsets import adding, storage
from agenta.core.testsets.codecs import TestsetImportError
from agenta.errors import AppError, NotFound

SPANS = [
    {
        "inputs": {"country": "France", "context": {"continent": "Europe"}},
        "outputs": {"choices": [{"text": "Paris"}]},
    },
    {"inputs": {"country": "Japan"}, "outputs": {"choices": [{"text": "Tokyo"}]}},
]
MAPPING = {
    "country": "inputs.country",
    "continent": "inputs.context.continent",
    "correct_answer": "outputs.choices.0.text",
}


async def add(open_session: Any, persona: Any, testset_id: Any, rows: Any, mapping: Any) -> Any:
    async with open_session() as session:
        added = await adding.add_rows(
            session,
            persona.project_id,
            testset_id,
            "From traces",
            rows,
            mapping,
            "",
            persona.user_id,
            max_rows=100,
        )
        stored = await storage.all_rows(session, added.revision.id)
    return added, [row.data for row in stored]


def test_a_path_reads_keys_and_list_indexes() -> None:
    assert adding.map_record(SPANS[0], MAPPING) == {
        "country": "France",
        "continent": "Europe",
        "correct_answer": "Paris",
    }


def test_a_path_that_leads_nowhere_leaves_the_cell_out() -> None:
    assert adding.map_record(SPANS[1], MAPPING) == {"country": "Japan", "correct_answer": "Tokyo"}
    assert adding.map_record({"outputs": "x"}, {"a": "outputs.0"}) == {}


async def test_spans_mapped_to_columns_start_a_new_test_set(open_session: Any, owner: Any) -> None:
    added, rows = await add(open_session, owner, None, SPANS, MAPPING)
    assert added.testset.name == "From traces"
    assert added.revision.columns == ["country", "continent", "correct_answer"]
    assert added.revision.message == "Added 2 rows"
    assert rows[1] == {"country": "Japan", "correct_answer": "Tokyo"}


async def test_rows_appended_to_an_existing_test_set_keep_the_old_rows_and_ids(
    make_testset: Any, open_session: Any, owner: Any
) -> None:
    made = await make_testset([{"country": "Peru", "correct_answer": "Lima", "level": "easy"}])
    added, rows = await add(open_session, owner, made.testset.id, SPANS, MAPPING)
    async with open_session() as session:
        old_ids = await storage.revision_testcase_ids(session, made.revision.id)
        new_ids = await storage.revision_testcase_ids(session, added.revision.id)
    assert added.revision.version == 2
    assert added.revision.columns == ["country", "correct_answer", "level", "continent"]
    assert [row["country"] for row in rows] == ["Peru", "France", "Japan"]
    assert new_ids[0] == old_ids[0]


async def test_playground_rows_need_no_mapping(open_session: Any, owner: Any) -> None:
    inputs = [{"country": "Chad", "correct_answer": "N'Djamena"}]
    _, rows = await add(open_session, owner, None, inputs, None)
    assert rows == inputs


async def test_adding_to_another_projects_test_set_is_not_found(
    make_testset: Any, open_session: Any, outsider: Any
) -> None:
    made = await make_testset([{"a": "1"}])
    with pytest.raises(NotFound):
        await add(open_session, outsider, made.testset.id, SPANS, MAPPING)


@pytest.mark.parametrize(
    ("rows", "mapping", "message"),
    [
        ([], None, "no rows to add"),
        (SPANS, {}, "mapping is empty"),
        (SPANS, {"q": "inputs..country"}, "must look like"),
    ],
)
async def test_bad_requests_are_refused_and_write_nothing(
    open_session: Any, owner: Any, table_counts: Any, rows: Any, mapping: Any, message: str
) -> None:
    before = await table_counts()
    with pytest.raises(AppError, match=message):
        await add(open_session, owner, None, rows, mapping)
    assert await table_counts() == before


async def test_malformed_chat_messages_are_refused(open_session: Any, owner: Any) -> None:
    rows = [{"messages": [{"role": "user", "content": "Hi"}]}, {"messages": "Hi"}]
    with pytest.raises(TestsetImportError, match=r'row 2: column "messages" must be an array'):
        await add(open_session, owner, None, rows, None)
