"""Keyset paging of /api/submissions and /api/submissions/drafts: ``pagination.nextCursor`` and ``?cursor=``.

A walk by cursor must give exactly the rows of a walk by page numbers, in the same order, for every sort,
filter and visibility; a bad cursor is a 400 that changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from submissions.constants import GrantTargetType, VisibilityMode
from submissions.models import Submission
from submissions.services import GrantRequest, visibility_set
from workspaces.constants import Role
from workspaces.models import OversightRelationship

SORTS = [(sort_by, order) for sort_by in ("createdAt", "updatedAt", "status") for order in ("desc", "asc")]


def get(client: Any, name: str, **params: Any) -> Any:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.json()
    return response.json()


def walk_by_page(client: Any, name: str, key: str, limit: int, **params: Any) -> list[str]:
    ids: list[str] = []
    for page in range(1, 100):
        rows = get(client, name, page=page, limit=limit, **params)[key]
        if not rows:
            return ids
        ids += [row["id"] for row in rows]
    raise AssertionError("the page walk never ended")


def walk_by_cursor(client: Any, name: str, key: str, limit: int, **params: Any) -> list[str]:
    body = get(client, name, limit=limit, **params)
    ids = [row["id"] for row in body[key]]
    first = body["pagination"]
    while body["pagination"]["nextCursor"]:
        body = get(client, name, cursor=body["pagination"]["nextCursor"], limit=limit, **params)
        pagination = body["pagination"]
        assert pagination["page"] is None
        assert (pagination["total"], pagination["pages"]) == (first["total"], first["pages"])
        assert body[key], "a cursor is only handed out when a row follows it"
        ids += [row["id"] for row in body[key]]
    return ids


@pytest.fixture
def listed(workspace: Any, form_version: Any, publish_form: Any, make_submission: Any) -> dict[str, Any]:
    """17 submissions of two forms in every status, whose created_at, updated_at and status tie in groups."""
    annual = publish_form(workspace, title="Annual review")
    base = timezone.now() - timedelta(days=3)
    statuses = ["COMPLETED", "PENDING", "EDITED", "DRAFT"]
    subs = []
    for n in range(17):
        submission = make_submission(annual if n % 4 == 1 else form_version)
        Submission.objects.filter(pk=submission.pk).update(
            status=statuses[n % 4],
            created_at=base + timedelta(hours=n // 3),  # ties of three
            updated_at=base + timedelta(hours=n % 2),  # two values for all
        )
        subs.append(submission)
    return {"subs": subs, "annual": annual}


@pytest.mark.parametrize(("sort_by", "sort_order"), SORTS)
def test_a_cursor_walk_is_the_page_walk_for_every_sort_and_filter(
    sort_by: str, sort_order: str, api_client: Any, listed: dict[str, Any]
) -> None:
    filters: list[dict[str, Any]] = [
        {},
        {"includeDrafts": "true"},
        {"status": "PENDING"},
        {"formId": listed["annual"].form.public_id},
        {"search": "annual", "includeDrafts": "true"},
    ]
    for params in filters:
        params = {**params, "sortBy": sort_by, "sortOrder": sort_order}
        by_page = walk_by_page(api_client, "submission-list", "submissions", 3, **params)
        assert len(by_page) == len(set(by_page)) and by_page, params
        assert walk_by_cursor(api_client, "submission-list", "submissions", 3, **params) == by_page, params
        whole = get(api_client, "submission-list", limit=100, **params)["submissions"]
        assert [row["id"] for row in whole] == by_page, params


def test_the_default_sort_and_a_limit_that_changes_midway(api_client: Any, listed: dict[str, Any]) -> None:
    expected = walk_by_page(api_client, "submission-list", "submissions", 100)
    assert len(expected) == 13  # four of the 17 are drafts
    body = get(api_client, "submission-list", limit=2)
    ids = [row["id"] for row in body["submissions"]]
    for limit in (5, 1, 100):
        body = get(api_client, "submission-list", cursor=body["pagination"]["nextCursor"], limit=limit)
        assert len(body["submissions"]) == min(limit, len(expected) - len(ids))
        ids += [row["id"] for row in body["submissions"]]
    assert ids == expected
    assert body["pagination"] == {"page": None, "limit": 100, "total": 13, "pages": 1, "nextCursor": None}


def test_a_cursor_survives_the_deletion_of_its_row(api_client: Any, listed: dict[str, Any]) -> None:
    expected = walk_by_page(api_client, "submission-list", "submissions", 100, sortBy="status")
    body = get(api_client, "submission-list", limit=4, sortBy="status")
    Submission.objects.filter(public_id=body["submissions"][-1]["id"]).delete()
    following = get(api_client, "submission-list", limit=4, sortBy="status", cursor=body["pagination"]["nextCursor"])
    assert [row["id"] for row in following["submissions"]] == expected[4:8]


def test_the_drafts_list_walks_by_cursor(api_client: Any, form_version: Any, make_submission: Any) -> None:
    drafts = [make_submission(form_version, data={"full_name": f"Draft {n}"}, status="DRAFT") for n in range(7)]
    make_submission(form_version)  # not a draft
    Submission.objects.filter(pk__in=[d.pk for d in drafts[2:5]]).update(created_at=timezone.now())
    for sort_by, sort_order in SORTS:
        params = {"sortBy": sort_by, "sortOrder": sort_order}
        by_page = walk_by_page(api_client, "draft-list", "drafts", 2, **params)
        assert sorted(by_page) == sorted(d.public_id for d in drafts)
        assert walk_by_cursor(api_client, "draft-list", "drafts", 2, **params) == by_page


def test_a_member_never_walks_into_what_it_may_not_see(
    workspace: Any,
    other_workspace: Any,
    member_of: Any,
    api_client_for: Any,
    form_version: Any,
    make_submission: Any,
) -> None:
    member = member_of(workspace, Role.MEMBER)
    client = api_client_for(workspace, user=member)
    subs = [make_submission(form_version) for _ in range(12)]
    granted = GrantRequest(target_type=GrantTargetType.USER, target_id=str(member.pk))
    overseer = GrantRequest(target_type=GrantTargetType.OVERSIGHT_WORKSPACE, target_id=str(other_workspace.public_id))
    OversightRelationship.objects.create(overseer=other_workspace, overseen=workspace, active=True)
    for n, submission in enumerate(subs):
        if n % 3 == 0:  # restricted, nobody granted
            visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
        elif n % 3 == 1 and n < 6:  # restricted, granted to the member, and to the overseer
            visibility_set(
                submission=submission, mode=VisibilityMode.RESTRICTED, grants=[granted, overseer], acting_user=None
            )
    hidden = {s.public_id for n, s in enumerate(subs) if n % 3 == 0}
    for sort_by, sort_order in SORTS:
        params = {"sortBy": sort_by, "sortOrder": sort_order}
        walked = walk_by_cursor(client, "submission-list", "submissions", 2, **params)
        assert walked == walk_by_page(client, "submission-list", "submissions", 2, **params)
        assert set(walked) == {s.public_id for s in subs} - hidden
    overseen = walk_by_cursor(api_client_for(other_workspace), "submission-list", "submissions", 1)
    assert overseen == [subs[4].public_id, subs[1].public_id]


def test_a_cursor_page_runs_as_few_queries_as_a_first_page(
    api_client: Any,
    api_client_for: Any,
    member_of: Any,
    workspace: Any,
    form_version: Any,
    make_submission: Any,
    django_assert_num_queries: Any,
) -> None:
    member_client = api_client_for(workspace, user=member_of(workspace, Role.MEMBER))
    for _ in range(30):
        make_submission(form_version)
    for client in (api_client, member_client):
        cursor = get(client, "submission-list", limit=5)["pagination"]["nextCursor"]
        # API key (with the membership and the overseen workspaces); rows; count: as page/limit, at 5 rows and 25.
        for limit in (5, 25):
            with django_assert_num_queries(3):
                body = get(client, "submission-list", cursor=cursor, limit=limit)
            assert len(body["submissions"]) == 25 if limit == 25 else 5


def _tampered(cursor: str) -> str:
    """The cursor with one character of its payload changed (its signature no longer matches)."""
    index = 3
    return cursor[:index] + ("A" if cursor[index] != "A" else "B") + cursor[index + 1 :]


def test_bad_cursors_are_400s_that_change_nothing(
    api_client: Any, listed: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    cursor = get(api_client, "submission-list", limit=3)["pagination"]["nextCursor"]
    asc_cursor = get(api_client, "submission-list", limit=3, sortOrder="asc")["pagination"]["nextCursor"]
    history = Submission.history.model
    before = (list(Submission.objects.order_by("pk").values()), history.objects.count())
    cases: list[tuple[dict[str, Any], str]] = [
        ({"cursor": cursor, "page": 2}, "VALIDATION_ERROR"),
        ({"cursor": cursor, "page": 1}, "VALIDATION_ERROR"),
        ({"cursor": "x" * 501}, "VALIDATION_ERROR"),
        ({"cursor": "not-a-cursor"}, "INVALID_CURSOR"),
        ({"cursor": _tampered(cursor)}, "INVALID_CURSOR"),
        ({"cursor": cursor + "x"}, "INVALID_CURSOR"),
        ({"cursor": cursor, "sortOrder": "asc"}, "INVALID_CURSOR"),
        ({"cursor": cursor, "sortBy": "updatedAt"}, "INVALID_CURSOR"),
        ({"cursor": asc_cursor}, "INVALID_CURSOR"),  # made for asc, sent with the default desc
    ]
    for params, code in cases:
        for name in ("submission-list", "draft-list"):
            with django_assert_max_num_queries(2):  # API key, then nothing: refused before any list query
                response = api_client.get(reverse(name), params)
            assert response.status_code == 400, (name, params)
            body = response.json()
            assert body["success"] is False and body["code"] == code, (name, params, body)
            assert body["error"].startswith("cursor: ") and body["details"]["fields"]["cursor"], body
    after = (list(Submission.objects.order_by("pk").values()), history.objects.count())
    assert after == before
    wrong_sort = api_client.get(reverse("submission-list"), {"cursor": cursor, "sortBy": "status"}).json()
    assert "sortBy=createdAt&sortOrder=desc" in wrong_sort["error"]
