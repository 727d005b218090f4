"""Apache httpd on 127.0.0.1 serving w3id/.htaccess as w3id.org would, in front of a service.

w3id.org is an Apache server whose document root is its repository: each project's folder holds
an `.htaccess` of mod_rewrite rules. Here a throwaway root holds `iacai/.htaccess` (the
repository's, with the placeholder host replaced by the test service's URL), served by Debian's
apache2 with a minimal configuration: only mod_rewrite, mod_headers and AllowOverride for the
folder. httpd runs in the foreground under this test; as root it serves as www-data (httpd
refuses to serve as root), so the root it reads is made readable to others.
"""

from __future__ import annotations

import getpass
import grp
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
HTACCESS = REPOSITORY / "w3id" / ".htaccess"
PLACEHOLDER = "https://iacai.example.org"
"""The deployed service's URL as the repository's .htaccess names it (docs/deploy.md)."""
APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")


@dataclass(frozen=True)
class W3id:
    """The w3id.org stand-in: its URL for `/iacai/` and the service its rules point at."""

    url: str
    service: str

    def client(self) -> httpx.Client:
        return httpx.Client(timeout=30)


def config(root: Path, port: int, run: Path) -> str:
    user = "www-data" if os.geteuid() == 0 else getpass.getuser()
    group = "www-data" if os.geteuid() == 0 else grp.getgrgid(os.getegid()).gr_name
    return f"""
ServerRoot "{run}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{run}/httpd.pid"
DefaultRuntimeDir "{run}"
ErrorLog "{run}/error.log"
LogLevel warn
User {user}
Group {group}
LoadModule mpm_event_module {MODULES}/mod_mpm_event.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
LoadModule rewrite_module {MODULES}/mod_rewrite.so
LoadModule headers_module {MODULES}/mod_headers.so
DocumentRoot "{root}"
<Directory "/">
    AllowOverride None
    Require all denied
</Directory>
<Directory "{root}">
    AllowOverride All
    Options FollowSymLinks
    Require all granted
</Directory>
"""


def wait_for(url: str, httpd: subprocess.Popen[bytes], run: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if httpd.poll() is not None:
            errors = (run / "stderr.log").read_text() + (run / "error.log").read_text()
            pytest.fail(f"apache2 stopped at start-up:\n{errors}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("apache2 did not answer within 30 s")
