"""A real clamd for the suite, on a local socket, with a signature database written here.

The official signature download is not reachable from the test machine, so the database holds MD5 signatures
(``.hdb``: ``md5:size:name``) of two test files: the EICAR test file and an otherwise valid PNG.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.uploads import png_bytes

# The EICAR anti-virus test file, assembled here so the source itself carries no signature.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()
SIGNATURE_PNG = png_bytes((24, 24), "crimson")  # a valid image that the test database marks as malware
SIGNATURES = {"Eicar-Test-Signature": EICAR, "Intake.Test.Signature": SIGNATURE_PNG}


def _clamd_binary() -> str:
    found = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)
    if found is None:
        pytest.fail("clamd is not installed: run `bash .ci/ensure-clamav` (the Makefile's test targets do)")
    return found


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """clamd listening on a unix socket in a temporary directory; its URL for CLAMAV_URL."""
    directory = tmp_path_factory.mktemp("clamd")
    database = directory / "db"
    database.mkdir()
    (database / "intake-test.hdb").write_text(
        "".join(f"{hashlib.md5(data).hexdigest()}:{len(data)}:{name}\n" for name, data in SIGNATURES.items())
    )
    socket_path = directory / "clamd.sock"
    config = directory / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {database}\nForeground yes\nLogFile {directory / 'clamd.log'}\n"
        "StreamMaxLength 60M\n"
    )
    process = subprocess.Popen([_clamd_binary(), f"--config-file={config}"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                log = (directory / "clamd.log").read_text() if (directory / "clamd.log").exists() else ""
                pytest.fail(f"clamd did not start: {log[-2000:]}")
            time.sleep(0.1)
        yield f"unix://{socket_path}"
    finally:
        process.terminate()
        process.wait(timeout=10)
