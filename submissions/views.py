"""The read-only share page: anyone with a live link sees the submission, nothing else."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from submissions.formschema import display_data
from submissions.selectors import share_link_get_active, submission_files


@require_GET
@never_cache
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    link = share_link_get_active(token=token)
    if link is None:
        return render(request, "submissions/share_invalid.html", status=404)
    submission = link.submission
    sections = display_data(submission.form_version.schema, submission.data)
    context = {
        "submission": submission,
        "link": link,
        "sections": sections,
        "files": submission_files(submission=submission),
    }
    response = render(request, "submissions/share.html", context)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
