"""Fixtures of the submissions tests: a published seed form, submissions made through the services."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from submissions.models import Form, FormVersion, Submission
from submissions.services import form_create, form_publish, submission_create
from tests.submissions.schemas import SEED_FORM_SCHEMA, SEED_SUBMISSION_DATA
from workspaces.models import Workspace


@pytest.fixture
def publish_form(db: None) -> Callable[..., FormVersion]:
    def make(
        workspace: Workspace, schema: dict[str, Any] | None = None, title: str = "Client onboarding"
    ) -> FormVersion:
        form = form_create(
            workspace=workspace, title=title, schema=copy.deepcopy(schema or SEED_FORM_SCHEMA), acting_user=None
        )
        return form_publish(form=form, acting_user=None)

    return make


@pytest.fixture
def form_version(workspace: Workspace, publish_form: Callable[..., FormVersion]) -> FormVersion:
    return publish_form(workspace)


@pytest.fixture
def form(form_version: FormVersion) -> Form:
    return form_version.form


@pytest.fixture
def make_submission(db: None) -> Callable[..., Submission]:
    """make_submission(form_version, data=None, user=None, status=COMPLETED, **kwargs) through the service."""

    def make(version: FormVersion, data: dict[str, Any] | None = None, **kwargs: Any) -> Submission:
        kwargs.setdefault("acting_user", None)
        return submission_create(
            workspace=version.form.workspace,
            form_version=version,
            data=copy.deepcopy(SEED_SUBMISSION_DATA if data is None else data),
            **kwargs,
        )

    return make


@pytest.fixture
def submission(form_version: FormVersion, make_submission: Callable[..., Submission]) -> Submission:
    return make_submission(form_version)
