"""The service serves exactly what was validated; its dumps are deterministic and checksummed.

The validated dataset is what `iacai serve` loads from the shipped files and checks with the
shapes; the store's quads are read back through the SPARQL endpoint (every named graph, as
N-Quads, which keep blank nodes apart by graph) and through each dump, and each named graph must
be isomorphic to the validated one. The VoID description's checksums and sizes must match the
bytes the dumps are served as.
"""

from __future__ import annotations

import hashlib

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_isomorphic
from service_process import ServiceProcess

SPDX = "http://spdx.org/rdf/terms#"
DCAT = "http://www.w3.org/ns/dcat#"


@pytest.fixture(scope="module")
def validated(shipped_dataset: Dataset) -> Dataset:
    """What `iacai serve` loads and validates: the shipped graph, loaded once for the session."""
    return shipped_dataset


@pytest.fixture(scope="module")
def validated_digests(validated: Dataset) -> dict[str, int]:
    """Each validated named graph's isomorphism digest, computed once for every comparison."""
    return {name: digest(graph) for name, graph in named_graphs(validated).items()}


def digest(graph: Graph) -> int:
    """rdflib's isomorphism digest (what `isomorphic` compares): equal for isomorphic graphs."""
    return to_isomorphic(graph).graph_digest()


def named_graphs(dataset: Dataset) -> dict[str, Graph]:
    """Each non-empty named graph by name, as a plain Graph (for isomorphism)."""
    graphs = {}
    for graph in dataset.graphs():
        if len(graph):
            plain = Graph()
            for triple in graph:
                plain.add(triple)
            graphs[str(graph.identifier)] = plain
    return graphs


def test_the_store_holds_exactly_the_validated_quads(
    served: ServiceProcess, validated: Dataset, validated_digests: dict[str, int]
) -> None:
    expected = named_graphs(validated)
    with served.client() as http:
        for name, graph in expected.items():
            response = http.get(
                "/sparql",
                params={
                    "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
                },
                headers={"Accept": "application/n-triples"},
            )
            assert response.status_code == 200, response.text
            assert "x-iacai-result-truncated" not in response.headers
            served_graph = Graph().parse(data=response.text, format="nt")
            assert len(served_graph) == len(graph), name
            assert digest(served_graph) == validated_digests[name], (
                f"{name} differs from the validated graph"
            )
        listed = http.get(
            "/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}
        ).json()["results"]["bindings"]
    assert {row["g"]["value"] for row in listed} == set(expected), "graphs added or lost"


@pytest.mark.parametrize("suffix", ["nq", "trig"])
def test_quad_dumps_hold_exactly_the_validated_graphs(
    served: ServiceProcess, validated_digests: dict[str, int], suffix: str
) -> None:
    with served.client() as http:
        body = http.get(f"/dumps/iacai.{suffix}").content
    dumped = Dataset()
    dumped.parse(data=body, format={"nq": "nquads", "trig": "trig"}[suffix])
    got = named_graphs(dumped)
    assert set(got) == set(validated_digests)
    for name, expected in validated_digests.items():
        assert digest(got[name]) == expected, f"{name} differs in the {suffix} dump"


def test_dumps_are_deterministic_and_match_their_void_checksums(served: ServiceProcess) -> None:
    with served.client() as http:
        void = Graph().parse(data=http.get("/.well-known/void?format=nt").text, format="nt")
        distributions = {
            str(url): distribution
            for distribution, url in void.subject_objects(URIRef(DCAT + "downloadURL"))
        }
        assert len(distributions) >= 5
        for url, distribution in distributions.items():
            path = "/" + url.split("/", 3)[3]
            first, second = http.get(path), http.get(path, headers={"Cache-Control": "no-cache"})
            assert first.status_code == 200, path
            assert first.content == second.content, f"{path} changes between requests"
            checksum = void.value(distribution, URIRef(SPDX + "checksum"))
            value = void.value(checksum, URIRef(SPDX + "checksumValue"))
            assert str(value) == hashlib.sha256(first.content).hexdigest(), path
            size = void.value(distribution, URIRef(DCAT + "byteSize"))
            assert int(size) == len(first.content), path
            # the ETag is the digest of the bytes (weak when they travelled gzipped)
            etag = first.headers["etag"].removeprefix("W/").strip('"')
            assert etag == hashlib.sha256(first.content).hexdigest()
