"""Public action cases: submit with 0, 2 and 10 files, confirm with 10 files, bytes read on the upload path.

Each request is measured once and compared with two floors: the same writes done directly (ORM bulk_create
of the same rows plus signing; issue 6) and signing the same number of POSTs with the one boto3 client (issue 4).
"""

from __future__ import annotations

import json
import math
import secrets
import statistics
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from benchmarks.cases import Gunicorn, WrkRun, balanced_run, throughput_result, wrk_run
from benchmarks.runner import Result, measure, timings
from benchmarks.uploads import post_file
from config.ids import token_hash
from documents import s3
from documents.constants import DocumentStatus, UploadSource
from documents.models import Document
from documents.services import document_accept
from submissions.models import Form, FormVersion, Submission
from workflows.constants import CustomerType, PublicActionStatus, WorkflowStatus, WorkflowType
from workflows.models import (
    PublicAction,
    PublicActionFile,
    Relation,
    SubjectRecord,
    SubjectRecordDocument,
    Workflow,
)
from workflows.services.public_actions import public_action_create
from workspaces.models import Workspace

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROOT_FILES = 2
ROOT_SCHEMA = {
    "fields": [
        {"key": "company_name", "label": "Company name", "type": "text", "required": True},
        {"key": "registration_number", "label": "Registration number", "type": "text"},
        *({"key": f"document_{n}", "label": f"Document {n}", "type": "file"} for n in range(1, ROOT_FILES + 1)),
    ]
}
INDIVIDUAL_SCHEMA = {
    "fields": [
        {"key": "first_name", "label": "First name", "type": "text", "required": True},
        {"key": "last_name", "label": "Last name", "type": "text", "required": True},
        {"key": "id_document", "label": "ID document", "type": "file"},
    ]
}


