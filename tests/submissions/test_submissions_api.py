"""/api/submissions: create, list, retrieve, PATCH, DELETE, submit, stats, drafts, with the seed's bodies."""

from __future__ import annotations

import copy
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from submissions.constants import GrantTargetType, VisibilityMode
from submissions.models import Submission
from submissions.services import GrantRequest, matter_create, matter_link_submission, visibility_set
from tests.submissions.schemas import SEED_SUBMISSION_DATA
from workspaces.constants import Role

SUBMISSION_ID = re.compile(r"^SUB-[0-9A-HJKMNP-TV-Z]{12}$")


def seed_create_body(form_id: str) -> dict[str, Any]:
    """The seed's own example body (with our form id)."""
    return {
        "formId": form_id,
        "data": {"full_name": "Jane Smith", "email": "jane@example.com"},
        "metadata": {"source": "api"},
    }


def detail(submission_id: str) -> str:
    return reverse("submission-detail", args=[submission_id])


# --- Create --------------------------------------------------------------------------------------


@pytest.fixture
def simple_version(workspace: Any, publish_form: Any) -> Any:
    """A form whose required fields are the seed's create example."""
    return publish_form(
        workspace,
        {
            "fields": [
                {"key": "full_name", "label": "Full name", "type": "text", "required": True},
                {"key": "email", "label": "Email", "type": "email", "required": True},
                {"key": "comments", "label": "Comments", "type": "textarea"},
                {"key": "is_pep", "label": "PEP?", "type": "yesno"},
                {
                    "key": "pep_role",
                    "label": "Role",
                    "type": "text",
                    "condition": {"field": "is_pep", "operator": "equals", "value": True},
                },
            ]
        },
        title="Feedback",
    )


