"""Schemathesis against the service's own OpenAPI description, on a real server.

Every operation of /openapi.json is called with generated parameters, headers and bodies (the
valid ones the schema describes and invalid ones besides), and every answer must be no 5xx
(503 only for a query stopped by the timeout), have a status the description documents for that
operation, a Content-Type it documents, and a body its schema accepts. Examples per operation
are bounded (IACAI_FUZZ_EXAMPLES, default 30) so that the whole run stays within a minute.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from clean_answers import assert_clean
from hypothesis import HealthCheck, given, note, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from service_process import ServiceProcess

EXAMPLES = int(os.environ.get("IACAI_FUZZ_EXAMPLES", "30"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="session")
def api_schema(served: ServiceProcess) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{served.url}/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(
    api_schema: schemathesis.BaseSchema, mode: GenerationMode
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, "the description lost operations"
    fuzzed = []
    for operation in operations:
        try:
            fuzz(operation, mode)
        except Unsatisfiable:
            # Only in negative mode: every input the operation takes is a free string, so
            # there is no invalid one to make.
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        fuzzed.append(operation.label)
    assert "POST /sparql" in fuzzed and "GET /sparql" in fuzzed


def fuzz(operation: APIOperation, mode: GenerationMode) -> None:
    """Call one operation with generated cases (schemathesis's plugin predates pytest 9)."""

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        note(f"{operation.label}: {case.as_curl_command()}")
        response = case.call_and_validate(checks=CHECKS, timeout=30)
        assert_clean(response, timeout_allowed=True)

    call()
