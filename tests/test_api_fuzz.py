"""Schemathesis against the live server: every operation of the OpenAPI schema, its examples, coverage and
fuzzing phases, checked for server errors, undocumented status codes, bodies that break the documented schema and
schema-violating requests that are accepted.

The server is pytest-django's live server (Django's threaded WSGI server on 127.0.0.1, a free port) over the test
database, so the run is the same on SQLite and PostgreSQL. Path parameters name real objects, so the operations
answer their documented 2xx bodies too, not only 404s. The run is bounded: a fixed number of examples per
operation and phase, a request timeout, and a wall-clock limit on the whole process.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from submissions.constants import SubmissionStatus
from submissions.history import submission_history
from submissions.models import FormVersion, Submission
from submissions.services import form_create, form_publish, submission_create
from tests.submissions.schemas import SEED_FORM_SCHEMA, SEED_SUBMISSION_DATA
from tests.workflows.factories import WorkflowFactory
from workflows.services.public_actions import public_action_create
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.services import api_key_create

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "content_type_conformance",
)
MAX_EXAMPLES = 5
RUN_TIMEOUT_SECONDS = 240


def _submission(version: FormVersion, status: str = SubmissionStatus.COMPLETED) -> Submission:
    data = SEED_SUBMISSION_DATA if status == SubmissionStatus.COMPLETED else {}
    return submission_create(
        workspace=version.form.workspace, form_version=version, data=data, status=status, acting_user=None
    )


def _config(workspace: Workspace) -> str:
    """schemathesis.toml: real ids for the path parameters (a published form, a submission with a snapshot, a draft,
    a link token). The DELETEs and the visibility PUT (a restricted submission is hidden from the key) get
    submissions of their own, so the other operations keep theirs."""
    form = form_create(workspace=workspace, title="Fuzzed form", schema=SEED_FORM_SCHEMA, acting_user=None)
    version = form_publish(form=form, acting_user=None)
    submission = _submission(version)
    snapshot = next(event.snapshot for event in submission_history(submission=submission) if event.snapshot)
    workflow = WorkflowFactory.create(subject_record__workspace=workspace)
    _, token = public_action_create(workflow=workflow, form_version=version, acting_user=None)
    everywhere = {
        "path.form_id": form.public_id,
        "path.submission_id": submission.public_id,
        "path.snapshot_id": snapshot.id,
        "path.token": token,
    }
    draft = _submission(version, SubmissionStatus.DRAFT).public_id
    operations = [
        ("GET|PATCH", "/api/submissions/drafts/{submission_id}", draft),
        ("DELETE", "/api/submissions/drafts/{submission_id}", _submission(version, SubmissionStatus.DRAFT).public_id),
        ("DELETE", "/api/submissions/{submission_id}", _submission(version).public_id),
        ("PUT", "/api/submissions/{submission_id}/visibility", _submission(version).public_id),
    ]
    lines = ["[parameters]", *(f'"{name}" = "{value}"' for name, value in everywhere.items())]
    for methods, path, submission_id in operations:
        lines += [
            "",
            "[[operations]]",
            f'include-method-regex = "^({methods})$"',
            f'include-path = "{path}"',
            f'parameters = {{ "path.submission_id" = "{submission_id}" }}',
        ]
    return "\n".join(lines) + "\n"


@pytest.mark.django_db(transaction=True)
def test_the_live_server_answers_as_its_schema_documents(
    live_server: Any, tmp_path: Path, tasks_to_broker: None
) -> None:
    """Background work is queued on the broker, not run in the request: an evidence pack requested by the fuzzer
    would otherwise render its PDF inside the live server, request after request."""
    workspace = Workspace.objects.create(name="Fuzzed", slug="fuzzed")
    _, raw_key = api_key_create(workspace=workspace, name="schemathesis", acting_user=None, role=Role.OWNER)
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(workspace))
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/schema/?format=json",
        "--url",
        live_server.url,
        "--header",
        f"X-API-KEY: {raw_key}",
        "--phases",
        "examples,coverage,fuzzing",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--seed",
        "20261201",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",  # a loaded CI machine is slow; a hung server still fails the run
        "--suppress-health-check",
        "too_slow",
        "--no-color",
        "--output-truncate",
        "true",
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"},
        check=False,
    )
    assert result.returncode == 0, _failures(result.stdout) + result.stderr[-3_000:]
    # Every operation of the schema was run (not skipped for want of a schema, an example or a server).
    selected = re.search(r"Selected: (\d+)/(\d+)", result.stdout)
    tested = re.search(r"Tested: (\d+)", result.stdout)
    assert selected and tested, result.stdout[-3_000:]
    assert int(tested.group(1)) == int(selected.group(2)) >= 45


def _failures(output: str) -> str:
    """The report's failures or errors and its summary, without the run's progress lines."""
    starts = [index for index in (output.find("= FAILURES ="), output.find("= ERRORS =")) if index >= 0]
    return output[min(starts) :][:30_000] if starts else output[-10_000:]


@pytest.fixture(autouse=True)
def _quiet_request_log() -> Iterator[None]:
    """The live server logs every 4xx it answers; thousands are expected here."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
