"""S3 faults stay local: a hung or refusing S3 costs a few seconds per request, a 503, and changes nothing.

Served by a real threaded server (live_server); S3 is a TCP server on 127.0.0.1 that accepts and never answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse

from documents import s3
from documents.models import Document
from tests.storage_faults import hung_endpoint, refused_endpoint, s3_at
from tests.uploads import pdf_bytes, png_bytes, post_to_s3, run_scans
from tests.workflows.factories import SubjectRecordFactory
from tests.workflows.public_action_support import SEED_ROOT_BODY, confirm_url, make_action, submit_url, upload_all
from workflows.models import PublicAction
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.services import api_key_create

pytestmark = pytest.mark.django_db(transaction=True)

# A call that finds S3 hung gives up after the read timeout of each attempt plus the retry's backoff (<= 1 s): 6-7 s
# by default on an idle machine (it was 120 s). The bound is twice that and more, for a test machine shared by
# several suites; the assertions on the order of the answers below do not depend on the machine's load.
HUNG_BOUND_SECONDS = 2 * settings.AWS_S3_MAX_ATTEMPTS * (settings.AWS_S3_READ_TIMEOUT + 1) + 10


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    json: dict[str, Any] | None = None


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]
    seconds: float
    ended: float  # time.monotonic() when the answer arrived


def send(call: Call, headers: dict[str, str]) -> Answer:
    started = time.monotonic()
    response = requests.request(
        call.method, call.url, json=call.json, headers=headers, timeout=60, allow_redirects=False
    )
    body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
    ended = time.monotonic()
    return Answer(response.status_code, body, dict(response.headers), ended - started, ended)


def state() -> dict[str, Any]:
    """Everything the S3 routes could change."""
    return {
        "documents": list(
            Document.objects.order_by("pk").values_list("key", "status", "size", "etag", "thumbnail_key")
        ),
        "document_history": Document.history.count(),
        "actions": list(PublicAction.objects.order_by("pk").values_list("status", "completed_at")),
    }


@pytest.fixture
def api_headers(workspace: Workspace) -> dict[str, str]:
    _, raw_key = api_key_create(workspace=workspace, name="faults", acting_user=None, role=Role.ADMIN)
    return {"X-API-KEY": raw_key}


def _presigned_upload(base: str, headers: dict[str, str], file_name: str, content_type: str, content: bytes) -> Any:
    response = requests.get(
        f"{base}{reverse('s3-presigned-post')}",
        params={"filename": file_name, "contenttype": content_type, "source": "field_value"},
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    presigned = response.json()
    assert post_to_s3(presigned["url"], presigned["fields"], content).status_code == 204
    return presigned


def _success_call(base: str, presigned: Any) -> Call:
    body = {"uuid": presigned["s3object_id"], "key": presigned["fields"]["key"]}
    return Call("POST", f"{base}{reverse('s3-success')}?source=FIELD_VALUE", body)


@pytest.fixture
def s3_routes(live_server: Any, workspace: Workspace, api_headers: dict[str, str], tmp_path: Path) -> dict[str, Call]:
    """One pending call per route that reads S3, each with its object uploaded and not yet looked at."""
    base = live_server.url
    # /api/s3/success of an uploaded PDF.
    report = _presigned_upload(base, api_headers, "report.pdf", "application/pdf", pdf_bytes())
    # /document.get of an uploaded document whose lazy check has not run.
    record = SubjectRecordFactory.create(workspace=workspace)
    content = pdf_bytes()
    created = requests.post(
        f"{base}{reverse('document-create')}",
        json={"subject_record_id": record.public_id, "file_name": "passport.pdf", "file_size_in_bytes": len(content)},
        headers=api_headers,
        timeout=10,
    ).json()["data"]["document"]
    assert post_to_s3(created["upload_url"], created["presign_values"], content).status_code == 204
    # A public action's /confirm with every file uploaded.
    _, token = make_action(workspace)
    uploads = requests.post(f"{base}{submit_url(token)}", json=SEED_ROOT_BODY, timeout=10).json()["fileUploads"]
    upload_all(uploads, tmp_path)
    # The thumbnail link of an accepted image whose thumbnail has not been rendered.
    photo = _presigned_upload(base, api_headers, "photo.png", "image/png", png_bytes())
    stored = send(_success_call(base, photo), api_headers)
    assert stored.status == 200, stored.body
    run_scans()
    return {
        "s3 success": _success_call(base, report),
        "document.get": Call("POST", f"{base}{reverse('document-get')}", {"document_id": created["document_id"]}),
        "confirm": Call("POST", f"{base}{confirm_url(token)}"),
        "thumbnail": Call("GET", stored.body["thumbnail_url"]),
    }


def _assert_storage_unavailable(name: str, answer: Answer, bound: float) -> None:
    assert answer.status == 503, (name, answer)
    assert answer.body == {
        "success": False,
        "error": answer.body["error"],
        "code": "STORAGE_UNAVAILABLE",
        "details": {"retryAfterSeconds": settings.STORAGE_RETRY_AFTER_SECONDS},
    }, name
    assert answer.headers["Retry-After"] == str(settings.STORAGE_RETRY_AFTER_SECONDS), name
    assert answer.seconds < bound, (name, answer.seconds)


def _assert_served_once_back(routes: dict[str, Call], headers: dict[str, str]) -> None:
    """The same calls succeed once S3 answers again."""
    answers = {name: send(call, headers) for name, call in routes.items()}
    assert answers["s3 success"].status == 200, answers["s3 success"]
    document = answers["document.get"].body["data"]["document"]
    assert document["upload_status"] == "UPLOADED"
    assert (answers["confirm"].status, answers["confirm"].body) == (200, {"status": "completed"})
    assert answers["thumbnail"].status == 302
    thumbnail = requests.get(answers["thumbnail"].headers["Location"], timeout=10)
    assert (thumbnail.status_code, thumbnail.headers["Content-Type"]) == (200, "image/png")


def _while_hung(
    live_server: Any, routes: dict[str, Call], headers: dict[str, str], during: Callable[[], None]
) -> dict[str, Answer]:
    """Send every route at once to a hung S3; ``during`` runs while they wait on it."""
    with hung_endpoint() as endpoint, s3_at(endpoint.url), ThreadPoolExecutor(len(routes)) as pool:
        futures = {name: pool.submit(send, call, headers) for name, call in routes.items()}
        time.sleep(0.5)  # every request is now waiting on S3
        during()
        return {name: future.result() for name, future in futures.items()}


def test_a_hung_s3_makes_every_s3_route_a_quick_503_while_the_server_keeps_answering(
    live_server: Any, s3_routes: dict[str, Call], api_headers: dict[str, str]
) -> None:
    before = state()
    health: list[Answer] = []

    def health_checks() -> None:
        for _ in range(3):
            health.append(send(Call("GET", f"{live_server.url}{reverse('health')}"), {}))

    answers = _while_hung(live_server, s3_routes, api_headers, health_checks)

    # Answered while every S3 route was still waiting on S3.
    assert [answer.status for answer in health] == [200] * 3
    assert max(answer.ended for answer in health) < min(answer.ended for answer in answers.values())
    for name, answer in answers.items():
        _assert_storage_unavailable(name, answer, HUNG_BOUND_SECONDS)
    assert state() == before
    _assert_served_once_back(s3_routes, api_headers)


@pytest.mark.postgres
def test_no_transaction_stays_open_while_s3_hangs(
    live_server: Any, s3_routes: dict[str, Call], api_headers: dict[str, str]
) -> None:
    """PostgreSQL's own view of the sessions: none is idle in a transaction while the S3 routes wait."""
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://... (this test must not skip)"
    open_transactions: list[list[tuple[Any, ...]]] = []

    def sessions_in_transaction() -> None:
        for _ in range(4):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT state, query FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
                )
                open_transactions.append(cursor.fetchall())
            time.sleep(0.5)

    answers = _while_hung(live_server, s3_routes, api_headers, sessions_in_transaction)

    assert open_transactions == [[]] * 4
    assert {name: answer.status for name, answer in answers.items()} == dict.fromkeys(s3_routes, 503)
    _assert_served_once_back(s3_routes, api_headers)


