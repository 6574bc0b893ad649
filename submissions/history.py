"""A submission's history as the API, the case page and the services read it: snapshots (stored whole or as
deltas, ``perf.snapshots``) and the merged timeline of snapshots and events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from perf import snapshots as snapshot_storage
from submissions.constants import (
    EVENT_API_KEY,
    HISTORY_LIMIT,
    SNAPSHOT_DESCRIPTIONS,
    SnapshotTrigger,
)
from submissions.errors import (
    SnapshotNotFound,
)
from submissions.models import (
    Submission,
)


@dataclass(frozen=True)
class Snapshot:
    """One historical row of a submission, with what is derived from the history: version, trigger, changelog.

    ``data`` and ``previous_data`` are the full data, rebuilt from keyframes and deltas (``snapshots``): a
    record's own ``data`` column may hold a delta.
    """

    record: Any  # HistoricalSubmission
    version: int
    previous: Any | None
    data: dict[str, Any]
    previous_data: dict[str, Any] | None

    @property
    def id(self) -> str:
        return str(self.record.snapshot_id)

    @property
    def trigger(self) -> str:
        reason = self.record.history_change_reason or ""
        return reason.split(":", 1)[0] or (SnapshotTrigger.CREATE if self.previous is None else SnapshotTrigger.EDIT)

    @property
    def rolled_back_to(self) -> int | None:
        reason = self.record.history_change_reason or ""
        head, _, tail = reason.partition(":")
        return int(tail) if head == SnapshotTrigger.ROLLBACK and tail.isdigit() else None

    @property
    def changed_fields(self) -> list[str]:
        before = self.previous_data or {}
        after = self.data
        return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))

    @property
    def changelog(self) -> dict[str, Any]:
        changed = self.changed_fields
        noun = "field" if len(changed) == 1 else "fields"
        if self.previous is None:
            summary = f"Created with {len(changed)} {noun}"
        elif self.rolled_back_to is not None:
            summary = f"Rolled back to version {self.rolled_back_to}; updated {len(changed)} {noun}"
        elif changed:
            summary = f"Updated {len(changed)} {noun}"
        else:
            summary = "No field changed"
        changelog: dict[str, Any] = {"summary": summary, "changedFields": changed}
        if self.previous is not None and self.previous.status != self.record.status:
            changelog["status"] = {"from": self.previous.status, "to": self.record.status}
            if not changed:
                changelog["summary"] = f"Status changed from {self.previous.status} to {self.record.status}"
        return changelog

    @property
    def description(self) -> str:
        return SNAPSHOT_DESCRIPTIONS.get(SnapshotTrigger(self.trigger), "Submission changed")


def _snapshots(records: list[Any], first_version: int) -> list[Snapshot]:
    """Snapshots of consecutive records (oldest first), except those whose data or predecessor's data the
    records do not reach (deltas before the first keyframe, and the first record's own successor-less start).
    """
    full = snapshot_storage.replay([record.data for record in records])
    result = []
    for index, record in enumerate(records):
        version = first_version + index
        data = full[index]
        previous_data = full[index - 1] if index else None
        if data is None or (version > 1 and previous_data is None):
            continue
        previous = records[index - 1] if index else None
        result.append(
            Snapshot(record=record, version=version, previous=previous, data=data, previous_data=previous_data)
        )
    return result


def snapshot_latest(*, submission: Submission, limit: int) -> list[Snapshot]:
    """The newest ``limit`` snapshots, oldest first, in two queries whatever the length of the history.

    It reads ``limit + KEYFRAME_EVERY`` records: the snapshots, the one before the oldest (its changelog) and
    the keyframe that one is rebuilt from. A version is the snapshot's position in the history; history only
    grows (newer rows have larger ids), so counting the rows up to the oldest one read numbers them all, even
    while someone edits.
    """
    history = submission.history
    window = limit + snapshot_storage.KEYFRAME_EVERY
    records = list(history.select_related("history_user").order_by("-history_id")[:window])[::-1]
    if not records:
        return []
    first_version = history.filter(history_id__lte=records[0].history_id).count()
    return _snapshots(records, first_version)[-limit:]


def snapshot_get(*, submission: Submission, snapshot_id: str) -> Snapshot:
    """One snapshot, its predecessor (for the changelog) and its version: three small indexed queries."""
    history = submission.history
    target = history.filter(snapshot_id=snapshot_id).values_list("history_id", flat=True).first()
    if target is None:
        raise SnapshotNotFound("No such snapshot of this submission.")
    window = history.select_related("history_user").filter(history_id__lte=target).order_by("-history_id")
    records = list(window[: snapshot_storage.KEYFRAME_EVERY + 1])[::-1]
    version = history.filter(history_id__lte=target).count()
    snapshot = _snapshots(records, version - len(records) + 1)[-1]
    assert snapshot.record.history_id == target
    return snapshot


@dataclass(frozen=True)
class HistoryEvent:
    id: str
    type: str
    description: str
    actor: User | None
    created_at: datetime
    snapshot: Snapshot | None = None
    api_key_name: str = ""  # written through an API key: the key's name


def submission_history(*, submission: Submission) -> list[HistoryEvent]:
    """Snapshots and audit events merged, newest first, at most HISTORY_LIMIT."""
    events = [
        HistoryEvent(
            id=snapshot.id,
            type="snapshot",
            description=snapshot.description,
            actor=snapshot.record.history_user,
            created_at=snapshot.record.history_date,
            snapshot=snapshot,
            api_key_name=snapshot.record.history_api_key,
        )
        for snapshot in snapshot_latest(submission=submission, limit=HISTORY_LIMIT)
    ]
    for event in submission.events.select_related("actor").order_by("-created_at", "-id")[:HISTORY_LIMIT]:
        events.append(
            HistoryEvent(
                id=event.public_id,
                type=event.type,
                description=event.description,
                actor=event.actor,
                created_at=event.created_at,
                api_key_name=str(event.details.get(EVENT_API_KEY, "")),
            )
        )
    events.sort(key=lambda event: event.created_at, reverse=True)
    return events[:HISTORY_LIMIT]