def test_create_with_the_seed_body(api_client: Any, simple_version: Any) -> None:
    response = api_client.post(
        reverse("submission-list"), seed_create_body(simple_version.form.public_id), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert SUBMISSION_ID.match(body["id"])
    assert body["status"] == "COMPLETED"
    assert body["formId"] == simple_version.form.public_id
    assert body["formVersion"] == {"id": simple_version.public_id, "version": 1}
    assert body["data"] == {"full_name": "Jane Smith", "email": "jane@example.com"}
    assert body["metadata"] == {"source": "api"}
    assert body["matters"] == []
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", body["createdAt"])
    assert set(body) >= {"id", "formId", "status", "data", "metadata", "formVersion", "createdAt", "updatedAt"}


def test_create_refuses_bad_data_and_writes_nothing(api_client: Any, simple_version: Any) -> None:
    form_id = simple_version.form.public_id
    cases = [
        ({"formId": form_id, "data": {"full_name": "Jane"}}, "email"),  # required missing
        ({"formId": form_id, "data": {"full_name": "Jane", "email": "x"}}, "email"),  # wrong shape
        ({"formId": form_id, "data": {"full_name": "J", "email": "j@x.io", "colour": "red"}}, "colour"),  # unknown
        ({"formId": form_id, "data": {"full_name": 7, "email": "j@x.io"}}, "full_name"),  # wrong type
    ]
    for body, key in cases:
        response = api_client.post(reverse("submission-list"), body, format="json")
        assert response.status_code == 400, body
        payload = response.json()
        assert payload["success"] is False and payload["code"] == "VALIDATION_ERROR"
        assert key in payload["details"]["fields"]
    response = api_client.post(reverse("submission-list"), {"formId": form_id}, format="json")
    assert response.status_code == 400 and "data" in response.json()["details"]["fields"]
    response = api_client.post(reverse("submission-list"), {"formId": "frm_nope", "data": {}}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "FORM_NOT_FOUND"
    assert not Submission.objects.exists()


def test_create_strips_hidden_fields_and_sanitises_strings(api_client: Any, simple_version: Any) -> None:
    body = {
        "formId": simple_version.form.public_id,
        "data": {
            "full_name": "<script>alert(1)</script>Jane <b>Smith</b>",
            "email": "jane@example.com",
            "comments": "Tom & Jerry <img src=x onerror=alert(1)>",
            "is_pep": False,
            "pep_role": "Minister",
        },
        "metadata": {"source": "<i>api</i>"},
    }
    response = api_client.post(reverse("submission-list"), body, format="json")
    assert response.status_code == 201
    stored = Submission.objects.get(public_id=response.json()["id"])
    assert stored.data == {
        "full_name": "Jane Smith",
        "email": "jane@example.com",
        "comments": "Tom & Jerry",
        "is_pep": False,
    }
    assert stored.metadata == {"source": "api"}


def test_create_needs_a_published_form(api_client: Any, workspace: Any) -> None:
    form = api_client.post(
        reverse("form-list"),
        {"title": "Draft only", "schema": {"fields": [{"key": "a", "type": "text"}]}},
        format="json",
    ).json()
    response = api_client.post(reverse("submission-list"), {"formId": form["id"], "data": {}}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "FORM_NOT_PUBLISHED"
    api_client.post(reverse("form-publish", args=[form["id"]]))
    api_client.post(reverse("form-archive", args=[form["id"]]))
    response = api_client.post(reverse("submission-list"), {"formId": form["id"], "data": {"a": "x"}}, format="json")
    assert response.status_code == 409


def test_a_viewer_cannot_create(workspace: Any, member_of: Any, api_client_for: Any, simple_version: Any) -> None:
    viewer = api_client_for(workspace, user=member_of(workspace, Role.VIEWER))
    response = viewer.post(reverse("submission-list"), seed_create_body(simple_version.form.public_id), format="json")
    assert response.status_code == 403


def test_ids_are_random_and_unique(make_submission: Any, form_version: Any) -> None:
    ids = {make_submission(form_version).public_id for _ in range(20)}
    assert len(ids) == 20 and all(SUBMISSION_ID.match(i) for i in ids)


# --- List ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("memo", [True, False])
def test_a_list_item_is_the_submission_as_its_own_page_renders_it(
    api_client: Any,
    workspace: Any,
    form_version: Any,
    make_submission: Any,
    member_of: Any,
    settings: Any,
    memo: bool,
) -> None:
    """The list builds its items from plain row values: each is byte for byte what GET /api/submissions/{id}
    renders (a matter or none, an assignee or none, metadata, non-ASCII data), with the compiled SQL or without."""
    settings.PERF_SQL_MEMO = memo
    member = member_of(workspace, Role.MEMBER)
    plain = make_submission(form_version)
    rich = make_submission(
        form_version,
        data={**copy.deepcopy(SEED_SUBMISSION_DATA), "full_name": 'Zoë Ünal "quoted" 名前'},
        metadata={"source": "api", "tags": ["a", 1, None, {"nested": True}]},
        user=member,
    )
    matter = matter_create(workspace=workspace, title="Matter ß", acting_user=None)
    matter_link_submission(matter=matter, submission=rich, acting_user=None)
    for _ in range(2):  # the second time from the compiled SQL, when on
        listed = api_client.get(reverse("submission-list")).json()["submissions"]
        assert [item["id"] for item in listed] == [rich.public_id, plain.public_id]
        for item in listed:
            detail = api_client.get(reverse("submission-detail", args=[item["id"]]))
            assert json.dumps(item, ensure_ascii=False) == json.dumps(detail.json(), ensure_ascii=False)
    assert listed[0]["matters"][0]["title"] == "Matter ß" and listed[0]["userId"] == str(member.pk)
    assert listed[1]["matters"] == [] and listed[1]["userId"] is None


def test_list_shape_pagination_and_matters(
    api_client: Any, workspace: Any, form_version: Any, make_submission: Any
) -> None:
    subs = [make_submission(form_version) for _ in range(12)]
    matter = matter_create(workspace=workspace, title="Client Onboarding - Acme Corp", acting_user=None)
    later = matter_create(workspace=workspace, title="Second matter", acting_user=None)
    matter_link_submission(matter=matter, submission=subs[-1], acting_user=None)
    matter_link_submission(matter=later, submission=subs[-1], acting_user=None)
    body = api_client.get(reverse("submission-list")).json()
    next_cursor = body["pagination"].pop("nextCursor")
    assert isinstance(next_cursor, str) and next_cursor
    assert body["pagination"] == {"page": 1, "limit": 10, "total": 12, "pages": 2}
    assert len(body["submissions"]) == 10
    first = body["submissions"][0]
    assert first["id"] == subs[-1].public_id  # newest first by default
    assert first["matters"] == [
        {"id": matter.public_id, "number": 1, "numberPrefix": "MAT", "title": "Client Onboarding - Acme Corp"}
    ]
    assert body["submissions"][1]["matters"] == []
    assert set(first) >= {"id", "formId", "status", "data", "metadata", "matters", "createdAt"}
    page2 = api_client.get(reverse("submission-list"), {"page": 2}).json()
    assert [s["id"] for s in page2["submissions"]] == [subs[1].public_id, subs[0].public_id]
    assert page2["pagination"]["nextCursor"] is None  # the last page
    assert api_client.get(reverse("submission-list"), {"page": 9}).json()["submissions"] == []
    assert api_client.get(reverse("submission-list"), {"limit": 1000}).json()["pagination"]["limit"] == 100


@pytest.mark.parametrize("size", [10, 100])
def test_list_runs_a_constant_number_of_queries(
    size: int,
    api_client: Any,
    api_client_for: Any,
    member_of: Any,
    workspace: Any,
    form_version: Any,
    make_submission: Any,
    django_assert_num_queries: Any,
) -> None:
    member = member_of(workspace, Role.MEMBER)
    member_client = api_client_for(workspace, user=member)
    for n in range(size):
        submission = make_submission(form_version)
        if n % 3 == 0:
            matter_link_submission(
                matter=matter_create(workspace=workspace, title=f"M{n}", acting_user=None),
                submission=submission,
                acting_user=None,
            )
        if n % 5 == 0:  # restricted, granted to the member and to ADMINs (the key's role): grants to look up
            grants = [
                GrantRequest(target_type=GrantTargetType.USER, target_id=str(member.pk)),
                GrantRequest(target_type=GrantTargetType.WORKSPACE_ROLE, target_id="ADMIN"),
            ]
            visibility_set(submission=submission, mode=VisibilityMode.RESTRICTED, grants=grants, acting_user=None)
    for client in (api_client, member_client):
        client.get(reverse("submission-list"))  # the key's last-used stamp is written once a minute, not here
    # API key (with the overseen workspaces); rows (with form, version and first matter); a page that holds the
    # last row needs no count.
    with django_assert_num_queries(2):
        body = api_client.get(reverse("submission-list"), {"limit": size}).json()
    assert len(body["submissions"]) == size and body["pagination"]["total"] == size
    assert sum(1 for s in body["submissions"] if s["matters"]) == len(range(0, size, 3))
    # Acting as a member: its membership comes with the key, in the same query; a page with rows after it counts.
    for limit, queries in ((size, 2), (size - 1, 3)):
        with django_assert_num_queries(queries):
            response = member_client.get(reverse("submission-list"), {"limit": limit})
        assert len(response.json()["submissions"]) == limit
        assert response.json()["pagination"]["total"] == size
        assert response["X-Total-Count-Exact"] == "true"


def test_list_filters(
    api_client: Any, workspace: Any, form_version: Any, publish_form: Any, make_submission: Any, member_of: Any
) -> None:
    other_version = publish_form(workspace, title="Annual review")
    alice = member_of(
        workspace, Role.MEMBER, username="alice", first_name="Alice", last_name="Archer", email="alice@corp.example"
    )
    a = make_submission(form_version, user=alice)
    b = make_submission(other_version)
    draft = make_submission(form_version, status="DRAFT")
    pending = make_submission(form_version)
    Submission.objects.filter(pk=pending.pk).update(status="PENDING")
    old = make_submission(form_version)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    def ids(**params: Any) -> set[str]:
        response = api_client.get(reverse("submission-list"), params)
        assert response.status_code == 200, response.json()
        return {s["id"] for s in response.json()["submissions"]}

    assert draft.public_id not in ids()
    assert draft.public_id in ids(includeDrafts="true")
    assert ids(status="DRAFT") == {draft.public_id}
    assert ids(status="PENDING") == {pending.public_id}
    assert ids(formId=other_version.form.public_id) == {b.public_id}
    assert ids(submittedBy=alice.pk) == {a.public_id}
    assert ids(search="alice") == {a.public_id}
    assert ids(search="archer") == {a.public_id}
    assert ids(search="Alice Archer") == {a.public_id}
    assert ids(search="Alice Annual") == set()
    assert ids(search="corp.example") == {a.public_id}
    assert ids(search="annual") == {b.public_id}
    assert ids(search=b.public_id[4:10].lower()) == {b.public_id}
    today = timezone.now().date()
    assert old.public_id not in ids(dateFrom=(today - timedelta(days=1)).isoformat())
    assert ids(dateTo=(today - timedelta(days=40)).isoformat()) == {old.public_id}  # inclusive end date
    assert ids(dateFrom=today.isoformat(), dateTo=today.isoformat()) == {a.public_id, b.public_id, pending.public_id}
    statuses = [
        s["status"]
        for s in api_client.get(reverse("submission-list"), {"sortBy": "status", "sortOrder": "asc"}).json()[
            "submissions"
        ]
    ]
    assert statuses == sorted(statuses)
    oldest = api_client.get(reverse("submission-list"), {"sortOrder": "asc"}).json()["submissions"][0]
    assert oldest["id"] == old.public_id
    for bad in (
        {"status": "DONE"},
        {"sortBy": "title"},
        {"dateFrom": "yesterday"},
        {"page": 0},
        {"submittedBy": "bob"},
    ):
        response = api_client.get(reverse("submission-list"), bad)
        assert response.status_code == 400 and response.json()["code"] == "VALIDATION_ERROR", bad


# --- Retrieve, PATCH, DELETE, submit --------------------------------------------------------------


def test_retrieve(api_client: Any, submission: Any) -> None:
    body = api_client.get(detail(submission.public_id)).json()
    assert body["id"] == submission.public_id
    assert body["data"] == SEED_SUBMISSION_DATA
    assert api_client.get(detail("SUB-0000000000AA")).status_code == 404


def test_patch_with_the_seed_body(api_client: Any, submission: Any) -> None:
    Submission.objects.filter(pk=submission.pk).update(status="PENDING")
    data = copy.deepcopy(SEED_SUBMISSION_DATA)
    data.update({"full_name": "Jane Smith", "email": "jane@updated.com"})
    response = api_client.patch(
        detail(submission.public_id),
        {"status": "COMPLETED", "data": data, "metadata": {"reviewedBy": "admin"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "COMPLETED"
    assert body["data"]["email"] == "jane@updated.com"
    assert body["metadata"] == {"reviewedBy": "admin"}


def test_data_change_on_a_completed_submission_sets_edited(api_client: Any, submission: Any) -> None:
    data = {**copy.deepcopy(SEED_SUBMISSION_DATA), "comments": "More"}
    body = api_client.patch(detail(submission.public_id), {"data": data}, format="json").json()
    assert body["status"] == "EDITED"


def test_data_replaces_and_is_validated(api_client: Any, submission: Any) -> None:
    response = api_client.patch(detail(submission.public_id), {"data": {"full_name": "Only"}}, format="json")
    assert response.status_code == 400 and "email" in response.json()["details"]["fields"]
    submission.refresh_from_db()
    assert submission.data == SEED_SUBMISSION_DATA and submission.status == "COMPLETED"


TRANSITIONS = [
    ("DRAFT", "PENDING", True),
    ("DRAFT", "COMPLETED", True),
    ("DRAFT", "EDITED", False),
    ("PENDING", "COMPLETED", True),
    ("PENDING", "DRAFT", True),
    ("PENDING", "EDITED", False),
    ("COMPLETED", "PENDING", True),
    ("COMPLETED", "EDITED", True),
    ("COMPLETED", "DRAFT", False),
    ("EDITED", "COMPLETED", True),
    ("EDITED", "PENDING", True),
    ("EDITED", "DRAFT", False),
]


@pytest.mark.parametrize(("start", "target", "allowed"), TRANSITIONS)
def test_status_transitions(api_client: Any, submission: Any, start: str, target: str, allowed: bool) -> None:
    Submission.objects.filter(pk=submission.pk).update(status=start)
    response = api_client.patch(detail(submission.public_id), {"status": target}, format="json")
    submission.refresh_from_db()
    if allowed:
        assert response.status_code == 200, response.json()
        assert submission.status == target
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "INVALID_STATUS_TRANSITION"
        assert submission.status == start


def test_invalid_status_values_are_refused(api_client: Any, submission: Any) -> None:
    for value in ("DONE", "completed", ""):
        response = api_client.patch(detail(submission.public_id), {"status": value}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "VALIDATION_ERROR"
    submission.refresh_from_db()
    assert submission.status == "COMPLETED"


def test_reassign_and_unassign(
    api_client: Any, workspace: Any, other_workspace: Any, submission: Any, member_of: Any
) -> None:
    bob = member_of(workspace, Role.MEMBER)
    outsider = member_of(other_workspace, Role.OWNER)
    body = api_client.patch(detail(submission.public_id), {"userId": str(bob.pk)}, format="json").json()
    assert body["userId"] == str(bob.pk)
    response = api_client.patch(detail(submission.public_id), {"userId": str(outsider.pk)}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_ASSIGNEE"
    body = api_client.patch(detail(submission.public_id), {"userId": None}, format="json").json()
    assert body["userId"] is None


def test_delete(api_client: Any, workspace: Any, member_of: Any, api_client_for: Any, submission: Any) -> None:
    member = api_client_for(workspace, user=member_of(workspace, Role.MEMBER))
    assert member.delete(detail(submission.public_id)).status_code == 403
    response = api_client.delete(detail(submission.public_id))
    assert response.status_code == 200 and response.json() == {"success": True}
    assert api_client.get(detail(submission.public_id)).status_code == 404
    assert submission.history.count() == 2  # the snapshots stay


def test_submit_a_draft(api_client: Any, form_version: Any, make_submission: Any) -> None:
    draft = make_submission(form_version, data={"full_name": "Jane"}, status="DRAFT")
    response = api_client.post(reverse("submission-submit", args=[draft.public_id]))
    assert response.status_code == 400 and "email" in response.json()["details"]["fields"]
    draft.refresh_from_db()
    assert draft.status == "DRAFT"
    api_client.patch(
        reverse("draft-detail", args=[draft.public_id]), {"data": copy.deepcopy(SEED_SUBMISSION_DATA)}, format="json"
    )
    response = api_client.post(reverse("submission-submit", args=[draft.public_id]))
    assert response.status_code == 200 and response.json()["status"] == "PENDING"
    again = api_client.post(reverse("submission-submit", args=[draft.public_id]))
    assert again.status_code == 409 and again.json()["code"] == "INVALID_STATUS_TRANSITION"


# --- Stats ---------------------------------------------------------------------------------------


def test_stats(api_client: Any, workspace: Any, form_version: Any, publish_form: Any, make_submission: Any) -> None:
    other = publish_form(workspace, title="Other form")
    make_submission(form_version)
    make_submission(form_version, status="DRAFT")
    old = make_submission(other)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    today = timezone.now().date()
    body = api_client.get(reverse("submission-stats"), {"dateFrom": (today - timedelta(days=3)).isoformat()}).json()
    assert body["total"] == 3
    assert body["byStatus"] == {"DRAFT": 1, "PENDING": 0, "COMPLETED": 2, "EDITED": 0}
    assert {(f["formId"], f["count"]) for f in body["byForm"]} == {
        (form_version.form.public_id, 2),
        (other.form.public_id, 1),
    }
    assert [d["count"] for d in body["byDay"]] == [1, 0, 0, 2]
    assert body["byDay"][0]["date"] == (today - timedelta(days=3)).isoformat()
    assert (
        api_client.get(reverse("submission-stats"), {"dateFrom": "2026-02-10", "dateTo": "2026-02-01"}).status_code
        == 400
    )


# --- Drafts --------------------------------------------------------------------------------------


def test_drafts(api_client: Any, form_version: Any, make_submission: Any) -> None:
    draft = make_submission(form_version, data={"full_name": "Jane"}, status="DRAFT")
    done = make_submission(form_version)
    body = api_client.get(reverse("draft-list")).json()
    assert [d["id"] for d in body["drafts"]] == [draft.public_id]
    assert body["pagination"]["total"] == 1
    assert api_client.get(reverse("draft-detail", args=[draft.public_id])).json()["status"] == "DRAFT"
    assert api_client.get(reverse("draft-detail", args=[done.public_id])).status_code == 404
    # A draft may be saved without its required fields, but not with wrong values.
    response = api_client.patch(
        reverse("draft-detail", args=[draft.public_id]), {"data": {"country": "FR"}}, format="json"
    )
    assert response.status_code == 200 and response.json()["data"] == {"country": "FR"}
    response = api_client.patch(
        reverse("draft-detail", args=[draft.public_id]), {"data": {"country": "France"}}, format="json"
    )
    assert response.status_code == 400
    assert (
        api_client.patch(reverse("draft-detail", args=[done.public_id]), {"data": {}}, format="json").status_code == 404
    )
    assert api_client.delete(reverse("draft-detail", args=[done.public_id])).status_code == 404
    assert api_client.delete(reverse("draft-detail", args=[draft.public_id])).json() == {"success": True}
    assert not Submission.objects.filter(pk=draft.pk).exists()
    assert Submission.objects.filter(pk=done.pk).exists()


def test_create_a_draft_without_required_fields(api_client: Any, form_version: Any) -> None:
    body = {"formId": form_version.form.public_id, "data": {"full_name": "Jane"}, "status": "DRAFT"}
    response = api_client.post(reverse("submission-list"), body, format="json")
    assert response.status_code == 201 and response.json()["status"] == "DRAFT"


def test_create_with_the_seed_example_object_data(api_client: Any, form_version: Any) -> None:
    """The data of the seed's example submission object, every shape in it: sections, table, rating, flags."""
    body = {
        "formId": form_version.form.public_id,
        "data": copy.deepcopy(SEED_SUBMISSION_DATA),
        "metadata": {"source": "client_form_link"},
    }
    response = api_client.post(reverse("submission-list"), body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["data"] == SEED_SUBMISSION_DATA and created["metadata"] == {"source": "client_form_link"}
    assert api_client.get(detail(created["id"])).json()["data"] == SEED_SUBMISSION_DATA


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("country", "Narnia"),
        ("overall_rating", 9),
        ("risk_flags", ["High risk"]),
        ("section_shareholders_items", [{"shareholder_name": "Bob", "age": 3}]),
        ("share_allocation", [{"shares": "many"}, {}]),
    ],
)
def test_create_refuses_each_wrong_shape_of_the_seed_form(
    api_client: Any, form_version: Any, key: str, value: Any
) -> None:
    data = {**copy.deepcopy(SEED_SUBMISSION_DATA), key: value}
    response = api_client.post(
        reverse("submission-list"), {"formId": form_version.form.public_id, "data": data}, format="json"
    )
    assert response.status_code == 400
    assert any(path.startswith(key) for path in response.json()["details"]["fields"])
    assert not Submission.objects.exists()


def test_the_seed_list_query(api_client: Any, form_version: Any, make_submission: Any) -> None:
    make_submission(form_version)
    response = api_client.get(
        reverse("submission-list"),
        {"formId": "abc123", "status": "PENDING", "dateFrom": "2026-01-01", "dateTo": "2026-02-01"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "submissions": [],
        "pagination": {"page": 1, "limit": 10, "total": 0, "pages": 0, "nextCursor": None},
    }


def test_deeply_nested_metadata_is_a_400(api_client: Any, submission: Any) -> None:
    metadata: dict[str, Any] = {"x": "y"}
    for _ in range(30):
        metadata = {"x": metadata}
    response = api_client.patch(detail(submission.public_id), {"metadata": metadata}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_ERROR"
    submission.refresh_from_db()
    assert submission.metadata == {}


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.VIEWER, False), (Role.MEMBER, True), (Role.ADMIN, True), (Role.OWNER, True)]
)
def test_who_may_edit(
    workspace: Any, member_of: Any, api_client_for: Any, submission: Any, role: Role, allowed: bool
) -> None:
    client = api_client_for(workspace, user=member_of(workspace, role))
    response = client.patch(detail(submission.public_id), {"status": "PENDING"}, format="json")
    assert response.status_code == (200 if allowed else 403)
    submission.refresh_from_db()
    assert submission.status == ("PENDING" if allowed else "COMPLETED")
