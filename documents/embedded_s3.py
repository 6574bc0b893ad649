"""The embedded S3 emulator: moto's threaded server on 127.0.0.1, with objects mirrored to ``data/s3``.

moto keeps objects in memory only; the mirror writes every object to disk (checked once a second and at
shutdown) and loads them back on start, so a restart never leaves document rows pointing at nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from moto.server import ThreadedMotoServer

from documents import s3

logger = logging.getLogger(__name__)


class EmbeddedS3:
    def __init__(self, endpoint_url: str, directory: Path) -> None:
        parsed = urlparse(endpoint_url)
        if parsed.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError("The embedded S3 only listens on 127.0.0.1.")
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=parsed.port or 9000, verbose=False)
        self.directory = directory / s3.bucket_name()
        self._seen: dict[str, str] = {}  # key -> etag already on disk
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._mirror_loop, name="embedded-s3-mirror", daemon=True)

    def start(self) -> None:
        self.server.start()
        s3.ensure_bucket()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._restore()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sync()
        self.server.stop()

    def _paths(self, key: str) -> tuple[Path, Path]:
        name = hashlib.sha256(key.encode()).hexdigest()
        return self.directory / f"{name}.bin", self.directory / f"{name}.json"

    def _restore(self) -> None:
        client = s3.s3_client()
        restored = 0
        for meta_path in self.directory.glob("*.json"):
            meta = json.loads(meta_path.read_text())
            data_path = meta_path.with_suffix(".bin")
            if not data_path.exists():
                continue
            stored = client.put_object(
                Bucket=s3.bucket_name(),
                Key=meta["key"],
                Body=data_path.read_bytes(),
                ContentType=meta.get("content_type") or "binary/octet-stream",
                Metadata=meta.get("metadata") or {},
            )
            self._seen[meta["key"]] = stored["ETag"].strip('"')
            restored += 1
        if restored:
            logger.info("Embedded S3: restored %d object(s) from %s", restored, self.directory)

    def sync(self) -> None:
        """Write new or changed objects to disk and forget deleted ones."""
        client = s3.s3_client()
        current = s3.list_sizes("")
        for key, info in current.items():
            if self._seen.get(key) == info.etag:
                continue
            response = client.get_object(Bucket=s3.bucket_name(), Key=key)
            data_path, meta_path = self._paths(key)
            data_path.write_bytes(response["Body"].read())
            meta = {"key": key, "content_type": response.get("ContentType"), "metadata": response.get("Metadata", {})}
            meta_path.write_text(json.dumps(meta))
            self._seen[key] = info.etag
        for key in set(self._seen) - set(current):
            for path in self._paths(key):
                path.unlink(missing_ok=True)
            del self._seen[key]

    def _mirror_loop(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.sync()
            except Exception:
                logger.exception("Embedded S3: mirroring to disk failed; retrying")


def embedded_s3() -> EmbeddedS3:
    return EmbeddedS3(str(settings.AWS_S3_ENDPOINT_URL), Path(settings.EMBEDDED_S3_DIR))


@contextmanager
def embedded_s3_while_seeding() -> Iterator[None]:
    """S3 for a command that runs before ``run_embedded`` (make run's ``seed_demo``): when the endpoint is the
    embedded default on 127.0.0.1 and nothing serves it yet, the emulator runs for the block and its objects are
    mirrored to disk, where ``run_embedded`` restores them. Otherwise (real S3, or an emulator already up) nothing."""
    endpoint = str(settings.AWS_S3_ENDPOINT_URL or "")
    parsed = urlparse(endpoint)
    if parsed.hostname not in ("127.0.0.1", "localhost") or _listening(parsed.hostname, parsed.port or 9000):
        yield
        return
    storage = embedded_s3()
    storage.start()
    try:
        yield
    finally:
        storage.stop()


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0
