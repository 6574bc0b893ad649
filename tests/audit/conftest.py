"""The audit tests reuse the submissions fixtures (a published seed form, a submission made by the services)."""

from tests.submissions.conftest import form_version, make_submission, publish_form, submission

__all__ = ["form_version", "make_submission", "publish_form", "submission"]
