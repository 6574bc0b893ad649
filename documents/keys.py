"""Object keys are built from sanitised names only."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_FILE_NAME_LENGTH = 100
# Accepted objects live under these prefixes, which no presigned POST ever names (upload keys start with a
# workspace UUID or a subject record id ``sr_...``). Objects under PUBLIC_PREFIX are readable by anyone.
FINAL_PREFIX = "objects"
PUBLIC_PREFIX = "public"
THUMBNAIL_PREFIX = "thumbnails"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")
_UNDERSCORES = re.compile(r"_{2,}")


def sanitize_file_name(name: str) -> str:
    """A safe single path segment: ASCII letters, digits, ``._-``; no separators, control characters or ``..``.

    Keeps the extension (lower-cased) and a bounded length; never returns an empty or dot-leading name.
    """
    name = unicodedata.normalize("NFKC", name or "")
    # Only the last path segment counts, whichever separator the client used.
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = _DOTS.sub(".", _UNSAFE.sub("_", ascii_name))
    stem, dot, ext = ascii_name.rpartition(".")
    if not dot:
        stem, ext = ascii_name, ""
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())[:10]
    stem = _UNDERSCORES.sub("_", stem).strip("._-") or "file"
    room = MAX_FILE_NAME_LENGTH - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip("._-") or "file"
    return f"{stem}.{ext}" if ext else stem


def free_key_name(file_name: str, *, prefix: str, taken: set[str]) -> str:
    """The one key-collision policy: the sanitised name under ``prefix``, or ``stem-2.ext``, ``stem-3.ext``... when
    a key in ``taken`` already has it. The chosen key is added to ``taken``. A prefix no other upload shares (the
    ``/api/s3`` prefix holds the document's uuid) passes an empty set and keeps the plain name."""
    sanitized = sanitize_file_name(file_name)
    stem, dot, ext = sanitized.rpartition(".")
    if not dot:
        stem, ext = sanitized, ""
    candidate, counter = sanitized, 1
    while f"{prefix}/{candidate}" in taken:
        counter += 1
        candidate = f"{stem}-{counter}.{ext}" if ext else f"{stem}-{counter}"
    taken.add(f"{prefix}/{candidate}")
    return candidate


def build_key(*parts: str) -> str:
    for part in parts:
        if not part or "/" in part or part in (".", ".."):
            raise ValueError(f"unsafe key segment: {part!r}")
    return "/".join(parts)


def final_key(*, workspace_id: str, document_uuid: str, sanitized_name: str, public: bool, version: str) -> str:
    """The key an accepted version (its ETag) of a document's upload is copied to.

    One key per document and version: a retry after a copy that S3 failed midway (or a second confirm of the same
    version) copies to the same key again, so no orphan copy is left; another version gets a key of its own, so a
    lost race never overwrites the recorded object.
    """
    prefix = PUBLIC_PREFIX if public else FINAL_PREFIX
    segment = hashlib.sha256(f"{document_uuid}/{version}".encode()).hexdigest()[:16]
    return build_key(prefix, workspace_id, document_uuid, f"{segment}-{sanitized_name}")
