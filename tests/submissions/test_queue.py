"""The review queue (the submissions changelist): columns, filters, search, claim/assign/unassign, bulk status,
the unread marker, refusals per role, all through the admin pages with a query budget."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from submissions import queue as queue_counts
from submissions.admin_queue import QUEUE_BULK_MAX
from submissions.constants import EventType, GrantTargetType, SubmissionStatus, VisibilityMode
from submissions.models import Submission, SubmissionEvent
from submissions.services import (
    GrantRequest,
    matter_create,
    matter_link_submission,
    submission_update,
    visibility_set,
)
from workspaces.constants import Role
from workspaces.services import membership_set

QUEUE = "admin:submissions_submission_changelist"
PERSON_SCHEMA = {
    "fields": [
        {"key": "full_name", "label": "Full name", "type": "text"},
        {"key": "email", "label": "Email", "type": "email"},
    ]
}


@pytest.fixture
def reviewer(workspace: Any, member_of: Any) -> Any:
    return member_of(workspace, Role.MEMBER, is_staff=True, first_name="Rita", last_name="Reviewer")


def queue(client: Any, budget: Any, **params: Any) -> Any:
    with budget(12):
        response = client.get(reverse(QUEUE), params)
    assert response.status_code == 200
    return response


def shown(response: Any) -> list[str]:
    return [row.public_id for row in response.context["cl"].result_list]


def act(client: Any, action: str, rows: list[Submission], **fields: Any) -> list[str]:
    response = client.post(
        reverse(QUEUE), {"action": action, "_selected_action": [row.pk for row in rows], **fields}, follow=True
    )
    assert response.status_code == 200
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_queue_shows_who_what_status_assignee_and_age_within_a_query_budget(
    client: Any,
    reviewer: Any,
    workspace: Any,
    other_workspace: Any,
    publish_form: Any,
    make_submission: Any,
    django_assert_max_num_queries: Any,
) -> None:
    version = publish_form(workspace, schema=PERSON_SCHEMA, title="KYC person")
    person = make_submission(version, data={"full_name": "Jane Smith", "email": "jane@example.com"})
    company = make_submission(version, data={"full_name": "", "email": "ops@acme.example"})
    Submission.objects.filter(pk=company.pk).update(data={"company_name": "Acme Corp", "email": "ops@acme.example"})
    split = make_submission(version, data={"full_name": "x", "email": "j@example.com"})
    Submission.objects.filter(pk=split.pk).update(
        data={"first_name": "John", "last_name": "Doe"}, created_at=timezone.now() - timedelta(days=3)
    )
    submission_update(submission=person, user_id=reviewer.pk, acting_user=None)
    for n in range(30):  # many rows cost what a few cost
        make_submission(version, data={"full_name": f"Client {n}", "email": f"c{n}@example.com"})
    theirs = make_submission(publish_form(other_workspace, title="Their form"))
    client.force_login(reviewer)

    body = queue(client, django_assert_max_num_queries).content.decode()
    for text in ("Jane Smith", "Acme Corp", "John Doe", "KYC person · v1", "Rita Reviewer", "● unread", "3\xa0days"):
        assert text in body, text
    assert theirs.public_id not in body and "Their form" not in body
    assert '"data"' not in body


def test_the_row_checkboxes_are_djangos_own_markup(
    client: Any,
    reviewer: Any,
    form_version: Any,
    make_submission: Any,
    settings: Any,
    django_assert_max_num_queries: Any,
) -> None:
    """``perf.admin.RowCheckboxMixin`` writes the checkbox out: the page is byte for byte what Django renders."""
    rows = [make_submission(form_version) for _ in range(3)]
    client.force_login(reviewer)
    pages = {}
    for on in (True, False):
        settings.PERF_ADMIN_CHECKBOX = on
        body = queue(client, django_assert_max_num_queries).content.decode()
        pages[on] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    assert pages[True] == pages[False]
    for row in rows:
        expected = (
            f'<input type="checkbox" name="_selected_action" value="{row.pk}" class="action-select" '
            f'aria-label="Select this object for an action - {row.public_id}">'
        )
        assert expected in pages[True]


def test_filters_status_form_assignee_date_and_matter(
    client: Any,
    reviewer: Any,
    workspace: Any,
    other_workspace: Any,
    publish_form: Any,
    make_submission: Any,
    django_assert_max_num_queries: Any,
) -> None:
    first, second = publish_form(workspace, title="First form"), publish_form(workspace, title="Second form")
    mine = make_submission(first)
    nobody = make_submission(second, user=None)
    pending = make_submission(first)
    Submission.objects.filter(pk=pending.pk).update(status=SubmissionStatus.PENDING, user=None)
    old = make_submission(first)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40), user=None)
    submission_update(submission=mine, user_id=reviewer.pk, acting_user=None)
    matter = matter_create(workspace=workspace, title="Acme onboarding", acting_user=None)
    matter_link_submission(matter=matter, submission=nobody, acting_user=None)
    foreign_matter = matter_create(workspace=other_workspace, title="Not yours", acting_user=None)
    client.force_login(reviewer)

    assert shown(queue(client, django_assert_max_num_queries, status="PENDING")) == [pending.public_id]
    assert shown(queue(client, django_assert_max_num_queries, form=second.form.public_id)) == [nobody.public_id]
    assert shown(queue(client, django_assert_max_num_queries, assignee="me")) == [mine.public_id]
    assert shown(queue(client, django_assert_max_num_queries, assignee="unread")) == [mine.public_id]
    assert set(shown(queue(client, django_assert_max_num_queries, assignee="nobody"))) == {
        nobody.public_id,
        pending.public_id,
        old.public_id,
    }
    assert shown(queue(client, django_assert_max_num_queries, assignee="anyone")) == [mine.public_id]
    week_ago = (timezone.now() - timedelta(days=7)).isoformat()
    recent = shown(queue(client, django_assert_max_num_queries, created_at__gte=week_ago))
    assert old.public_id not in recent and mine.public_id in recent
    page = queue(client, django_assert_max_num_queries, matter=matter.public_id)
    assert shown(page) == [nobody.public_id]
    assert foreign_matter.public_id not in page.content.decode() and "Not yours" not in page.content.decode()
    # A matter or form the user cannot see (or that does not exist) filters everything out, never errs.
    assert shown(queue(client, django_assert_max_num_queries, matter=foreign_matter.public_id)) == []
    assert shown(queue(client, django_assert_max_num_queries, form="f_nonsense")) == []


def test_search_finds_id_submitter_and_the_text_of_the_data(
    client: Any,
    reviewer: Any,
    workspace: Any,
    member_of: Any,
    publish_form: Any,
    make_submission: Any,
    django_assert_max_num_queries: Any,
) -> None:
    form_version = publish_form(workspace, schema=PERSON_SCHEMA)
    alice = member_of(workspace, Role.MEMBER, first_name="Alice", last_name="Archer", email="alice@corp.example")
    by_alice = make_submission(form_version, data={"full_name": "Bob", "email": "b@example.com"}, user=alice)
    jose = make_submission(form_version, data={"full_name": "José Müller", "email": "jm@example.com"})
    smith = make_submission(form_version, data={"full_name": "Jane Smith", "email": "jsmith@example.com"})
    client.force_login(reviewer)

    def search(text: str) -> set[str]:
        return set(shown(queue(client, django_assert_max_num_queries, q=text)))

    assert search(smith.public_id.lower()) == {smith.public_id}
    assert search(smith.public_id[4:11]) == {smith.public_id}
    assert search("archer") == {by_alice.public_id}
    assert search("corp.example") == {by_alice.public_id}
    assert search("jsmith@example.com") == {smith.public_id}
    assert search("jsmith") == {smith.public_id}
    assert search("josé müller") == {jose.public_id}
    assert search("Jane Nobody") == set()
    assert search("o'brien 100% \\") == set()


def test_claim_marks_unread_until_the_assignee_opens_it_and_records_the_reassignment(
    client: Any, reviewer: Any, workspace: Any, member_of: Any, submission: Any
) -> None:
    colleague = member_of(workspace, Role.MEMBER, is_staff=True)
    client.force_login(reviewer)
    messages = act(client, "claim", [submission])
    assert messages == ["Assigned 1 submission(s) to you."]
    submission.refresh_from_db()
    assert submission.user_id == reviewer.pk and submission.assignee_read_at is None
    event = SubmissionEvent.objects.get(submission=submission, type=EventType.REASSIGNED)
    assert event.actor == reviewer

    change = reverse("admin:submissions_submission_change", args=[submission.pk])
    client.force_login(colleague)  # someone else reading it leaves it unread
    assert client.get(change).status_code == 200
    submission.refresh_from_db()
    assert submission.assignee_read_at is None
    client.force_login(reviewer)
    assert client.get(change).status_code == 200
    submission.refresh_from_db()
    assert submission.assignee_read_at is not None
    assert "● unread" not in client.get(reverse(QUEUE)).content.decode()

    # Reassigning makes it unread for the new assignee; unassigning leaves nobody.
    assert act(client, "assign", [submission], assignee=str(colleague.pk)) == ["Assigned 1 submission(s)."]
    submission.refresh_from_db()
    assert submission.user_id == colleague.pk and submission.assignee_read_at is None
    assert act(client, "unassign", [submission]) == ["Unassigned 1 submission(s)."]
    submission.refresh_from_db()
    assert submission.user_id is None
    assert SubmissionEvent.objects.filter(submission=submission, type=EventType.REASSIGNED).count() == 3


def test_bulk_status_change_goes_through_the_rules_with_a_message_per_refused_row(
    client: Any, reviewer: Any, form_version: Any, make_submission: Any
) -> None:
    completed = make_submission(form_version)
    draft = make_submission(form_version, data={"full_name": "Draft Person"}, status=SubmissionStatus.DRAFT)
    client.force_login(reviewer)
    messages = act(client, "set_status", [completed, draft], status=SubmissionStatus.PENDING)
    assert f"{draft.public_id}: A DRAFT submission cannot become PENDING." not in messages  # DRAFT -> PENDING is fine
    completed.refresh_from_db()
    assert completed.status == SubmissionStatus.PENDING
    assert completed.history.first().history_change_reason == "status"
    assert completed.history.first().history_user == reviewer

    other = make_submission(form_version)
    messages = act(client, "set_status", [other, completed], status=SubmissionStatus.EDITED)
    assert f"{completed.public_id}: A PENDING submission cannot become EDITED." in messages
    assert "Set 1 submission(s) to Edited." in messages
    completed.refresh_from_db()
    other.refresh_from_db()
    assert completed.status == SubmissionStatus.PENDING and other.status == SubmissionStatus.EDITED


def test_bulk_assign_refuses_a_member_of_another_workspace_per_row(
    client: Any, workspace: Any, other_workspace: Any, member_of: Any, publish_form: Any, make_submission: Any
) -> None:
    """A reviewer of two workspaces assigns a colleague of one: the other workspace's row is refused by name."""
    reviewer = member_of(workspace, Role.MEMBER, is_staff=True)
    membership_set(workspace=other_workspace, user=reviewer, role=Role.MEMBER, acting_user=None)
    colleague = member_of(workspace, Role.MEMBER)
    here, there = make_submission(publish_form(workspace)), make_submission(publish_form(other_workspace))
    client.force_login(reviewer)
    messages = act(client, "assign", [here, there], assignee=str(colleague.pk))
    assert f"{there.public_id}: userId must name a member of the submission's workspace." in messages
    assert "Assigned 1 submission(s)." in messages
    here.refresh_from_db()
    there.refresh_from_db()
    assert here.user_id == colleague.pk and there.user_id != colleague.pk


