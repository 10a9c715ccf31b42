"""The test set pages: through forms and htmx requests, and in Chromium against a real server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.accounts import Persona, csrf_token, login_as
from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess

CSV = b"question,correct_answer\nCapital of France?,Paris\nCapital of Japan?,Tokyo\n"
HTMX = {"HX-Request": "true"}


async def upload(client: Any, content: bytes = CSV, filename: str = "capitals.csv") -> Any:
    return await client.post(
        "/testsets/upload",
        files={"file": (filename, content, "text/csv")},
        data={"_csrf_token": await csrf_token(client)},
        follow_redirects=False,
    )


async def uploaded(client: Any, owner: Persona, content: bytes = CSV) -> str:
    """Log in as ``owner``, upload ``content`` and return the editor's path."""
    await login_as(client, owner)
    response = await upload(client, content)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).split("?")[0]


async def draft(client: Any, editor: str, **fields: str) -> Any:
    data = {"_csrf_token": await csrf_token(client), "offset": "0", "q": "", **fields}
    return await client.post(f"{editor}/draft", data=data, headers=HTMX)


async def commit(client: Any, editor: str, message: str) -> Any:
    data = {"_csrf_token": await csrf_token(client), "message": message}
    return await client.post(f"{editor}/commit", data=data, follow_redirects=False)


def cells(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r'<td class="cell[^"]*"[^>]*>(.*?)</td>', html, re.S)
    ]


async def test_an_uploaded_file_opens_in_the_editor_and_is_listed(
    client: Any, owner: Persona
) -> None:
    editor = await uploaded(client, owner)
    page = await client.get(editor)
    listing = await client.get("/testsets")
    assert "Imported 2 rows" in (await client.get(f"{editor}?notice=Imported+2+rows")).text
    assert cells(page.text) == ["Capital of France?", "Paris", "Capital of Japan?", "Tokyo"]
    assert 'data-testset="capitals"' in listing.text
    assert 'href="/testsets"' in listing.text


async def test_a_broken_upload_shows_its_problems_and_saves_nothing(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)
    response = await upload(client, b"a,b\n1,2\n3,4,5\n", "broken.csv")
    assert response.status_code == 422
    assert "broken.csv was not imported; nothing was saved." in response.text
    assert "line 3:" in response.text
    assert "data-testset=" not in response.text


async def test_editing_a_cell_then_committing_makes_a_new_version(
    client: Any, owner: Persona
) -> None:
    editor = await uploaded(client, owner)
    opened = await client.get(f"{editor}/cell", params={"row": "b1", "column": "correct_answer"})
    edited = await draft(
        client, editor, op="set_cell", row="b1", column="correct_answer", value="東京"
    )
    committed = await commit(client, editor, "Use the local name")
    page = await client.get(editor)
    assert "<textarea" in opened.text and ">Tokyo</textarea>" in opened.text
    assert "1 unsaved change" in edited.text
    assert 'class="cell editable edited"' in edited.text
    assert committed.headers["location"].endswith("notice=Committed+version+2")
    assert cells(page.text)[3] == "東京"
    assert "version 2" in page.text and "Use the local name" in page.text


async def test_rows_and_columns_are_edited_through_the_draft(client: Any, owner: Persona) -> None:
    editor = await uploaded(client, owner)
    await draft(client, editor, op="rename_column", column="correct_answer", to="expected")
    await draft(client, editor, op="add_column", column="difficulty")
    await draft(client, editor, op="delete_row", row="b0")
    added = await draft(client, editor, op="add_row")
    await draft(
        client, editor, op="set_cell", row="n0", column="question", value="Capital of Peru?"
    )
    await commit(client, editor, "reshape")
    page = await client.get(editor)
    assert "4 unsaved changes" in added.text
    assert re.findall(r'<th class="[^"]*" scope="col">([^<]+)</th>', page.text) == [
        "question",
        "expected",
        "difficulty",
    ]
    assert cells(page.text) == ["Capital of Japan?", "Tokyo", "", "Capital of Peru?", "", ""]


async def test_a_bad_chat_message_reopens_the_cell_with_the_reason(
    client: Any, owner: Persona
) -> None:
    editor = await uploaded(
        client, owner, b'messages\n"[{""role"": ""user"", ""content"": ""Hi""}]"\n'
    )
    response = await draft(
        client,
        editor,
        op="set_cell",
        row="b0",
        column="messages",
        value="[{oops",
        cell_id="cell-b0-x",
    )
    assert response.headers["hx-retarget"] == "#cell-b0-x"
    assert "must hold a JSON array of messages" in response.text
    assert "[{oops</textarea>" in response.text


