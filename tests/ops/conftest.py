"""Fixtures of the production-readiness tests: the suite's browser and submission fixtures, shared."""

from tests.submissions.conftest import form_version, make_submission, publish_form, submission  # noqa: F401
