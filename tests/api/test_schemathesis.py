"""Schemathesis over the OpenAPI schema, in-process, with a bounded number of examples: no
route answers 5xx, and every answer fits the schema (status code documented, content type,
headers and body as declared).  Run with a COA token and with a municipality token, against
SQLite and PostgreSQL, on a database that holds a finished proposal so the id routes find
something.

Only those checks run: the service refuses, by design, some requests that the schema allows
(an unknown reception location is a 422, another municipality's home a 404), so Schemathesis'
"valid data must be accepted" check does not apply.
"""

from __future__ import annotations

import pytest
import schemathesis
from api_testing import enschede_world, make_tokens, reset
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 6
"""Examples per operation and mode: about 25 operations x 2 modes x 2 tokens per database."""


def not_a_server_error(ctx, response, case):
    """No 5xx, whatever was sent."""
    if response.status_code >= 500:
        raise AssertionError(f"{case.method} {case.formatted_path} answered {response.status_code}: {response.text[:500]}")


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def prepared(service):
    """A database with a finished proposal; the tokens."""
    from api.worker import run_pending

    reset(service.engine)
    tokens = make_tokens(service)
    enschede_world(service.client, tokens, lambda: run_pending(service.app.state.sessions, service.settings))
    return tokens


@pytest.mark.parametrize("who", ["coa", "enschede"])
def test_no_5xx_and_every_answer_fits_the_schema(who, service, prepared):
    """Generated requests, valid and invalid, never get a 5xx or an answer outside the schema."""
    headers = getattr(prepared, who)
    schema = schemathesis.openapi.from_asgi("/openapi.json", service.app)
    failures: list[str] = []
    operations = 0
    calls: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            def run(case):
                calls.append(case.operation.label)
                case.call_and_validate(headers=dict(headers), checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # nothing invalid can be sent to an operation without input
                assert mode is GenerationMode.NEGATIVE
            except (Exception, FailureGroup) as exc:  # noqa: BLE001 - collected, all reported at the end
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {str(exc)[:1500]}")
    assert operations >= 25 and len(set(calls)) == operations and len(calls) >= 4 * operations
    assert not failures, "\n\n".join(failures)
