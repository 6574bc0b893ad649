from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.services import audit_reads_collected, audit_reads_write


class AuditReadsMiddleware:
    """Writes the reads a request recorded (``audit_record_read``) in one INSERT once its response is ready;
    a response that is an error records none (nothing was handed out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_reads_collected() as reads:
            response = self.get_response(request)
            if response.status_code < 400:
                audit_reads_write(reads)
        return response
