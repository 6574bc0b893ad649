"""The audit log itself: the read-only admin, GET /api/audit (JSON pages, CSV), reads of it logged, retention,
and PostgreSQL refusing every UPDATE and DELETE."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit import admin as audit_admin
from audit.constants import AuditAction
from audit.errors import RetentionNotSet
from audit.models import AuditEvent
from audit.services import audit_prune, audit_record
from audit.tasks import audit_prune_run
from config.celery import app as celery_app
from workspaces.constants import Role


def record(workspace: Any, action: str = "note_added", target_id: str = "SUB-1", **details: Any) -> AuditEvent:
    return audit_record(
        action=action,
        workspace_id=workspace.pk,
        acting_user=None,
        target_type="submission",
        target_id=target_id,
        details=details,
    )


def backdate(event: AuditEvent, *, days: int) -> None:
    """As if written ``days`` ago: an UPDATE only the table's owner can make, with the trigger off for it."""
    append_only = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if append_only:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        AuditEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=days))
        if append_only:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_the_admin_shows_an_admin_its_workspace_rows_read_only_and_logs_the_read(
    client: Any, member_of: Any, workspace: Any, other_workspace: Any, django_assert_max_num_queries: Any
) -> None:
    mine = record(workspace)
    theirs = record(other_workspace)
    admin_user = member_of(workspace, Role.ADMIN, is_staff=True)
    client.force_login(admin_user)

    with django_assert_max_num_queries(12):
        listing = client.get(reverse("admin:audit_auditevent_changelist"), {"action": "note_added"})
    assert listing.status_code == 200
    assert {row.pk for row in listing.context["cl"].result_list} == {mine.pk}
    read = AuditEvent.objects.get(action=AuditAction.AUDIT_READ)
    assert (read.actor_user, read.workspace, read.details["query"]) == (admin_user, workspace, "action=note_added")

    page = client.get(reverse("admin:audit_auditevent_change", args=[mine.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content and b"SUB-1" in page.content
    assert AuditEvent.objects.filter(action=AuditAction.AUDIT_READ, target_id=str(mine.pk)).exists()
    assert client.get(reverse("admin:audit_auditevent_change", args=[theirs.pk])).status_code == 302  # not found
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[mine.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
def test_a_member_below_admin_does_not_see_the_log(client: Any, member_of: Any, workspace: Any, role: Role) -> None:
    record(workspace)
    client.force_login(member_of(workspace, role, is_staff=True))
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
    assert "audit" not in client.get(reverse("admin:index")).content.decode().lower()


def test_not_even_a_superuser_may_add_change_or_delete(admin_client: Any, workspace: Any) -> None:
    event = record(workspace, action="member_added")
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    change = admin_client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "forged"})
    assert change.status_code == 403
    delete = admin_client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    listing = admin_client.post(
        reverse("admin:audit_auditevent_changelist"), {"action": "delete_selected", "_selected_action": [event.pk]}
    )
    assert listing.status_code in (200, 302)
    event.refresh_from_db()
    assert event.action == "member_added"


def test_the_api_lists_the_workspace_log_for_admins_filtered_and_paged(
    api_client_for: Any, workspace: Any, other_workspace: Any
) -> None:
    for number in range(3):
        record(workspace, target_id=f"s{number}")
    record(workspace, action="visibility_changed", target_id="s9")
    record(other_workspace, target_id="theirs")
    client = api_client_for(workspace, role=Role.ADMIN)

    first = client.get(reverse("audit-list"), {"action": "note_added", "limit": 2})
    assert first.status_code == 200, first.content
    body = first.json()
    assert [event["targetId"] for event in body["events"]] == ["s2", "s1"]
    assert set(body["events"][0]) == {
        "id",
        "createdAt",
        "actor",
        "userId",
        "apiKey",
        "action",
        "targetType",
        "targetId",
        "ip",
        "userAgent",
        "details",
    }
    rest = client.get(reverse("audit-list"), {"action": "note_added", "beforeId": body["nextBeforeId"]}).json()
    assert [event["targetId"] for event in rest["events"]] == ["s0"] and rest["nextBeforeId"] is None
    by_target = client.get(reverse("audit-list"), {"targetType": "submission", "targetId": "s9"}).json()
    assert [event["action"] for event in by_target["events"]] == ["visibility_changed"]

    reads = AuditEvent.objects.filter(action=AuditAction.AUDIT_READ, workspace=workspace).order_by("id")
    assert reads.count() == 3 and reads.first().actor_api_key == "test key"  # type: ignore[union-attr]
    assert reads.first().details["action"] == "note_added"  # type: ignore[union-attr]
    # The reads are in the log too, and the next reader sees them.
    actions = [e["action"] for e in client.get(reverse("audit-list"), {"actor": "API key test key"}).json()["events"]]
    assert actions[:3] == [AuditAction.AUDIT_READ] * 3


def test_the_api_filters_by_time(api_client_for: Any, workspace: Any) -> None:
    backdate(record(workspace, target_id="old"), days=3)
    record(workspace, target_id="new")
    client = api_client_for(workspace, role=Role.OWNER)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    recent = client.get(reverse("audit-list"), {"since": since, "action": "note_added"}).json()["events"]
    older = client.get(reverse("audit-list"), {"until": since, "action": "note_added"}).json()["events"]
    assert [e["targetId"] for e in recent] == ["new"] and [e["targetId"] for e in older] == ["old"]


def test_the_api_streams_the_log_as_csv(api_client_for: Any, workspace: Any, other_workspace: Any) -> None:
    record(workspace, target_id="s1", a=1)
    record(other_workspace, target_id="theirs")
    response = api_client_for(workspace, role=Role.OWNER).get(reverse("audit-list"), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == (
        "id,created_at,workspace_id,actor_user_id,actor_label,actor_api_key,action,target_type,target_id,"
        "ip_address,user_agent,details"
    )
    assert any(",note_added,submission,s1," in line and '{""a"": 1}' in line for line in lines[1:])
    assert not any("theirs" in line for line in lines)
    assert AuditEvent.objects.get(action=AuditAction.AUDIT_READ).details["format"] == "csv"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
def test_the_api_log_is_for_admins_and_owners(api_client_for: Any, workspace: Any, role: Role) -> None:
    response = api_client_for(workspace, role=role).get(reverse("audit-list"))
    assert response.status_code == 403
    assert response.json()["success"] is False and response.json()["code"] == "INSUFFICIENT_ROLE"
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_READ).exists()


@pytest.mark.parametrize(
    "query",
    [{"limit": 0}, {"limit": 501}, {"since": "yesterday"}, {"format": "xml"}, {"beforeId": "x"}, {"action": ""}],
)
def test_the_api_refuses_bad_filters(api_client_for: Any, workspace: Any, query: dict[str, Any]) -> None:
    bad = api_client_for(workspace, role=Role.ADMIN).get(reverse("audit-list"), query)
    assert bad.status_code == 400 and bad.json()["code"] == "VALIDATION_ERROR", bad.content
    assert bad.json()["success"] is False and "fields" in bad.json()["details"]
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_READ).exists()


def test_retention_deletes_only_older_rows_and_records_itself(workspace: Any, settings: Any) -> None:
    old, new = record(workspace, target_id="old"), record(workspace, target_id="new")
    backdate(old, days=40)
    settings.AUDIT_RETENTION_DAYS = 30
    call_command("audit_prune")
    assert list(AuditEvent.objects.filter(target_type="submission").values_list("pk", flat=True)) == [new.pk]
    pruned = AuditEvent.objects.get(action=AuditAction.AUDIT_PRUNED)
    assert pruned.details["deleted"] == 1 and pruned.details["retention_days"] == 30


def test_without_a_retention_nothing_is_pruned(workspace: Any, settings: Any) -> None:
    record(workspace)
    settings.AUDIT_RETENTION_DAYS = None
    with pytest.raises(RetentionNotSet, match="AUDIT_RETENTION_DAYS"):
        audit_prune()
    with pytest.raises(CommandError, match="kept for ever"):
        call_command("audit_prune")
    assert AuditEvent.objects.count() == 1


def test_beat_prunes_daily_with_the_retention_setting(workspace: Any, settings: Any) -> None:
    entry = next(e for e in celery_app.conf.beat_schedule.values() if e["task"] == "audit.tasks.audit_prune_run")
    assert isinstance(entry["schedule"], crontab) and entry["schedule"].hour == {3}  # once a day
    old, new = record(workspace, target_id="old"), record(workspace, target_id="new")
    backdate(old, days=40)
    settings.AUDIT_RETENTION_DAYS = None
    assert audit_prune_run.delay().get() == 0  # no retention: kept for ever, nothing recorded
    assert AuditEvent.objects.count() == 2
    settings.AUDIT_RETENTION_DAYS = 30
    assert audit_prune_run.delay().get() == 1
    assert list(AuditEvent.objects.filter(target_type="submission").values_list("pk", flat=True)) == [new.pk]
    assert AuditEvent.objects.filter(action=AuditAction.AUDIT_PRUNED).count() == 1


def test_the_admin_list_counts_up_to_a_cap_never_the_whole_log(
    client: Any, member_of: Any, workspace: Any, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        record(workspace, target_id=f"SUB-{n}")
    client.force_login(member_of(workspace, Role.ADMIN, is_staff=True))
    url = reverse("admin:audit_auditevent_changelist")
    monkeypatch.setattr(audit_admin, "ADMIN_COUNT_CAP", 3)
    with django_assert_max_num_queries(12) as captured:
        listing = client.get(url)
    assert listing.status_code == 200
    assert b"more than 3 audit events" in listing.content
    assert len(listing.context["cl"].result_list) == 6  # every row of the page is still listed (5 and the sign-in)
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 4" in sql for sql in counts), counts
    monkeypatch.setattr(audit_admin, "ADMIN_COUNT_CAP", 10)
    exact = client.get(url).content  # the 6, and the first list's read
    assert b"7 audit events" in exact and b"more than" not in exact


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_audit_rows(workspace: Any) -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://... (this test must not skip)"
    event = record(workspace, action="member_added")
    for statement in (
        "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    # Retention's cut-off lets only older rows go: this one is newer than it.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.prune_before', %s, true)", [timezone.now().isoformat()])
        cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == "member_added"
