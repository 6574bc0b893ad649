"""The list's query string read without its serializer (``submissions.api.list_query``) answers exactly as the
serializer does: the same rows, pagination and headers, and the same 400 for what it refuses."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from django.urls import reverse

from submissions import cursors
from submissions.api import list_query
from submissions.services import submission_create


@pytest.fixture
def listed(workspace: Any, form_version: Any, make_submission: Any) -> dict[str, Any]:
    subs = [make_submission(form_version) for _ in range(3)]
    draft = submission_create(
        workspace=workspace,
        form_version=form_version,
        data={"full_name": "Draft"},
        status="DRAFT",
        acting_user=None,
    )
    return {"subs": subs, "draft": draft, "form": form_version.form.public_id}


def _answer(client: Any, url: str, query: str) -> tuple[int, Any, str | None]:
    """Status, body and total header; a next cursor as what it says (a cursor is signed with the second it was
    made in, so two cursors of the same row may differ in their text)."""
    response = client.get(f"{url}?{query}")
    body = response.json()
    pagination = body.get("pagination") or {}
    if pagination.get("nextCursor"):
        pagination["nextCursor"] = signing.loads(pagination["nextCursor"], salt=cursors.SALT)
    return response.status_code, body, response.headers.get("X-Total-Count-Exact")


def _cases(client: Any, listed: dict[str, Any]) -> list[str]:
    first = client.get(reverse("submission-list"), {"limit": 1}).json()["pagination"]["nextCursor"]
    assert first
    return [
        "",
        "limit=2",
        "limit=2&page=2",
        "limit=1000",  # capped at 100
        "page=1000000",
        "sortBy=updatedAt&sortOrder=asc",
        "sortBy=status",
        "status=COMPLETED",
        "includeDrafts=true",
        "includeDrafts=false&limit=1",
        f"formId={listed['form']}",
        "submittedBy=1",
        f"cursor={first}&limit=1",
        f"cursor={first}&sortOrder=asc",  # made for another sort: INVALID_CURSOR
        # Left to the serializer: its coercions, and everything it refuses.
        "limit=010",
        "limit=5.0",
        "limit=%205",
        "includeDrafts=True",
        "includeDrafts=1",
        "limit=2&limit=3",
        "unknown=1",
        "search=Client",
        "dateFrom=2025-01-01",
        "limit=0",
        "limit=-1",
        "limit=",
        "page=1000001",
        "page=0",
        "status=nope",
        "status=",
        "sortBy=id",
        "sortOrder=DESC",
        "includeDrafts=yes",
        "submittedBy=0",
        f"submittedBy={2**63}",
        f"formId={'F' * 41}",
        "formId=%20F",
        f"cursor={'a' * 501}",
        f"cursor={first}&page=1",
        "cursor=not-a-cursor",
    ]


@pytest.mark.parametrize("route", ["submission-list", "draft-list"])
def test_the_fast_reading_answers_as_the_serializer_does(
    api_client: Any, listed: dict[str, Any], monkeypatch: Any, route: str
) -> None:
    url = reverse(route)
    cases = _cases(api_client, listed)
    fast = {query: _answer(api_client, url, query) for query in cases}
    monkeypatch.setattr(list_query, "_read", lambda params: None)  # every query through the serializer
    for query in cases:
        assert fast[query] == _answer(api_client, url, query), query
    statuses = {query: answer[0] for query, answer in fast.items()}
    assert statuses["limit=2"] == 200 and statuses["limit=0"] == 400 and statuses["cursor=not-a-cursor"] == 400


def test_fast_reading_covers_the_plain_queries(api_client: Any, listed: dict[str, Any], monkeypatch: Any) -> None:
    """Plain queries do not build the serializer (what makes them cheap); the rest do."""
    built: list[str] = []
    serializer = list_query.SubmissionListQuerySerializer

    class Counting(serializer):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append("built")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(list_query, "SubmissionListQuerySerializer", Counting)
    url = reverse("submission-list")
    for query in ("limit=10", "page=2&limit=1&sortBy=updatedAt&sortOrder=asc&status=COMPLETED&includeDrafts=false"):
        assert api_client.get(f"{url}?{query}").status_code == 200
    assert built == []
    assert api_client.get(f"{url}?limit=%205").status_code == 200
    assert api_client.get(f"{url}?limit=0").status_code == 400
    assert built == ["built", "built"]
