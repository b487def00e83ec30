"""Schemathesis against Spruce's OpenAPI: generated GET requests get conforming answers.

Checked: no 5xx, a JSON content type, and bodies that match the schema of their status
(undeclared statuses such as 404 on GET /phonelines/{id} are Spruce's documented
behaviour, so status-code conformance is not checked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from simulator import Simulator
from tests.fixtures.simulator import TEST_TOKEN
from tests.simulator.http.spec import SPEC_PATH
from tests.simulator.http.wire import bearer

if TYPE_CHECKING:  # schemathesis defines its OpenAPI case type for type checkers only
    from schemathesis.specs.openapi.schemas import OpenApiCase

SCHEMA = schemathesis.openapi.from_path(SPEC_PATH).include(method="GET")
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@SCHEMA.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_conforming_answers(case: OpenApiCase, served: Simulator) -> None:
    case.call_and_validate(base_url=served.base_url, headers=bearer(TEST_TOKEN), checks=CHECKS)
