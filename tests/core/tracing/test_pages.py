"""The trace explorer pages through the test client: the list and its URL filters, paging,
escaping of trace content, the streamed export, and one trace's tree, waterfall and spans."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.tracing.costs import price_table_cost
from agenta.core.tracing.pages import INLINE_PANELS
from agenta.core.tracing.span import Span
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import EPOCH, llm_trace, raw_span
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, login_as

HOUR = timedelta(hours=1)


async def store(platform: Platform, persona: Persona, *traces: list[Span]) -> list[str]:
    """Write traces to the persona's project; returns their trace ids."""
    async with platform.db.session() as session:
        for spans in traces:
            await write_spans(session, persona.project_id, spans)
    return [spans[0].trace_id for spans in traces]


def listed(page: str) -> list[str]:
    return re.findall(r'<tr data-trace="([0-9a-f]{32})">', page)


async def test_the_list_shows_traces_newest_first_with_their_totals(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    older, newer = await store(
        platform,
        owner,
        llm_trace(at=EPOCH, cost_fn=price_table_cost),
        llm_trace(at=EPOCH + HOUR, root_name="answer", error_child=True),
    )
    await login_as(client, owner)

    page = await client.get("/observability/traces")

    assert page.status_code == 200
    assert listed(page.text) == [newer, older]
    assert (
        '<a href="/observability/traces/' + newer + '" class="trace-link">answer</a>' in page.text
    )
    assert 'class="pill bad">error</span>' in page.text
    assert "3.00 s" in page.text  # the root's cumulative latency
    assert ">30<" in page.text  # 2 chat spans of 15 tokens each
    assert "France" in page.text and "Paris" in page.text


async def test_the_filters_live_in_the_url_and_the_form_and_exports_keep_them(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    production, _staging = await store(
        platform,
        owner,
        llm_trace(root_attributes={"ag.refs.environment.slug": "production"}),
        llm_trace(root_attributes={"ag.refs.environment.slug": "staging"}),
    )
    await login_as(client, owner)

    page = await client.get("/observability/traces?environment=production&sort=duration")

    assert listed(page.text) == [production]
    assert 'name="environment" value="production"' in page.text
    assert '<option value="duration" selected>' in page.text
    export = re.search(r'href="([^"]*/export[^"]*format=csv)"', page.text)
    assert export is not None
    assert "environment=production" in export.group(1) and "sort=duration" in export.group(1)


async def test_a_filter_value_that_cannot_be_used_is_named_on_the_page(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await store(platform, owner, llm_trace())
    await login_as(client, owner)

    page = await client.get("/observability/traces?min_cost=cheap")

    assert page.status_code == 400
    assert "min_cost must be a number, got &#39;cheap&#39;" in page.text
    assert 'name="min_cost" value="cheap"' in page.text


async def test_the_next_page_link_continues_where_the_page_ended(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    ids = await store(platform, owner, *(llm_trace(at=EPOCH + n * HOUR) for n in range(3)))
    await login_as(client, owner)

    first = await client.get("/observability/traces?limit=2&status=unset")
    next_link = re.search(r'<a href="([^"]+)" rel="next"', first.text)
    assert next_link is not None
    second = await client.get(next_link.group(1).replace("&amp;", "&"))

    assert listed(first.text) == [ids[2], ids[1]]
    assert listed(second.text) == [ids[0]]
    assert 'rel="next"' not in second.text
    assert "First page" in second.text


async def test_script_in_trace_content_is_escaped_on_the_list_and_the_trace_page(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    attack = "<script>alert('owned')</script>"
    [trace_id] = await store(
        platform,
        owner,
        llm_trace(
            root_name=f"name {attack}",
            root_attributes={
                "ag.data.inputs.country": attack,
                "ag.session.id": attack,
                "ag.data.inputs.payload": f'@ag.type=json:{{"nested": {json.dumps(attack)}}}',
            },
            child_attributes={
                "ag.data.inputs.prompt": (
                    f"@ag.type=json:[{{'role': 'user', 'content': {json.dumps(attack)}}}]"
                ).replace("'", '"')
            },
        ),
    )
    await login_as(client, owner)

    for path in ("/observability/traces", f"/observability/traces/{trace_id}"):
        page = await client.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in page.text


async def test_the_export_streams_every_matching_trace_not_only_one_page(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    many = [[_single_span(index, "geo-qa" if index % 4 else "other")] for index in range(220)]
    await store(platform, owner, *many)
    await login_as(client, owner)

    as_csv = await client.get("/observability/traces/export?format=csv&application=geo-qa")
    as_jsonl = await client.get("/observability/traces/export?format=jsonl")

    assert as_csv.status_code == 200
    assert as_csv.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 165 and {row["application"] for row in rows} == {"geo-qa"}
    lines = [json.loads(line) for line in as_jsonl.text.splitlines()]
    assert len(lines) == 220 and len({line["trace_id"] for line in lines}) == 220


def _single_span(index: int, application: str) -> Span:
    from agenta.core.tracing.normalize import normalize_span

    raw = raw_span(
        f"call-{index}",
        trace_id=f"{index:032x}",
        at=EPOCH + timedelta(seconds=index),
        attributes={"ag.type.node": "workflow", "ag.refs.application.slug": application},
    )
    return normalize_span(raw)


async def test_an_export_with_a_bad_filter_returns_to_the_list_saying_why(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)

    response = await client.get("/observability/traces/export?format=xml&status=error")

    assert response.status_code == 200  # after the redirect
    assert "Cannot export: format must be one of csv, jsonl" in response.text
    assert 'name="status"' in response.text


async def test_the_trace_page_shows_the_tree_the_waterfall_and_each_span(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    [trace_id] = await store(platform, owner, llm_trace(children=2, cost_fn=price_table_cost))
    await login_as(client, owner)

    page = (await client.get(f"/observability/traces/{trace_id}")).text

    rows = re.findall(r'data-span="([^"]+)" data-depth="(\d)"', page)
    assert rows == [("generate", "0"), ("chat-0", "1"), ("chat-1", "1")]
    bars = re.findall(r'class="bar type-chat" style="left: ([\d.]+)%; width: ([\d.]+)%"', page)
    assert bars == [("3.333", "30.0"), ("36.667", "30.0")]  # 0.1-1.0 s and 1.1-2.0 s of 3 s
    assert re.search(r'id="span-[0-9a-f]{16}" data-span="generate" data-depth="0" open', page)
    assert '<div class="message" data-role="user">' in page
    assert '<div class="message-text">What is the capital of France?</div>' in page
    assert 'data-cost-source="computed"' in page and "gpt-4o-mini" in page
    assert "USD per million tokens" in page
    assert 'data-conventions="agenta"' in page


async def test_a_span_shows_what_could_not_be_mapped_and_why_it_has_no_cost(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    spans = llm_trace(
        children=1,
        child_attributes={"vendor.request.id": "abc-123", "ag.meta.response.model": "my-tune-7b"},
        cost_fn=price_table_cost,
    )
    [trace_id] = await store(platform, owner, spans)
    await login_as(client, owner)

    page = (await client.get(f"/observability/traces/{trace_id}?span={spans[1].span_id}")).text

    assert f'id="span-{spans[1].span_id}" data-span="chat-0" data-depth="1" open' in page
    assert '<li class="mono">vendor.request.id</li>' in page
    assert "No cost of its own: the price table has no price for my-tune-7b." in page
    assert "No cost of its own: a workflow span is not a model call" in page


async def test_a_trace_of_another_project_is_not_found(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, outsider: Persona
) -> None:
    [foreign] = await store(platform, outsider, llm_trace())
    await login_as(client, owner)

    response = await client.get(f"/observability/traces/{foreign}")

    assert response.status_code == 404
    assert "Paris" not in response.text


async def test_a_viewer_sees_traces_without_the_annotate_and_test_set_forms(
    client: AsyncTestClient[Any], platform: Platform, make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    [trace_id] = await store(platform, viewer, llm_trace())
    await login_as(client, viewer)

    listing = await client.get("/observability/traces")
    trace = await client.get(f"/observability/traces/{trace_id}")

    assert listing.status_code == trace.status_code == 200
    assert 'id="add-to-testset"' not in listing.text
    assert 'id="annotate"' not in trace.text and 'id="span-selection"' not in trace.text


async def test_a_huge_trace_renders_only_the_opened_spans_details(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    spans = llm_trace(children=INLINE_PANELS)
    [trace_id] = await store(platform, owner, spans)
    await login_as(client, owner)
    late = spans[-1]

    page = (await client.get(f"/observability/traces/{trace_id}")).text
    opened = (await client.get(f"/observability/traces/{trace_id}?span={late.span_id}")).text

    assert page.count('class="span-row') == INLINE_PANELS + 1
    assert re.findall(r'data-detail="([0-9a-f]{16})"', page) == [spans[0].span_id]
    assert f"?span={late.span_id}#span-{late.span_id}" in page
    assert re.findall(r'data-detail="([0-9a-f]{16})"', opened) == [late.span_id]
