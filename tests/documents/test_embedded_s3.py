"""`make run`'s S3 emulator keeps uploaded objects across a restart (they live in data/s3)."""

import socket

import pytest
import requests
from django.conf import settings

from documents import s3
from documents.embedded_s3 import EmbeddedS3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def embedded_endpoint(monkeypatch):
    endpoint = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setattr(settings, "AWS_S3_ENDPOINT_URL", endpoint)
    s3.clear_cached_clients()
    yield endpoint
    s3.clear_cached_clients()


def test_objects_survive_a_restart_with_type_and_metadata(embedded_endpoint, s3_endpoint, tmp_path):
    first = EmbeddedS3(embedded_endpoint, tmp_path)
    first.start()
    s3.s3_client().put_object(
        Bucket=s3.bucket_name(),
        Key="ws/a.pdf",
        Body=b"%PDF-1.4 kept",
        ContentType="application/pdf",
        Metadata={"document-id": "d_1"},
    )
    s3.s3_client().put_object(Bucket=s3.bucket_name(), Key="ws/gone.txt", Body=b"deleted before the restart")
    first.sync()
    s3.delete_object("ws/gone.txt")
    first.stop()
    # moto keeps its state in process memory: wipe it, as a real restart of the process would.
    requests.post(f"{s3_endpoint}/moto-api/reset", timeout=10)

    second = EmbeddedS3(embedded_endpoint, tmp_path)
    second.start()
    try:
        stored = s3.s3_client().get_object(Bucket=s3.bucket_name(), Key="ws/a.pdf")
        assert stored["Body"].read() == b"%PDF-1.4 kept"
        assert stored["ContentType"] == "application/pdf"
        assert stored["Metadata"] == {"document-id": "d_1"}
        assert s3.head_object("ws/gone.txt") is None
    finally:
        second.stop()


def test_the_emulator_refuses_to_listen_beyond_loopback(tmp_path):
    with pytest.raises(ValueError, match="127.0.0.1"):
        EmbeddedS3("http://0.0.0.0:9000", tmp_path)


def test_seeding_before_the_server_starts_runs_the_emulator_and_leaves_the_objects_on_disk(
    embedded_endpoint, s3_endpoint, tmp_path, monkeypatch
):
    from documents.embedded_s3 import embedded_s3_while_seeding

    monkeypatch.setattr(settings, "EMBEDDED_S3_DIR", tmp_path)
    port = int(embedded_endpoint.rsplit(":", 1)[1])

    with embedded_s3_while_seeding():
        s3.put_object("ws/seeded.pdf", b"%PDF-1.4 seeded", "application/pdf")

    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0  # stopped again: run_embedded takes the port next
    requests.post(f"{s3_endpoint}/moto-api/reset", timeout=10)
    restarted = EmbeddedS3(embedded_endpoint, tmp_path)
    restarted.start()
    try:
        assert s3.s3_client().get_object(Bucket=s3.bucket_name(), Key="ws/seeded.pdf")["Body"].read() == (
            b"%PDF-1.4 seeded"
        )
    finally:
        restarted.stop()


def test_seeding_uses_an_s3_that_is_already_up_and_starts_nothing(s3_endpoint, tmp_path, monkeypatch):
    from documents.embedded_s3 import embedded_s3_while_seeding

    monkeypatch.setattr(settings, "EMBEDDED_S3_DIR", tmp_path)

    with embedded_s3_while_seeding():
        s3.put_object("ws/direct.txt", b"hello", "text/plain")

    assert s3.head_object("ws/direct.txt") is not None
    assert not list(tmp_path.iterdir())  # no emulator of its own, so no mirror
