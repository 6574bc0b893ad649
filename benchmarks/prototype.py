"""The bare prototype that issue 6 calibrated its throughput target on, served only by the benchmark's gunicorn.

"A bare prototype that only validated, inserted one row with its history and signed two POSTs reached 17%" of
the trivial endpoint's requests per second. Measured in the same run as the real submit, it says what that
share is on this machine today, so the submit's share can be read against both the target and the prototype.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ValidationFailed
from config.urls import urlpatterns as product_urlpatterns
from documents import s3
from documents.constants import PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS
from perf.history import bulk_create_with_history
from submissions.formschema import clean_form_data, file_field_keys
from submissions.models import FormVersion, Submission


class PrototypeSubmitView(APIView):
    """Validate the body against a form version, insert one submission with its history row, sign two POSTs."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request: Request, form_version_id: str) -> Response:
        version = FormVersion.objects.select_related("form__workspace").get(public_id=form_version_id)
        if not isinstance(request.data, dict):
            raise ValidationFailed("The body must be a JSON object.")
        data = clean_form_data(
            schema=version.schema,
            data=request.data,
            workspace=version.form.workspace,
            require_required=True,
            file_values="file_names",
        )
        with transaction.atomic():
            [submission] = bulk_create_with_history(
                [Submission(workspace=version.form.workspace, form=version.form, form_version=version, data=data)],
                Submission,
            )
        prefix = f"{version.form.workspace.public_id}/prototype/{submission.public_id}"
        uploads = [
            s3.sign_post(
                key=f"{prefix}/{data[field]}",
                content_type="application/pdf",
                min_size=1,
                max_size=settings.UPLOAD_DEFAULT_MAX_BYTES,
                metadata={},
                expires_in=PUBLIC_ACTION_UPLOAD_EXPIRY_SECONDS,
            )
            for field in file_field_keys(version.schema)[:2]
            if field in data
        ]
        return Response({"status": "accepted", "fileUploads": [{"url": p.url, "fields": p.fields} for p in uploads]})


urlpatterns = [
    path("bench/prototype/<str:form_version_id>", PrototypeSubmitView.as_view(), name="bench-prototype"),
    *product_urlpatterns,
]