async def test_discarding_forgets_the_draft(client: Any, owner: Persona) -> None:
    editor = await uploaded(client, owner)
    await draft(client, editor, op="delete_row", row="b0")
    data = {"_csrf_token": await csrf_token(client)}
    await client.post(f"{editor}/draft/discard", data=data)
    page = await client.get(editor)
    assert "unsaved change" not in page.text
    assert 'class="deleted' not in page.text


async def test_history_lists_versions_and_the_diff_shows_the_changed_cell(
    client: Any, owner: Persona
) -> None:
    editor = await uploaded(client, owner)
    await draft(client, editor, op="set_cell", row="b0", column="correct_answer", value="Paris!")
    await commit(client, editor, "excited")
    history = await client.get(f"{editor}/history")
    diff = await client.get(f"{editor}/diff", params={"from_version": 1, "to_version": 2})
    assert re.findall(r'data-version="(\d+)"', history.text) == ["2", "1"]
    assert "excited" in history.text
    assert "1 changed" in diff.text
    assert '<td class="old">Paris</td>' in diff.text
    assert '<td class="new">Paris!</td>' in diff.text


async def test_a_viewer_reads_without_editing_controls(
    client: Any, owner: Persona, make_persona: Any
) -> None:
    editor = await uploaded(client, owner)
    viewer = await make_persona("viewer")
    await client.post("/logout", data={"_csrf_token": await csrf_token(client)})
    await login_as(client, viewer)
    page = await client.get(editor)
    refused = await draft(client, editor, op="delete_row", row="b0")
    assert page.status_code == 200
    assert "Paris" in page.text
    assert 'hx-get="/testsets' not in page.text and 'id="draft-banner"' not in page.text
    assert refused.status_code == 403


async def test_an_older_version_is_shown_read_only(client: Any, owner: Persona) -> None:
    editor = await uploaded(client, owner)
    await draft(client, editor, op="delete_row", row="b0")
    await commit(client, editor, "drop France")
    old = await client.get(editor, params={"version": 1})
    assert "This is an older version" in old.text
    assert cells(old.text)[0] == "Capital of France?"
    assert 'hx-get="/testsets' not in old.text


async def test_search_finds_rows_by_value(client: Any, owner: Persona) -> None:
    editor = await uploaded(client, owner)
    page = await client.get(editor, params={"q": "tokyo"})
    assert cells(page.text) == ["Capital of Japan?", "Tokyo"]


@pytest.mark.browser
async def test_in_a_browser_upload_edit_a_cell_commit_and_export(
    server: ServerProcess, tmp_path: Path
) -> None:
    csv_file = tmp_path / "capitals.csv"
    csv_file.write_bytes(CSV)
    async with chromium_page(accept_downloads=True) as page:
        await page.goto(f"{server.url}/signup?next=/testsets")
        await page.get_by_label("Name").fill("Tess")
        await page.get_by_label("E-mail").fill("tess@example.com")
        await page.get_by_label("Password").fill("browser tested password")
        await page.get_by_role("button", name="Sign up").click()
        await page.wait_for_url("**/testsets")

        await page.get_by_label("File", exact=True).set_input_files(str(csv_file))
        await page.get_by_role("button", name="Upload").click()
        await page.wait_for_url(re.compile(r".*/testsets/[0-9a-f-]{36}\?notice=.*"))
        assert "Imported 2 rows" in await page.content()

        cell = page.locator('tr[data-row="b1"] td[data-column="correct_answer"]')
        await cell.click()
        await page.get_by_label("Value of correct_answer").fill("東京")
        await page.get_by_role("button", name="Save").click()
        await page.locator("#draft-banner", has_text="1 unsaved change").wait_for()
        assert await cell.inner_text() == "東京"

        await page.get_by_label("Commit message").fill("Local name")
        await page.get_by_role("button", name="Commit as version 2").click()
        await page.wait_for_url("**notice=Committed+version+2")

        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="CSV", exact=True).click()
        download = await download_info.value
        saved = tmp_path / "export.csv"
        await download.save_as(str(saved))
    assert download.suggested_filename == "capitals-v2.csv"
    assert saved.read_text(encoding="utf-8").splitlines() == [
        "question,correct_answer",
        "Capital of France?,Paris",
        "Capital of Japan?,東京",
    ]