@pytest.fixture
def one_s3_slot(settings: Any) -> Iterator[None]:
    settings.AWS_S3_MAX_CONCURRENCY = 1
    s3.clear_cached_clients()
    yield
    s3.clear_cached_clients()


def test_when_every_s3_slot_is_taken_a_request_fails_fast_instead_of_queueing(
    live_server: Any, s3_routes: dict[str, Call], api_headers: dict[str, str], one_s3_slot: None
) -> None:
    answers: dict[str, Answer] = {}

    def second_request() -> None:
        answers["second"] = send(s3_routes["s3 success"], api_headers)

    first = _while_hung(live_server, {"first": s3_routes["document.get"]}, api_headers, second_request)["first"]

    _assert_storage_unavailable("first", first, HUNG_BOUND_SECONDS)
    second = answers["second"]
    _assert_storage_unavailable("second", second, HUNG_BOUND_SECONDS)
    # It did not queue behind the hung call: refused as busy, seconds before the hung call gave up.
    assert second.body["error"] == "The file store is busy; please retry in a moment."
    assert second.ended < first.ended - settings.AWS_S3_READ_TIMEOUT / 2


def test_an_s3_that_refuses_connections_is_a_503_on_upload_success_and_the_retry_succeeds(
    live_server: Any, s3_routes: dict[str, Call], api_headers: dict[str, str]
) -> None:
    """It used to be a generic 500 INTERNAL_ERROR."""
    before = state()
    with s3_at(refused_endpoint()):
        answer = send(s3_routes["s3 success"], api_headers)
    _assert_storage_unavailable("s3 success", answer, float("inf"))  # how soon: the hung-S3 test
    assert state() == before
    assert send(s3_routes["s3 success"], api_headers).status == 200


def test_presigning_makes_no_s3_call_and_works_while_s3_hangs(live_server: Any, api_headers: dict[str, str]) -> None:
    with hung_endpoint() as endpoint, s3_at(endpoint.url):
        response = requests.get(
            f"{live_server.url}{reverse('s3-presigned-post')}",
            params={"filename": "a.pdf", "contenttype": "application/pdf", "source": "field_value"},
            headers=api_headers,
            timeout=10,
        )
        assert (response.status_code, endpoint.held) == (200, [])
