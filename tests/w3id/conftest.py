"""The w3id.org stand-in (w3id_server.py) in front of a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_service import RunningService, free_port
from w3id_server import APACHE, HTACCESS, PLACEHOLDER, W3id, config, wait_for


@pytest.fixture(scope="session")
def w3id(shipped_service: RunningService) -> Iterator[W3id]:
    if not APACHE.exists():
        pytest.fail("apache2 is not installed: scripts/test installs it (Debian package apache2)")
    top = Path(tempfile.mkdtemp(prefix="iacai-w3id-"))
    try:
        root, run = top / "root", top / "run"
        (root / "iacai").mkdir(parents=True)
        run.mkdir()
        rules = HTACCESS.read_text(encoding="utf-8")
        assert PLACEHOLDER in rules
        (root / "iacai" / ".htaccess").write_text(rules.replace(PLACEHOLDER, shipped_service.url))
        for folder in (top, root, root / "iacai"):
            folder.chmod(0o755)
        (root / "iacai" / ".htaccess").chmod(0o644)
        port = free_port()
        (run / "httpd.conf").write_text(config(root, port, run))
        httpd = subprocess.Popen(
            [str(APACHE), "-f", str(run / "httpd.conf"), "-DFOREGROUND"],
            stdout=subprocess.DEVNULL,
            stderr=(run / "stderr.log").open("wb"),
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(url, httpd, run)
            yield W3id(f"{url}/iacai/", shipped_service.url)
        finally:
            httpd.terminate()
            httpd.wait(timeout=30)
    finally:
        shutil.rmtree(top, ignore_errors=True)
