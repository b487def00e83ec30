"""Spruce's OpenAPI document, and validation of response bodies against it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
from openapi_schema_validator import OAS30Validator

# The contract lives beside the project (../shared/spruce), as the data tests read it.
SPEC_PATH = Path(__file__).resolve().parents[4] / "shared" / "spruce" / "openapi.json"
READ_METHODS = ("get",)


@cache
def spec() -> dict[str, Any]:
    return dict(orjson.loads(SPEC_PATH.read_bytes()))


def read_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) of every GET operation, and POST /contacts/search."""
    found = {}
    for path, operations in spec()["paths"].items():
        for method, operation in operations.items():
            if method in READ_METHODS or operation.get("operationId") == "SearchContacts":
                found[operation["operationId"]] = (method.upper(), path)
    return found


def all_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) of every operation, writes included."""
    return {operation["operationId"]: (method.upper(), path)
            for path, operations in spec()["paths"].items()
            for method, operation in operations.items()}  # fmt: skip


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def response_errors(operation_id: str, status: int, body: Any) -> list[str]:
    """Why ``body`` does not match the operation's schema for ``status`` (empty: it does).

    A status the operation does not declare is checked against the error schema, as
    Spruce documents 403 and 429 only in prose.
    """
    method, path = all_operations()[operation_id]
    responses = spec()["paths"][path][method.lower()]["responses"]
    if str(status) in responses:
        ref = _pointer("paths", path, method.lower(), "responses", str(status), "content",
                       "application/json", "schema")  # fmt: skip
    else:
        ref = "#/components/schemas/error"
    # The document is the root so that the response schema's $refs resolve inside it.
    validator = OAS30Validator({**spec(), "$ref": ref})
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(body)]  # fmt: skip
