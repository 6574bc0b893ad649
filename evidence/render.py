"""The evidence pack's PDF: its content dict rendered by ``templates/evidence/pack.html`` with WeasyPrint.

The page fetches nothing: every style is inline, and the fetcher refuses every URL (a value in the data can never
make the renderer reach out, whatever it holds; the template escapes it anyway).

WeasyPrint is imported on first use: only the worker renders, and the web processes need not load Pango.
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string

# WeasyPrint logs each rendering step at INFO; a worker's log needs its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _refuse(url: str, *args: Any, **kwargs: Any) -> Any:
    from weasyprint.urls import URLFetchingError

    raise URLFetchingError(f"An evidence pack fetches nothing ({url[:80]}).")


def pack_pdf(content: dict[str, Any], *, json_sha256: str) -> tuple[bytes, int]:
    """The PDF's bytes and its number of pages."""
    import weasyprint

    html = render_to_string("evidence/pack.html", {"pack": content, "json_sha256": json_sha256})
    document = weasyprint.HTML(string=html, url_fetcher=_refuse).render()
    return document.write_pdf(), len(document.pages)
