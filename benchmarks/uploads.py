"""The benchmark's end client: a multipart POST straight to S3, signed fields first, `file` last."""

from __future__ import annotations

import requests


def post_file(url: str, fields: dict[str, str], content: bytes, file_name: str) -> None:
    parts: list[tuple[str, tuple[str | None, bytes | str]]] = [(name, (None, value)) for name, value in fields.items()]
    parts.append(("file", (file_name, content)))
    response = requests.post(url, files=parts, timeout=60)
    response.raise_for_status()
