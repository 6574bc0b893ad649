"""What keeps the list and the history cheap at scale: the count strategy, a whole-id search, bounded queries.

The benchmark (``manage.py bench``) measures the times; these tests hold the behaviour through the HTTP surface.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perf import snapshots as snapshot_storage
from submissions import selectors
from submissions.constants import GrantTargetType, VisibilityMode
from submissions.services import GrantRequest, submission_update, visibility_set
from tests.submissions.schemas import SEED_SUBMISSION_DATA
from workspaces.constants import Role
from workspaces.models import OversightRelationship


def list_page(client: Any, **params: Any) -> Any:
    response = client.get(reverse("submission-list"), params)
    assert response.status_code == 200, response.json()
    return response


@pytest.mark.parametrize("rows", [5, 6])
def test_total_is_exact_up_to_the_cap(
    rows: int, api_client: Any, form_version: Any, make_submission: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "COUNT_EXACT_CAP", 6)
    for _ in range(rows):
        make_submission(form_version)
    response = list_page(api_client, limit=2)
    pagination = response.json()["pagination"]
    assert isinstance(pagination.pop("nextCursor"), str)
    assert pagination == {"page": 1, "limit": 2, "total": rows, "pages": (rows + 1) // 2}
    assert response["X-Total-Count-Exact"] == "true"


def test_past_the_cap_postgresql_estimates_and_says_so(
    api_client: Any, form_version: Any, make_submission: Any, monkeypatch: Any
) -> None:
    """SQLite counts exactly; PostgreSQL gives its planner's estimate, never below cap + 1, flagged in a header."""
    monkeypatch.setattr(selectors, "COUNT_EXACT_CAP", 5)
    subs = [make_submission(form_version) for _ in range(12)]
    response = list_page(api_client, limit=10)
    pagination = response.json()["pagination"]
    if connection.vendor == "postgresql":
        assert response["X-Total-Count-Exact"] == "false"
        assert pagination["total"] >= 6
    else:
        assert response["X-Total-Count-Exact"] == "true"
        assert pagination["total"] == 12
    assert pagination["pages"] == -(-pagination["total"] // 10)
    # The rows themselves never depend on the count: page 2 holds the two oldest. Past the cap, PostgreSQL
    # walks the page's ids in submissions_page_ids() (JIT off).
    with CaptureQueriesContext(connection) as captured:
        page2 = list_page(api_client, limit=10, page=2).json()["submissions"]
    assert [s["id"] for s in page2] == [subs[1].public_id, subs[0].public_id]
    walked = any("submissions_page_ids(" in query["sql"] for query in captured.captured_queries)
    assert walked == (connection.vendor == "postgresql")


def test_a_capped_count_still_hides_what_the_member_may_not_see(
    api_client_for: Any, member_of: Any, workspace: Any, form_version: Any, make_submission: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "COUNT_EXACT_CAP", 3)
    member = member_of(workspace, Role.MEMBER)
    client = api_client_for(workspace, user=member)
    subs = [make_submission(form_version) for _ in range(6)]
    for hidden in subs[:4]:
        visibility_set(submission=hidden, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    grant = GrantRequest(target_type=GrantTargetType.USER, target_id=str(member.pk))
    visibility_set(submission=subs[0], mode=VisibilityMode.RESTRICTED, grants=[grant], acting_user=None)
    body = list_page(client, limit=10).json()
    assert {s["id"] for s in body["submissions"]} == {subs[0].public_id, subs[4].public_id, subs[5].public_id}
    assert body["pagination"]["total"] == 3


def test_search_by_a_whole_id_in_any_case(
    api_client: Any, form_version: Any, make_submission: Any, django_assert_max_num_queries: Any
) -> None:
    wanted, other = make_submission(form_version), make_submission(form_version)
    list_page(api_client)  # the key's last-used stamp
    with django_assert_max_num_queries(3):
        body = list_page(api_client, search=wanted.public_id.lower()).json()
    assert [s["id"] for s in body["submissions"]] == [wanted.public_id]
    assert body["pagination"]["total"] == 1
    # A part of an id still searches as before.
    assert other.public_id in {
        s["id"] for s in list_page(api_client, search=other.public_id[4:10]).json()["submissions"]
    }


def test_an_overseer_lists_granted_submissions_in_a_bounded_number_of_queries(
    workspace: Any,
    other_workspace: Any,
    api_client_for: Any,
    form_version: Any,
    make_submission: Any,
    django_assert_max_num_queries: Any,
) -> None:
    OversightRelationship.objects.create(overseer=other_workspace, overseen=workspace, active=True)
    shared, kept = make_submission(form_version), make_submission(form_version)
    grant = GrantRequest(target_type=GrantTargetType.OVERSIGHT_WORKSPACE, target_id=str(other_workspace.public_id))
    visibility_set(submission=shared, mode=VisibilityMode.RESTRICTED, grants=[grant], acting_user=None)
    visibility_set(submission=kept, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    overseer = api_client_for(other_workspace)
    list_page(overseer)
    # API key; count with the overseen ids; rows (own and overseen): the same three.
    with django_assert_max_num_queries(3):
        body = list_page(overseer, limit=100).json()
    assert [s["id"] for s in body["submissions"]] == [shared.public_id]
    assert body["pagination"]["total"] == 1


def test_history_numbers_the_newest_100_snapshots_of_a_long_history(
    owner_client: Any, owner: Any, form_version: Any, make_submission: Any, django_assert_max_num_queries: Any
) -> None:
    submission = make_submission(form_version, acting_user=owner)
    data = copy.deepcopy(SEED_SUBMISSION_DATA)
    for n in range(104):  # 105 snapshots in all
        data = {**data, "comments": f"edit {n}"}
        submission = submission_update(submission=submission, acting_user=owner, data=data)
    url = reverse("submission-history", args=[submission.public_id])
    owner_client.get(url)
    with django_assert_max_num_queries(7):
        events = owner_client.get(url).json()["events"]
    assert [e["version"] for e in events] == list(range(105, 5, -1))
    oldest = events[-1]  # version 6: its changelog still compares with version 5, which is not listed
    assert oldest["changelog"]["changedFields"] == ["comments"]
    assert oldest["changelog"]["summary"] == "Updated 1 field"

    snapshot = owner_client.get(reverse("submission-snapshot", args=[submission.public_id, oldest["snapshotId"]]))
    assert snapshot.json()["version"] == 6 and snapshot.json()["data"]["comments"] == "edit 4"
    rollback = owner_client.post(reverse("submission-rollback", args=[submission.public_id, oldest["snapshotId"]]))
    assert rollback.json()["rolledBackToVersion"] == 6
    assert rollback.json()["submission"]["data"]["comments"] == "edit 4"
    latest = owner_client.get(url).json()["events"][0]
    assert (latest["version"], latest["trigger"]) == (106, "rollback")


def test_an_estimated_total_takes_any_search_text(
    api_client: Any, workspace: Any, publish_form: Any, make_submission: Any, monkeypatch: Any
) -> None:
    """Past the cap, PostgreSQL plans the filtered query from its text: quotes, % and \\ stay data."""
    monkeypatch.setattr(selectors, "COUNT_EXACT_CAP", 0)
    version = publish_form(workspace, title="O'Brien 100% \\ review")
    wanted = make_submission(version)
    body = list_page(api_client, search="o'brien 100% \\").json()
    assert [s["id"] for s in body["submissions"]] == [wanted.public_id]
    assert body["pagination"]["total"] >= 1


def test_every_snapshot_of_a_long_history_reads_back_whole(
    owner_client: Any, owner: Any, form_version: Any, make_submission: Any
) -> None:
    """Snapshots are stored as deltas between keyframes; every version still reads back as the full data."""
    submission = make_submission(form_version, acting_user=owner)
    expected = [copy.deepcopy(SEED_SUBMISSION_DATA)]
    data = copy.deepcopy(SEED_SUBMISSION_DATA)
    for n in range(2 * snapshot_storage.KEYFRAME_EVERY + 5):
        data = copy.deepcopy(data)
        if n % 7 == 3:
            data.pop("comments", None)  # a field removed
        elif n % 11 == 5:
            data = {**copy.deepcopy(SEED_SUBMISSION_DATA), "full_name": f"Someone {n}", "country": "FR"}
        else:
            data["comments"] = f"edit {n}"
        submission = submission_update(submission=submission, acting_user=owner, data=data)
        if submission.data != expected[-1]:
            expected.append(copy.deepcopy(submission.data))
    events = owner_client.get(reverse("submission-history", args=[submission.public_id])).json()["events"]
    assert [e["version"] for e in events] == list(range(len(expected), 0, -1))
    for event in events:
        url = reverse("submission-snapshot", args=[submission.public_id, event["snapshotId"]])
        body = owner_client.get(url).json()
        assert body["data"] == expected[event["version"] - 1], event["version"]
        if event["version"] > 1:
            before, after = expected[event["version"] - 2], expected[event["version"] - 1]
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            assert body["changelog"]["changedFields"] == changed
    # Rolling back to a snapshot in the middle of a run of deltas restores its whole data.
    middle = next(e for e in events if e["version"] == snapshot_storage.KEYFRAME_EVERY + 3)
    rollback = owner_client.post(reverse("submission-rollback", args=[submission.public_id, middle["snapshotId"]]))
    assert rollback.json()["submission"]["data"] == expected[middle["version"] - 1]
    submission.refresh_from_db()
    assert submission.data == expected[middle["version"] - 1]


def test_snapshot_storage_deltas_and_keyframes() -> None:
    full = {f"field_{n}": f"a long enough answer {n}" for n in range(10)}
    assert snapshot_storage.to_store(recent=[], data=full) is None  # the creation is a keyframe
    edited = {**full, "field_3": "changed"}
    delta = snapshot_storage.to_store(recent=[full], data=edited)
    assert delta == {"__delta__": {"set": {"field_3": "changed"}, "unset": []}}
    assert snapshot_storage.replay([full, delta]) == [full, edited]
    # After KEYFRAME_EVERY - 1 deltas in a row, the next one is a keyframe again.
    run = [delta] * (snapshot_storage.KEYFRAME_EVERY - 2) + [full]
    assert snapshot_storage.to_store(recent=run, data=edited) is not None
    assert snapshot_storage.to_store(recent=[delta, *run], data=edited) is None
    # A delta no smaller than the data is not worth it.
    assert snapshot_storage.to_store(recent=[{"a": "x"}], data={"b": "y"}) is None


def test_an_overseer_count_past_the_cap(
    workspace: Any, other_workspace: Any, api_client_for: Any, form_version: Any, make_submission: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "COUNT_EXACT_CAP", 1)
    OversightRelationship.objects.create(overseer=other_workspace, overseen=workspace, active=True)
    grant = GrantRequest(target_type=GrantTargetType.OVERSIGHT_WORKSPACE, target_id=str(other_workspace.public_id))
    shared = [make_submission(form_version) for _ in range(3)]
    for submission in shared:
        visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=[grant], acting_user=None)
    overseer = api_client_for(other_workspace)
    whole = list_page(overseer, limit=10)  # a page that holds the last row is its own count
    assert {s["id"] for s in whole.json()["submissions"]} == {s.public_id for s in shared}
    assert (whole["X-Total-Count-Exact"], whole.json()["pagination"]["total"]) == ("true", 3)
    response = list_page(overseer, limit=2)
    total = response.json()["pagination"]["total"]
    if connection.vendor == "postgresql":
        assert (response["X-Total-Count-Exact"], total) == ("false", 2)  # cap + 1: a lower bound
    else:
        assert (response["X-Total-Count-Exact"], total) == ("true", 3)


@pytest.mark.parametrize("memo", [True, False])
def test_a_page_read_again_is_each_callers_own_and_current(
    memo: bool,
    api_client_for: Any,
    member_of: Any,
    workspace: Any,
    form_version: Any,
    make_submission: Any,
    settings: Any,
) -> None:
    """The page's SQL is compiled once per caller and filters (``perf.sqlmemo``); its rows are read every time."""
    settings.PERF_SQL_MEMO = memo
    alice, bob = member_of(workspace, Role.MEMBER), member_of(workspace, Role.MEMBER)
    clients = {"alice": api_client_for(workspace, user=alice), "bob": api_client_for(workspace, user=bob)}
    shared, restricted = make_submission(form_version), make_submission(form_version)
    to_alice = GrantRequest(target_type=GrantTargetType.USER, target_id=str(alice.pk))
    visibility_set(submission=restricted, mode=VisibilityMode.RESTRICTED, grants=[to_alice], acting_user=None)

    def ids(name: str) -> list[str]:
        return [s["id"] for s in list_page(clients[name], limit=10).json()["submissions"]]

    for _ in range(2):  # the second time from the compiled SQL, when on
        assert ids("alice") == [restricted.public_id, shared.public_id]
        assert ids("bob") == [shared.public_id]
    to_bob = GrantRequest(target_type=GrantTargetType.USER, target_id=str(bob.pk))
    visibility_set(submission=restricted, mode=VisibilityMode.RESTRICTED, grants=[to_bob], acting_user=None)
    assert ids("alice") == [shared.public_id]
    assert ids("bob") == [restricted.public_id, shared.public_id]
    submission_update(submission=shared, acting_user=None, data={**shared.data, "full_name": "Renamed"})
    assert list_page(clients["bob"], limit=10).json()["submissions"][1]["data"]["full_name"] == "Renamed"


def test_an_estimated_total_is_kept_a_while(
    api_client: Any, form_version: Any, make_submission: Any, monkeypatch: Any, django_assert_num_queries: Any
) -> None:
    """Past the cap (PostgreSQL), the estimate is kept per caller and filters: the next full page runs no count.
    Exact totals are always counted."""
    monkeypatch.setattr(selectors, "COUNT_EXACT_CAP", 5)
    for _ in range(12):
        make_submission(form_version)
    first = list_page(api_client, limit=10)
    postgres = connection.vendor == "postgresql"
    with django_assert_num_queries(2 if postgres else 3):  # API key and rows (and on SQLite its exact count)
        again = list_page(api_client, limit=10)
    fields = ("page", "limit", "total", "pages")  # the cursor is signed with a timestamp
    assert [again.json()["pagination"][f] for f in fields] == [first.json()["pagination"][f] for f in fields]
    assert again["X-Total-Count-Exact"] == ("false" if postgres else "true")
    with django_assert_num_queries(3):  # other filters: counted
        list_page(api_client, limit=10, status="COMPLETED")
