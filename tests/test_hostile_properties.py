"""Property-based (hypothesis): hostile input on every JSON route of the URL conf is never a 5xx.

Each route and method gets bodies, query strings and path values built from the hostile inputs that used to
break the server (unstorable characters, deep nesting, huge numbers, number-like strings, long strings, bidi
overrides), mixed into a valid-looking body of that route. Every example runs in a savepoint that is rolled
back, so each starts from the same data; a refused one (4xx) must have the standard body and must have
written nothing.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from evidence.constants import PackSubject
from evidence.models import EvidencePack
from submissions.constants import ExportFormat
from submissions.export_jobs import export_job_create
from submissions.selectors import SubmissionFilters
from submissions.services import form_create, form_publish, submission_create
from tests.routes import Route, all_routes
from tests.rows import row_counts
from tests.workflows.factories import SubjectRecordFactory, WorkflowFactory
from tests.workflows.public_action_support import make_action
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import webhook_endpoint_create
from workflows.constants import CustomerType
from workspaces.constants import Role
from workspaces.context import WorkspaceContext
from workspaces.models import Workspace

JSON_ROUTES = [route for route in all_routes() if route.is_json]
CASES = [(route, method) for route in JSON_ROUTES for method in route.methods]

HOSTILE_STRINGS = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\u202eexe.pdf",
    "1e2",
    "-1",
    "NaN",
    "9" * 30,
    "²",
    "0001-01-01",
    "9999-12-31T23:59:59-14:00",
    "SUB-%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "x" * 5_000,
    "",
    " ",
]
hostile_text = st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=20), st.characters().map(str))
hostile_scalar = st.one_of(
    hostile_text,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
hostile_json = st.recursive(
    hostile_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(hostile_text, st.sampled_from(["data"])), inner)
    ),
    max_leaves=12,
)
RAW_BODIES = [
    b"[" * 10_000 + b"]" * 10_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    b'{"data": {"x": "\\ud800"}}',
    b'{"k\\u0000": 1}',
    b'{"x": "\xed\xa0\x80"}',  # a surrogate encoded raw: not UTF-8
    b"\xff\xfe{}",
    b'{"a": NaN}',
    b'{"a": 1e999}',
    b"{",
    b"null",
    b"[]",
    b'"string"',
]

# The keys every route's bodies and query strings are probed with, beside random ones.
FIELD_NAMES = [
    "formId",
    "data",
    "metadata",
    "status",
    "userId",
    "content",
    "fileId",
    "email",
    "message",
    "mode",
    "grants",
    "title",
    "schema",
    "uuid",
    "name",
    "key",
    "subject_record_id",
    "file_name",
    "file_size_in_bytes",
    "document_id",
    "workflow_id",
    "type",
    "customer_type",
    "reference",
    "required_document_id",
    "fulfillments",
    "decision_status",
    "form_version_id",
    "expires_in_days",
    "role-entity",
    "role-entity_relations",
    "first_name",
]
QUERY_NAMES = [
    "page",
    "limit",
    "status",
    "dateFrom",
    "dateTo",
    "search",
    "cursor",
    "formId",
    "submittedBy",
    "includeDrafts",
    "sortBy",
    "sortOrder",
    "contenttype",
    "filename",
    "source",
    "attachmentId",
]


def _encode(body: Any) -> bytes:
    return json.dumps(body).encode()  # ensure_ascii: a lone surrogate travels as the escape "\ud800"


def _query(params: dict[str, str]) -> str:
    return "&".join(f"{quote(k, errors='surrogatepass')}={quote(v, errors='surrogatepass')}" for k, v in params.items())


@pytest.fixture
def world(workspace: Workspace, owner: Any) -> dict[str, Any]:
    """Real ids for every path parameter and a valid base body per route, so hostile values reach deep code."""
    schema = {"fields": [{"key": "full_name", "label": "Name", "type": "text"}]}
    form = form_create(workspace=workspace, title="Probe", schema=schema, acting_user=None)
    version = form_publish(form=form, acting_user=None)
    submission = submission_create(
        workspace=workspace, form_version=version, data={"full_name": "Jane"}, acting_user=owner
    )
    record = SubjectRecordFactory.create(workspace=workspace, customer_type=CustomerType.COMPANY)
    workflow = WorkflowFactory.create(subject_record=record)
    _, token = make_action(workspace)
    endpoint, _ = webhook_endpoint_create(
        workspace=workspace, url="http://127.0.0.1:9/probe", event_types=["workflow.completed"], acting_user=None
    )
    event = WebhookEvent.objects.create(workspace=workspace, event_type="workflow.completed", payload={})
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint, status="FAILED")
    job = export_job_create(
        context=WorkspaceContext(workspace=workspace, role=Role.OWNER, user=owner),
        export_format=ExportFormat.CSV,
        filters=SubmissionFilters(),
        query={},
        via="api",
    )
    return {
        "params": {
            "job_id": job.public_id,
            "endpoint_id": endpoint.public_id,
            "delivery_id": delivery.public_id,
            "form_id": form.public_id,
            "submission_id": submission.public_id,
            "snapshot_id": submission.history.first().snapshot_id,
            "token": token,
            "workflow_id": workflow.public_id,
            "pack_id": EvidencePack.objects.create(
                workspace=workspace, subject_type=PackSubject.WORKFLOW, workflow=workflow
            ).public_id,
        },
        "bases": {
            "form-list": {"title": "T", "schema": schema},
            "submission-list": {"formId": form.public_id, "data": {"full_name": "x"}, "metadata": {"a": 1}},
            "document-create": {"subject_record_id": record.public_id, "file_name": "a.pdf", "file_size_in_bytes": 9},
            "workflow-get": {"workflow_id": workflow.public_id},
            "public-action-submit": {"first_name": "x", "role-entity": [], "role-entity_relations": []},
            "public-action-create": {"workflow_id": workflow.public_id, "form_version_id": version.public_id},
            "webhook-endpoint-list": {"url": "http://127.0.0.1:9/new", "eventTypes": ["submission.created"]},
        },
    }


def _standard_error(response: Any) -> bool:
    if not response["Content-Type"].startswith("application/json"):
        return False
    body = response.json()
    return set(body) == {"success", "error", "code", "details"} and body["success"] is False


@pytest.mark.parametrize(("route", "method"), CASES, ids=[f"{m.upper()} /{r.pattern}" for r, m in CASES])
def test_hostile_input_is_never_a_server_error(
    route: Route, method: str, world: dict[str, Any], workspace: Workspace, owner: Any, api_client_for: Any
) -> None:
    client: APIClient = api_client_for(workspace, user=owner, role=Role.OWNER)
    client.raise_request_exception = False
    base = world["bases"].get(route.name, {})
    failures: list[str] = []

    @given(
        overrides=st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), hostile_text), hostile_json, max_size=3),
        raw=st.none() | st.sampled_from(RAW_BODIES),
        query=st.dictionaries(st.sampled_from(QUERY_NAMES), hostile_text, max_size=3),
        hostile_param=st.none() | st.tuples(st.sampled_from(route.params or ["-"]), hostile_text),
    )
    @settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def probe(overrides: dict[str, Any], raw: bytes | None, query: dict[str, str], hostile_param: Any) -> None:
        params = dict(world["params"])
        if hostile_param and hostile_param[0] in params:
            params[hostile_param[0]] = hostile_param[1] or "-"
        url = route.path(**params) + (f"?{_query(query)}" if query else "")
        body = raw if raw is not None else _encode({**base, **overrides})
        with transaction.atomic():
            before = row_counts()
            response = client.generic(method.upper(), url, body, content_type="application/json")  # type: ignore[arg-type]  # bytes: not all UTF-8
            status = response.status_code
            if status >= 500:
                failures.append(f"{status} {method.upper()} {url[:120]} {body[:120]!r}: {response.content[:200]!r}")
            elif status >= 400:
                if not _standard_error(response):
                    failures.append(f"not the standard body: {status} {url[:120]} {response.content[:200]!r}")
                if row_counts() != before:
                    failures.append(f"a refused request wrote rows: {status} {url[:120]} {body[:120]!r}")
            transaction.set_rollback(True)

    probe()
    assert not failures, "\n".join(failures[:10])