def test_bad_bulk_input_writes_nothing(client: Any, reviewer: Any, form_version: Any, make_submission: Any) -> None:
    row = make_submission(form_version)
    before = (row.status, row.user_id)
    client.force_login(reviewer)
    assert act(client, "assign", [row]) == ["Choose a member beside the action first."]
    assert act(client, "assign", [row], assignee="not-a-number") == ["Choose a member beside the action first."]
    assert act(client, "set_status", [row], status="ARCHIVED") == ["Choose a status beside the action first."]
    row.refresh_from_db()
    assert (row.status, row.user_id) == before
    assert not SubmissionEvent.objects.filter(submission=row).exists()
    assert row.history.count() == 1


def test_select_all_beyond_the_bulk_limit_is_refused(
    client: Any, reviewer: Any, form_version: Any, monkeypatch: Any, make_submission: Any
) -> None:
    import submissions.admin_queue as admin_queue

    monkeypatch.setattr(admin_queue, "QUEUE_BULK_MAX", 2)
    rows = [make_submission(form_version) for _ in range(3)]
    client.force_login(reviewer)
    response = client.post(
        reverse(QUEUE), {"action": "claim", "select_across": "1", "_selected_action": [rows[0].pk]}, follow=True
    )
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["A bulk action changes at most 2 submissions; narrow the list first."]
    assert not Submission.objects.filter(user=reviewer).exists()
    assert QUEUE_BULK_MAX == 500


