"""JSON-LD that names the project's context by IRI is read offline, by every tool.

The proof: the tools run with every HTTP(S) request sent to a local listener as proxy (rdflib's
and pyld's default loaders both honour the proxy variables); the listener sees no connection.
The same setup catches rdflib's own JSON-LD parser fetching the context, so it can see one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_security import Listener

from iacai.namespaces import CONTEXT_IRI

REVIEW_JSONLD = {
    "@context": CONTEXT_IRI,
    "@graph": [
        {"@id": "https://example.org/r/category/risk", "@type": "ChallengeCategory",
         "rdfs:label": "Risk"},
        {"@id": "https://example.org/r/challenge/drift", "@type": "Challenge",
         "rdfs:label": "Model drift", "iacai:hasCategory": {"@id": "https://example.org/r/category/risk"}},
    ],
}


@pytest.fixture
def proxy() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


def offline(proxy: Listener) -> dict[str, str]:
    """The environment of a process whose every HTTP(S) request goes to the listener."""
    variables = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
    return {**os.environ, **dict.fromkeys(variables, proxy.base), "no_proxy": "", "NO_PROXY": ""}


def test_the_project_context_resolves_from_the_package(proxy: Listener, tmp_path: Path) -> None:
    review = tmp_path / "review.jsonld"
    review.write_text(json.dumps(REVIEW_JSONLD))
    query = tmp_path / "labels.rq"
    query.write_text("SELECT ?label WHERE { ?c a iacai:Challenge ; rdfs:label ?label }")
    environment = offline(proxy)
    for arguments in (["validate", "--data", str(review), "--format", "json"],
                      ["query", str(query), "--data", str(review), "--format", "csv"],
                      ["export", "--data", str(review), "--format", "nq"]):
        done = subprocess.run([sys.executable, "-m", "iacai.cli", *arguments], env=environment,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1), done.stderr  # 1: violations, still read
        assert "Model drift" in done.stdout or "drift" in done.stdout, done.stdout
    time.sleep(0.3)
    assert proxy.connections == [], "a tool went to the network for the context"


def test_rdflib_alone_would_fetch_it(proxy: Listener, tmp_path: Path) -> None:
    review = tmp_path / "review.jsonld"
    review.write_text(json.dumps(REVIEW_JSONLD))
    code = f"import rdflib; rdflib.Graph().parse({str(review)!r}, format='json-ld')"
    subprocess.run([sys.executable, "-c", code], env=offline(proxy), capture_output=True,
                   timeout=120)
    deadline = time.monotonic() + 5
    while not proxy.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proxy.connections, "the listener sees no fetch: this test could not catch one"


def test_another_remote_context_is_refused_with_a_reason(tmp_path: Path) -> None:
    other = tmp_path / "other.jsonld"
    other.write_text(json.dumps({"@context": "https://example.org/context.jsonld",
                                 "@id": "https://example.org/a"}))
    done = subprocess.run([sys.executable, "-m", "iacai.cli", "validate", "--data", str(other)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "https://example.org/context.jsonld is not fetched" in done.stderr