class PublicActionBench:
    """Fresh actions for one workspace; each submit needs its own action and unique references."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.client = Client()
        self.root_version = self._version(ROOT_SCHEMA, "bench-root")
        self.individual_version = self._version(INDIVIDUAL_SCHEMA, "bench-individual")

    def _version(self, schema: dict[str, Any], slug: str) -> FormVersion:
        form = Form.objects.create(
            workspace=self.workspace,
            title=slug,
            slug=f"{slug}-{uuid.uuid4().hex[:8]}",
            schema=schema,
            status="published",
        )
        return FormVersion.objects.create(form=form, version=1, schema=schema)

    def new_token(self) -> str:
        root = SubjectRecord.objects.create(workspace=self.workspace, customer_type=CustomerType.COMPANY)
        workflow = Workflow.objects.create(
            workspace=self.workspace, subject_record=root, type=WorkflowType.BUSINESS_APPLICATION
        )
        _, token = public_action_create(
            workflow=workflow,
            form_version=self.root_version,
            individual_form_version=self.individual_version,
            acting_user=None,
        )
        return token

    def new_tokens(self, count: int) -> list[str]:
        """``count`` fresh actions written in bulk (with their history rows), for the HTTP run; their tokens."""
        tokens = [secrets.token_urlsafe(32) for _ in range(count)]
        with transaction.atomic():
            roots = bulk_create_with_history(
                [SubjectRecord(workspace=self.workspace, customer_type=CustomerType.COMPANY) for _ in tokens],
                SubjectRecord,
            )
            workflows = bulk_create_with_history(
                [
                    Workflow(
                        workspace=self.workspace,
                        subject_record=root,
                        type=WorkflowType.BUSINESS_APPLICATION,
                        status=WorkflowStatus.WAITING_FOR_CLIENT,
                    )
                    for root in roots
                ],
                Workflow,
            )
            bulk_create_with_history(
                [
                    PublicAction(
                        workspace=self.workspace,
                        workflow=workflow,
                        form_version=self.root_version,
                        individual_form_version=self.individual_version,
                        token_hash=token_hash(token),
                        token_hint=token[:6],
                    )
                    for workflow, token in zip(workflows, tokens, strict=True)
                ],
                PublicAction,
            )
        return tokens

    @staticmethod
    def body(files: int) -> dict[str, Any]:
        """``files`` file names: up to two on the root record, the rest one per related person."""
        body: dict[str, Any] = {"company_name": "Acme Corporation", "registration_number": "12345678"}
        for n in range(1, min(files, ROOT_FILES) + 1):
            body[f"document_{n}"] = f"registration_{n}.pdf"
        people = max(0, files - ROOT_FILES)
        if people:
            body["role-entity"] = [
                {
                    "reference": f"bench-{uuid.uuid4().hex}",
                    "customer_type": "individual",
                    "first_name": "Jane",
                    "last_name": f"Doe {n}",
                    "id_document": f"passport_{n}.pdf",
                }
                for n in range(people)
            ]
            body["role-entity_relations"] = [
                {"from": entity["reference"], "to": "root", "role": "ubo", "ownership_percentage": 10}
                for entity in body["role-entity"]
            ]
        return body

    def submit(self, token: str, files: int) -> dict[str, Any]:
        response = self.client.post(
            reverse("public-action-submit", args=[token]), self.body(files), content_type="application/json"
        )
        assert response.status_code == 200, response.content
        return dict(response.json())

    def confirm(self, token: str) -> int:
        return self.client.post(reverse("public-action-confirm", args=[token])).status_code


def _with_history(model: type[Model], objs: list[Any]) -> list[Any]:
    """``bulk_create`` of ``objs``, then one INSERT of their history rows (simple_history's own bulk method)."""
    created = model._default_manager.bulk_create(objs)
    model.history.bulk_history_create(created, default_change_reason=None)  # type: ignore[attr-defined]
    return created


def submit_profile(workspace: Workspace, *, requests: int = 300) -> str:
    """Where a 2-file submit's time goes: a pyinstrument profile of ``requests`` in-process submits, as text."""
    from pyinstrument import Profiler

    bench = PublicActionBench(workspace)
    tokens = bench.new_tokens(requests + 10)
    for token in tokens[:10]:  # warm: prepared statements, caches
        bench.submit(token, 2)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for token in tokens[10:]:
            bench.submit(token, 2)
    return str(profiler.output_text(unicode=False, color=False))


def _history_of_update(obj: Any) -> None:
    """The one history row a ``save()`` writes after an UPDATE."""
    type(obj).history.bulk_history_create([obj], update=True, default_change_reason=None)


def _floor_writes(action: PublicAction, files: int) -> None:
    """The rows the request writes, written directly, plus the signatures; nothing read, nothing validated.

    Per request: the entity records, relations, documents and document links with one history row each, the
    action's file rows, the root record's update, the submission, the action's update (and with no files the
    workflow's), each with its history row; one bulk INSERT per table.
    """
    workspace = action.workspace
    root = action.workflow.subject_record
    people = max(0, files - ROOT_FILES)
    with transaction.atomic():
        records = _with_history(
            SubjectRecord,
            [
                SubjectRecord(
                    workspace=workspace,
                    customer_type=CustomerType.INDIVIDUAL,
                    reference=uuid.uuid4().hex,
                    data={"first_name": "Jane", "last_name": f"Doe {n}", "id_document": "d_x"},
                )
                for n in range(people)
            ],
        )
        if records:
            _with_history(
                Relation,
                [
                    Relation(
                        workspace=workspace, from_record=record, to_record=root, role="ubo", ownership_percentage=10
                    )
                    for record in records
                ],
            )
        root.data = {"company_name": "Acme Corporation", "registration_number": "12345678"}
        SubjectRecord.objects.filter(pk=root.pk).update(data=root.data, updated_at=timezone.now())
        _history_of_update(root)
        owners = [root] * min(files, ROOT_FILES) + records
        expires = timezone.now() + timedelta(hours=1)
        documents = _with_history(
            Document,
            [
                Document(
                    workspace=workspace,
                    key=f"{workspace.public_id}/endClient/{owner.public_id}/passport-{n}.pdf",
                    original_name="passport.pdf",
                    sanitized_name="passport.pdf",
                    content_type="application/pdf",
                    max_size=15 * 1024 * 1024,
                    source=UploadSource.PUBLIC_ACTION,
                    upload_expires_at=expires,
                )
                for n, owner in enumerate(owners)
            ],
        )
        links = _with_history(
            SubjectRecordDocument,
            [
                SubjectRecordDocument(subject_record=owner, document=document, field_name="id_document")
                for owner, document in zip(owners, documents, strict=True)
            ],
        )
        PublicActionFile.objects.bulk_create(
            PublicActionFile(action=action, record_document=link, position=n) for n, link in enumerate(links)
        )
        version = action.form_version
        submission = Submission(workspace=workspace, form=version.form, form_version=version, data={"n": files})
        _with_history(Submission, [submission])
        action.status = PublicActionStatus.AWAITING_UPLOADS if files else PublicActionStatus.COMPLETED
        action.submission = submission
        action.submitted_at = timezone.now()
        PublicAction.objects.filter(pk=action.pk).update(
            status=action.status, submission=submission, submitted_at=action.submitted_at, updated_at=timezone.now()
        )
        _history_of_update(action)
        if not files:
            workflow = action.workflow
            workflow.status = WorkflowStatus.IN_REVIEW
            Workflow.objects.filter(pk=workflow.pk).update(status=workflow.status, updated_at=timezone.now())
            _history_of_update(workflow)
        for document in documents:
            s3.sign_post(
                key=document.key,
                content_type=document.content_type,
                min_size=1,
                max_size=document.max_size,
                metadata={},
                expires_in=3600,
            )


def _sign_with_botocore(count: int) -> None:
    for n in range(count):
        s3.s3_client().generate_presigned_post(
            Bucket=s3.bucket_name(),
            Key=f"ws/endClient/sr_x/file-{n}.pdf",
            Fields={"Content-Type": "application/pdf"},
            Conditions=[["eq", "$Content-Type", "application/pdf"], ["content-length-range", 1, 15 * 1024 * 1024]],
            ExpiresIn=3600,
        )


def _versus_signing(result: Result, files: int, repeat: int) -> Result:
    """The same measurement against the second floor: signing ``files`` POSTs with the boto3 client."""
    floor_ms = statistics.median(timings(lambda: _sign_with_botocore(files), repeat=repeat))
    return Result(
        case=f"  same, vs signing {files} POSTs",
        median_ms=result.median_ms,
        p95_ms=result.p95_ms,
        queries=result.queries,
        floor=f"boto3 sign {files} POSTs",
        floor_median_ms=floor_ms,
        target="reported",
    )


def submit_cases(workspace: Workspace, repeat: int) -> list[Result]:
    bench = PublicActionBench(workspace)
    results = []
    for files in (0, 2, 10):
        tokens: list[str] = []
        actions: list[PublicAction] = []

        def setup(tokens: list[str] = tokens) -> None:
            tokens.append(bench.new_token())

        def request(tokens: list[str] = tokens, files: int = files) -> None:
            bench.submit(tokens[-1], files)

        def floor_setup(actions: list[PublicAction] = actions) -> None:
            token = bench.new_token()
            actions.append(
                PublicAction.objects.select_related("workspace", "workflow__subject_record", "form_version__form").get(
                    token_hash=token_hash(token)
                )
            )

        def floor(actions: list[PublicAction] = actions, files: int = files) -> None:
            _floor_writes(actions[-1], files)

        results.append(
            measure(
                f"POST /v3/public/actions/{{token}} ({files} files)",
                request,
                floor="bulk_create same rows+history, sign",
                floor_fn=floor,
                repeat=repeat,
                setup=setup,
                floor_setup=floor_setup,
                target="ratio <= 2 at 10 files" if files == 10 else "reported",
            )
        )
        if files:
            results.append(_versus_signing(results[-1], files, repeat))
    return results


def _upload_all(file_uploads: list[dict[str, Any]], content: bytes) -> None:
    for upload in file_uploads:
        post_file(upload["url"], upload["fields"], content, upload["fileName"])


def confirm_cases(workspace: Workspace, repeat: int) -> list[Result]:
    bench = PublicActionBench(workspace)
    tokens: list[str] = []
    awaiting: list[list[str]] = []

    def setup() -> None:
        token = bench.new_token()
        answer = bench.submit(token, 10)
        _upload_all(answer["fileUploads"], PDF)
        tokens.append(token)
        awaiting.append([upload["fields"]["key"] for upload in answer["fileUploads"]])

    def request() -> None:
        assert bench.confirm(tokens[-1]) == 200

    def floor() -> None:
        keys = awaiting[-1]
        for prefix in {key.rsplit("/", 1)[0] for key in keys}:
            s3.list_sizes(prefix + "/")
        for key in keys:
            s3.probe_object(key, 64)
        Document.objects.filter(key__in=keys).update(status=DocumentStatus.UPLOADED, uploaded_at=timezone.now())

    result = measure(
        "POST /v3/public/actions/{token}/confirm (10 files)",
        request,
        floor="list + 10 ranged GETs + 1 UPDATE",
        floor_fn=floor,
        repeat=max(10, repeat // 4),
        setup=setup,
        floor_setup=setup,
        target="reported",
    )
    return [result, _versus_signing(result, 10, repeat)]


def acceptance_case(workspace: Workspace, repeat: int, file_size: int = MB) -> Result:
    """The acceptance step alone (``document_accept``): a server-side CopyObject with S3 computing the SHA-256,
    against the same copy without a checksum."""
    bucket = s3.bucket_name()
    key = f"{workspace.public_id}/bench/accept/{uuid.uuid4()}/report.pdf"
    s3.s3_client().put_object(
        Bucket=bucket, Key=key, Body=PDF + b"0" * (file_size - len(PDF)), ContentType="application/pdf"
    )
    probe = s3.probe_object(key, 64)
    assert probe is not None
    document = Document(
        workspace=workspace, uuid=uuid.uuid4(), key=key, sanitized_name="report.pdf", content_type="application/pdf"
    )
    workspace_id = str(workspace.public_id)

    def accept() -> None:
        assert document_accept(document=document, probe=probe, workspace_id=workspace_id) is not None

    def plain_copy() -> None:
        s3.s3_client().copy_object(
            Bucket=bucket, Key=f"objects/bench/{uuid.uuid4()}", CopySource={"Bucket": bucket, "Key": key}
        )

    return measure(
        f"acceptance per file ({file_size // MB} MB): CopyObject with SHA-256",
        accept,
        floor="CopyObject, no checksum",
        floor_fn=plain_copy,
        repeat=max(10, repeat // 4),
        queries=False,
        target="reported",
    )


def upload_path_bytes(workspace: Workspace, file_count: int = 10, file_size: int = 10 * MB) -> Result:
    """Bytes of file content Django reads from S3 over a whole submit, upload and confirm of large files."""
    bench = PublicActionBench(workspace)
    token = bench.new_token()
    answer = bench.submit(token, file_count)
    content = PDF + b"0" * (file_size - len(PDF))
    _upload_all(answer["fileUploads"], content)

    received: list[int] = []

    def count(parsed: dict[str, Any], **_: Any) -> None:
        received.append(int(parsed.get("ContentLength", 0)))

    events = s3.s3_client().meta.events
    events.register("after-call.s3.GetObject", count)
    try:
        status = bench.confirm(token)
    finally:
        events.unregister("after-call.s3.GetObject", count)
    assert status == 200, status
    total = sum(received)
    return Result(
        case=f"bytes read by Django: submit+upload+confirm {file_count} x {file_size // MB} MB (total, max/file)",
        median_ms=float(total),
        p95_ms=float(max(received, default=0)),
        queries=None,
        floor="file bytes uploaded",
        floor_median_ms=float(file_count * file_size),
        target="<= a few KiB per file",
        unit="B",
        extra={"bytes_read": total, "per_file_max": max(received, default=0), "gets": len(received)},
    )


# --- HTTP throughput -----------------------------------------------------------------------------

# Each request needs a token of its own (an action takes one submission). wrk's threads each take every n-th
# line of the token file, from a different offset, so no token is sent twice; a thread that runs out stops and
# the run fails with BENCH-ERROR instead of measuring refusals.
SUBMIT_LUA = """
local threads, created = {}, 0
function setup(thread)
  thread:set("tid", created)
  created = created + 1
  table.insert(threads, thread)
end
function init(args)
  local nthreads = tonumber(args[3])
  tokens, index, exhausted = {}, 0, false
  local n = 0
  for line in io.lines(args[1]) do
    if n % nthreads == tid then tokens[#tokens + 1] = line end
    n = n + 1
  end
  local file = io.open(args[2], "rb")
  body = file:read("*a")
  file:close()
end
function request()
  index = index + 1
  if index > #tokens then
    exhausted = true
    wrk.thread:stop()
    return wrk.format("GET", "/api/health")
  end
  return wrk.format("POST", "/v3/public/actions/" .. tokens[index], {["Content-Type"] = "application/json"}, body)
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    if thread:get("exhausted") then print("EXHAUSTED_MARKER") end
  end
end
"""
TOKENS_EXHAUSTED = "BENCH-ERROR: a thread ran out of tokens"
SUBMIT_LUA = SUBMIT_LUA.replace("EXHAUSTED_MARKER", TOKENS_EXHAUSTED)
WRK_THREADS = 2
PROBE_SECONDS = 3
MAX_TOKENS = 20_000


def _db_sessions() -> int | None:
    """Sessions PostgreSQL has opened on this database so far (None elsewhere): a rise per request is a leak."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _submit_run(
    server: Gunicorn, bench: PublicActionBench, folder: Path, *, tokens: int, seconds: int, require_balance: bool
) -> WrkRun:
    token_file, body_file, script = folder / "tokens.txt", folder / "body.json", folder / "submit.lua"
    token_file.write_text("\n".join(bench.new_tokens(tokens)) + "\n")
    body_file.write_text(json.dumps(bench.body(2)))
    script.write_text(SUBMIT_LUA)
    return wrk_run(
        server,
        "/v3/public/actions/",
        seconds=seconds,
        headers={},
        script=str(script),
        script_args=[str(token_file), str(body_file), str(WRK_THREADS)],
        require_balance=require_balance,
    )


def sized_submit_run(server: Gunicorn, bench: PublicActionBench, folder: Path, *, tokens: int, seconds: int) -> WrkRun:
    """A run with ``tokens`` tokens, and once more with the cap if a thread ran out (the rate beat the estimate);
    each attempt makes its own tokens, so an unbalanced run is repeated like any other (``balanced_run``)."""
    try:
        return balanced_run(
            lambda check: _submit_run(server, bench, folder, tokens=tokens, seconds=seconds, require_balance=check)
        )
    except RuntimeError as exc:
        if TOKENS_EXHAUSTED not in str(exc) or tokens >= MAX_TOKENS:
            raise
    return balanced_run(
        lambda check: _submit_run(server, bench, folder, tokens=MAX_TOKENS, seconds=seconds, require_balance=check)
    )


PROTOTYPE_LUA = """
function init(args)
  local file = io.open(args[1], "rb")
  wrk.method, wrk.body, wrk.headers["Content-Type"] = "POST", file:read("*a"), "application/json"
  file:close()
end
"""


def prototype_run(server: Gunicorn, workspace: Workspace, *, seconds: int) -> WrkRun:
    """The issue's bare prototype under wrk (``prototype.py``): the same body as the submit, one row written."""
    bench = PublicActionBench(workspace)
    with tempfile.TemporaryDirectory() as tmp:
        body_file, script = Path(tmp) / "body.json", Path(tmp) / "prototype.lua"
        body_file.write_text(json.dumps(bench.body(2)))
        script.write_text(PROTOTYPE_LUA)
        path = reverse("bench-prototype", args=[bench.root_version.public_id], urlconf="benchmarks.prototype")
        return balanced_run(
            lambda check: wrk_run(
                server,
                path,
                seconds=seconds,
                headers={},
                script=str(script),
                script_args=[str(body_file)],
                require_balance=check,
            )
        )


def submit_throughput_case(server: Gunicorn, workspace: Workspace, *, floor: WrkRun, seconds: int) -> Result:
    """POST /v3/public/actions/{token} with 2 files under wrk, every request with a fresh token.

    A short probe (with tokens for half the floor's rate) sizes the main run's pool: the probe's rate x seconds
    x 1.5, capped; a run that still runs out is repeated once with the cap. On PostgreSQL the sessions the
    database opened during the run are counted: with persistent connections that is at most one per gunicorn
    thread, not one per request.
    """
    bench = PublicActionBench(workspace)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        probe_tokens = min(MAX_TOKENS, math.ceil(floor.requests_per_second * PROBE_SECONDS / 2) + 100)
        probe = sized_submit_run(server, bench, folder, tokens=probe_tokens, seconds=PROBE_SECONDS)
        tokens = min(MAX_TOKENS, math.ceil(probe.requests_per_second * seconds * 1.5) + 200)
        sessions_before = _db_sessions()
        run = sized_submit_run(server, bench, folder, tokens=tokens, seconds=seconds)
        sessions_after = _db_sessions()
    opened = None if sessions_before is None or sessions_after is None else sessions_after - sessions_before
    return throughput_result(
        "HTTP POST /v3/public/actions/{token} (2 files)",
        run,
        floor,
        target="rps >= 15% of floor (ratio <= 6.67)",
        probe_requests_per_second=probe.requests_per_second,
        tokens=tokens,
        requests=round(run.requests_per_second * seconds),
        db_sessions_opened=opened,
    )
