"""The file-type registry: extension -> MIME type -> how the first bytes of such a file look."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Bytes read from the start of an object to check its signature. Enough for every type below.
MAGIC_PREFIX_BYTES = 64

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def _starts_with(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda head: any(head.startswith(signature) for signature in signatures)


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def _is_text(head: bytes) -> bool:
    """Plain text: no NUL byte, valid UTF-8 (a character cut at the end of the prefix is fine)."""
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def _is_json(head: bytes) -> bool:
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return _is_text(head) and stripped[:1] in (b"{", b"[")


@dataclass(frozen=True)
class FileType:
    extensions: tuple[str, ...]
    content_type: str
    matches: Callable[[bytes], bool]
    is_image: bool = False  # Pillow can make a thumbnail of it
    is_pdf: bool = False

    @property
    def extension(self) -> str:
        return self.extensions[0]


FILE_TYPES: tuple[FileType, ...] = (
    FileType(("pdf",), "application/pdf", _starts_with(b"%PDF-"), is_pdf=True),
    FileType(("png",), "image/png", _starts_with(b"\x89PNG\r\n\x1a\n"), is_image=True),
    FileType(("jpg", "jpeg"), "image/jpeg", _starts_with(b"\xff\xd8\xff"), is_image=True),
    FileType(("gif",), "image/gif", _starts_with(b"GIF87a", b"GIF89a"), is_image=True),
    FileType(("webp",), "image/webp", _is_webp, is_image=True),
    FileType(("heic", "heif"), "image/heic", _is_heif),
    FileType(("tif", "tiff"), "image/tiff", _starts_with(b"II*\x00", b"MM\x00*"), is_image=True),
    FileType(("csv",), "text/csv", _is_text),
    FileType(("txt",), "text/plain", _is_text),
    FileType(("json",), "application/json", _is_json),
    # Office Open XML files are ZIP archives.
    FileType(
        ("docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _starts_with(b"PK\x03\x04"),
    ),
    FileType(
        ("xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _starts_with(b"PK\x03\x04"),
    ),
)

_BY_EXTENSION = {ext: file_type for file_type in FILE_TYPES for ext in file_type.extensions}
_CONTENT_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/heif": "image/heic", "application/csv": "text/csv"}

SUPPORTED_EXTENSIONS = tuple(sorted(_BY_EXTENSION))


def extension_of(file_name: str) -> str:
    _, dot, ext = file_name.rpartition(".")
    return ext.lower() if dot else ""


def file_type_for_name(file_name: str) -> FileType | None:
    return _BY_EXTENSION.get(extension_of(file_name))


def normalise_content_type(content_type: str) -> str:
    """Lower-cased, parameters dropped, common aliases (image/jpg) folded into the registered type."""
    normalised = content_type.split(";", 1)[0].strip().lower()
    return _CONTENT_TYPE_ALIASES.get(normalised, normalised)


def content_disposition(file_name: str) -> str:
    """``inline`` for the types a browser shows safely (images, PDF), ``attachment`` for the rest; the name is
    a sanitised one (ASCII letters, digits, ``._-``), so it needs no escaping."""
    file_type = file_type_for_name(file_name)
    disposition = "inline" if file_type is not None and (file_type.is_image or file_type.is_pdf) else "attachment"
    return f'{disposition}; filename="{file_name}"'
