"""Helpers for the workflows document tests."""

from documents import s3


def reset_s3_clients() -> None:
    """Forget the process's cached S3 session/client after the S3 settings changed."""
    clear = getattr(s3, "clear_cached_clients", None)  # the upload core's helper, where it has one
    if clear is not None:
        clear()
    else:
        s3.s3_client.cache_clear()