def test_a_viewer_reads_the_queue_but_is_offered_no_action_and_changes_nothing(
    client: Any, workspace: Any, member_of: Any, submission: Any, django_assert_max_num_queries: Any
) -> None:
    viewer = member_of(workspace, Role.VIEWER, is_staff=True)
    client.force_login(viewer)
    page = queue(client, django_assert_max_num_queries)
    assert submission.public_id in page.content.decode()
    assert page.context["action_form"] is None or not [
        name for name, _ in page.context["action_form"].fields["action"].choices if name
    ]
    for action, fields in (("claim", {}), ("set_status", {"status": "PENDING"}), ("unassign", {})):
        act(client, action, [submission], **fields)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.COMPLETED and submission.user_id is None
    assert not SubmissionEvent.objects.filter(submission=submission).exists()


def test_restricted_rows_stay_out_of_a_members_queue_unless_granted(
    client: Any, reviewer: Any, form_version: Any, make_submission: Any, django_assert_max_num_queries: Any
) -> None:
    hidden, granted = make_submission(form_version), make_submission(form_version)
    visibility_set(submission=hidden, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    grant = GrantRequest(target_type=GrantTargetType.USER, target_id=str(reviewer.pk))
    visibility_set(submission=granted, mode=VisibilityMode.RESTRICTED, grants=[grant], acting_user=None)
    client.force_login(reviewer)
    assert set(shown(queue(client, django_assert_max_num_queries))) == {granted.public_id}
    assert shown(queue(client, django_assert_max_num_queries, q=hidden.public_id)) == []
    act(client, "claim", [hidden])
    hidden.refresh_from_db()
    assert hidden.user_id is None


def test_an_outsider_gets_no_queue(client: Any, other_workspace: Any, member_of: Any, submission: Any) -> None:
    """Staff of another workspace only: the queue lists none of this workspace's submissions."""
    outsider = member_of(other_workspace, Role.OWNER, is_staff=True)
    client.force_login(outsider)
    response = client.get(reverse(QUEUE))
    assert response.status_code == 200 and submission.public_id not in response.content.decode()


def test_the_count_under_the_queue_is_exact_up_to_the_cap_then_said_to_be_an_estimate(
    client: Any, reviewer: Any, form_version: Any, make_submission: Any, monkeypatch: Any
) -> None:
    """The paginator's line (``admin/capped_pagination.html``, shared with the audit log's): PostgreSQL estimates past
    ``COUNT_EXACT_CAP`` and says so; SQLite always counts exactly."""
    for _ in range(4):
        make_submission(form_version)
    client.force_login(reviewer)
    paginator = re.compile(r'<p class="paginator">(.*?)</p>', re.S)

    exact = paginator.findall(client.get(reverse(QUEUE)).content.decode())
    monkeypatch.setattr(queue_counts, "COUNT_EXACT_CAP", 2)
    capped = paginator.findall(client.get(reverse(QUEUE)).content.decode())

    assert [line.split() for line in exact] == [["4", "submissions"]]
    if connection.vendor == "postgresql":
        assert len(capped) == 1 and re.fullmatch(r"\s*about \d+ submissions \(an estimate\)\s*", capped[0])
    else:
        assert capped == exact
