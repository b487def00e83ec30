"""The data dictionary: every raw table and column with its type and meaning.

Built from Spruce's OpenAPI document (``../shared/spruce/openapi.json``): each table's
records are the items of one list operation's response; nested objects flatten into
``parent__child`` columns and arrays become child tables, as dlt loads them. The result
is written to ``docs/tables.md`` (for people) and ``docs/tables.json`` of the checkout by
``scripts/gen_dictionary.py``. The JSON ships in the package (``pipelines.analytics.docs``)
and is read from there at run time, so an installed package, or a clone without the
OpenAPI document, still has the descriptions. ``describe_columns`` attaches them to a dlt
schema and, as column comments, to DuckDB or PostgreSQL.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dlt
import yaml
from dlt.common.normalizers.naming.snake_case import NamingConvention
from dlt.common.schema import Schema

from pipelines.settings import DOCS_DIR, DOCS_PACKAGE, OPENAPI_PATH, TRANSFORM_PACKAGE
from sources.spruce.listings import (
    CONTACTS,
    CONVERSATIONS,
    ITEMS,
    REFERENCE_LISTINGS,
    WEBHOOK_EVENTS,
)
from sources.spruce.phi import PhiPolicy, PhiPolicyError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable  # Python 3.11+; only for mypy

log = logging.getLogger(__name__)

# What the generator writes: files of the checkout, never read by an installed package.
DOCS_MARKDOWN = DOCS_DIR / "tables.md"
DOCS_JSON = DOCS_DIR / "tables.json"
# What the package reads, as shipped (an editable install ships the checkout's files).
DICTIONARY = resources.files(DOCS_PACKAGE) / "tables.json"
MODELS_SCHEMA = resources.files(TRANSFORM_PACKAGE) / "models" / "marts" / "schema.yml"
# Warehouse table -> (list operation, key of the records in its response), as the source
# reads them.
TABLE_OPERATIONS: Mapping[str, tuple[str, str]] = {
    listing.table: (listing.operation, listing.envelope)
    for listing in (CONTACTS, CONVERSATIONS, ITEMS, *REFERENCE_LISTINGS, WEBHOOK_EVENTS)
}
# Columns the sync adds to what Spruce sends.
ADDED_COLUMNS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "contacts": {"deleted_at": (
        "timestamp", "When the sync saw the contact disappear from Spruce (null while it exists).",
    )},
}
# Listed as required by the OpenAPI document but not described there (Spruce sends them).
UNDESCRIBED_PATHS: Mapping[str, tuple[str, ...]] = {
    "contacts": ("custom_fields",),
    "phone_lines": ("created_at",),
    "conversation_items": ("event.data.inbound",),
}
_DLT_TYPES: Mapping[object, str] = {
    ("string", "date-time"): "timestamp", "integer": "bigint", "number": "double",
    "boolean": "bool", "string": "text",
}
_NAMING = NamingConvention()
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Column:
    """One warehouse column: its dlt type and the OpenAPI description."""

    table: str
    name: str
    data_type: str
    description: str


def build_dictionary(openapi: Mapping[str, Any]) -> list[Column]:
    """Every column of every table, in document order, child tables after their parent."""
    walker = _Walker(openapi)
    return [column for table in TABLE_OPERATIONS for column in walker.table(table)]


def load_dictionary(path: Traversable = DICTIONARY) -> list[Column]:
    """The generated dictionary (``docs/tables.json``) as the package ships it."""
    return [Column(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]


class _Walker:
    """Resolves ``$ref``s and unions and flattens schemas the way dlt does."""

    def __init__(self, openapi: Mapping[str, Any]) -> None:
        self._openapi = openapi
        self._operations = {operation["operationId"]: operation
                            for path in openapi["paths"].values()
                            for operation in path.values() if "operationId" in operation}

    def table(self, table: str) -> Iterator[Column]:
        operation, key = TABLE_OPERATIONS[table]
        response = self._operations[operation]["responses"]["200"]["content"]
        records = self._resolve(self._resolve(response["application/json"]["schema"])
                                ["properties"][key])
        records = self._resolve(records.get("items", records))
        yield from self._object(table, "", records, 0)
        for name, (data_type, description) in ADDED_COLUMNS.get(table, {}).items():
            yield Column(table, name, data_type, description)

    def _object(self, table: str, prefix: str, schema: Mapping[str, Any], depth: int
                ) -> Iterator[Column]:
        children: list[Iterator[Column]] = []
        for key, raw in self._properties(schema).items():
            name = prefix + _NAMING.normalize_identifier(key)
            if depth >= _MAX_DEPTH:
                continue
            field = self._resolve(raw)
            description = _description(raw, field)
            if field.get("type") == "array":
                children.append(self._array(f"{table}__{name}", field, description, depth))
            elif self._properties(field):
                yield from self._object(table, name + "__", field, depth + 1)
            else:
                yield Column(table, name, _dlt_type(field), description)
        for child in children:
            yield from child

    def _array(self, table: str, field: Mapping[str, Any], description: str, depth: int
               ) -> Iterator[Column]:
        items = self._resolve(field.get("items", {}))
        if self._properties(items):
            yield from self._object(table, "", items, depth + 1)
        else:
            yield Column(table, "value", _dlt_type(items), description)

    def _properties(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """Own properties, plus those of every anyOf/oneOf/allOf branch (a union's columns)."""
        merged = dict(schema.get("properties", {}))
        for union in ("anyOf", "oneOf", "allOf"):
            for branch in schema.get(union, []):
                for key, value in self._properties(self._resolve(branch)).items():
                    merged.setdefault(key, value)
        return merged

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            node: Any = self._openapi
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema


def _dlt_type(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type", "string")
    return _DLT_TYPES.get((kind, schema.get("format")), _DLT_TYPES.get(kind, "json"))


def _description(raw: Mapping[str, Any], field: Mapping[str, Any]) -> str:
    """The property's description, else its schema's, else its allowed values."""
    text = raw.get("description") or field.get("description") or ""
    if not text and field.get("enum"):
        text = "One of: " + ", ".join(str(value) for value in field["enum"]) + "."
    return _text(str(text))


def model_sections(schema_path: Traversable = MODELS_SCHEMA) -> list[str]:
    """The analysts' models as documented in their dbt schema file."""
    lines = ["# Analytics models (schema `spruce_analytics`)", "",
             "Built by `spruce-sync transform` (dbt, `transform/`) from the raw tables.", ""]
    for model in yaml.safe_load(schema_path.read_text(encoding="utf-8"))["models"]:
        lines += [f"## `{model['name']}`", "", _text(model["description"]), "",
                  "| column | meaning |", "|---|---|"]
        lines += [f"| `{column['name']}` | {_cell(column.get('description', ''))} |"
                  for column in model["columns"]]
        lines.append("")
    return lines


def _text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _cell(text: str) -> str:
    """Text inside a markdown table cell."""
    return _text(text).replace("|", "\\|")


def render_markdown(columns: list[Column]) -> str:
    """``docs/tables.md``: the models, then one section per raw table, a row per column."""
    lines = [*model_sections(), "# Raw tables (schema `spruce`)", "",
             "Generated by `python scripts/gen_dictionary.py` from Spruce's OpenAPI document;",
             "do not edit by hand. Every table also has dlt's `_dlt_id` and `_dlt_load_id`;",
             "child tables link to their parent row through `_dlt_parent_id` (the parent's",
             "`_dlt_id`) and keep the array order in `_dlt_list_idx`. A column that the PHI",
             "policy redacts is empty and its length lands in `<column>_length`.", ""]
    for table in dict.fromkeys(column.table for column in columns):
        lines += [f"## `{table}`", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{column.name}` | {column.data_type} | {_cell(column.description)} |"
                  for column in columns if column.table == table]
        lines.append("")
    return "\n".join(lines)


def write_dictionary(openapi_path: Path = OPENAPI_PATH) -> list[Path]:
    """Regenerate ``docs/tables.md`` and ``docs/tables.json``; returns the files written."""
    columns = build_dictionary(json.loads(openapi_path.read_text(encoding="utf-8")))
    DOCS_MARKDOWN.write_text(render_markdown(columns), encoding="utf-8")
    DOCS_JSON.write_text(json.dumps([asdict(column) for column in columns], indent=1,
                                    ensure_ascii=False) + "\n", encoding="utf-8")
    return [DOCS_MARKDOWN, DOCS_JSON]


def attach_descriptions(schema: Schema, columns: list[Column]) -> list[tuple[str, str, str]]:
    """Set each known column's description in ``schema``; (table, column, text) set."""
    described = []
    known = {(column.table, column.name): column.description for column in columns}
    for table_name, table in schema.tables.items():
        for column_name, column in table.get("columns", {}).items():
            text = known.get((table_name, column_name))
            if text:
                column["description"] = text
                described.append((table_name, column_name, text))
    return described


def describe_columns(pipeline: dlt.Pipeline, columns: list[Column] | None = None) -> int:
    """Attach descriptions to the pipeline's schema and comment the destination's columns.

    Returns how many columns were described. Only columns that exist are commented.
    """
    schema = pipeline.default_schema
    described = attach_descriptions(schema, columns or load_dictionary())
    pipeline.schemas.save_schema(schema)
    with pipeline.sql_client() as client:
        for table, column, text in described:
            # COMMENT takes no bind parameters; the text is the OpenAPI document's, quoted.
            literal = "'" + text.replace("'", "''") + "'"
            client.execute_sql(f"COMMENT ON COLUMN {client.make_qualified_table_name(table)}"
                               f".{client.escape_column_name(column)} IS {literal}")
    log.info("described %d columns of %s from the OpenAPI document", len(described),
             pipeline.dataset_name)
    return len(described)


def policy_paths(columns: list[Column]) -> dict[str, set[str]]:
    """Resource -> every dotted path a PHI policy may name (columns and their parents)."""
    paths: dict[str, set[str]] = {}
    for column in columns:
        resource, *nested = f"{column.table}__{column.name}".split("__")
        for end in range(1, len(nested) + 1):
            paths.setdefault(resource, set()).add(".".join(nested[:end]))
    for resource, extra in UNDESCRIBED_PATHS.items():
        paths.setdefault(resource, set()).update(extra)
    return paths


def check_policy_columns(
    policy: PhiPolicy, where: str = "phi_policy", columns: list[Column] | None = None
) -> None:
    """Fail on a rule naming a column Spruce does not send: a typo would leave PHI as is.

    Paths below an undescribed field (e.g. ``custom_fields.value``) are accepted.
    """
    known = policy_paths(columns or load_dictionary())
    for resource, rules in sorted(policy.rules.items()):
        for path in sorted(".".join(rule) for rule in rules):
            if not _is_known(path, known.get(resource, set()), resource):
                hint = difflib.get_close_matches(path, sorted(known.get(resource, ())), n=3)
                raise PhiPolicyError(
                    f"{where}.columns.{resource}.{path}: {resource} has no such column"
                    + (f"; did you mean {', '.join(hint)}?" if hint else "")
                    + " (docs/tables.md lists every column, dots for nesting)"
                )


def _is_known(path: str, known: set[str], resource: str) -> bool:
    """A column or parent Spruce documents, or anything below an undescribed field."""
    parts = path.split(".")
    below = {".".join(parts[:end]) for end in range(1, len(parts))}
    return path in known or bool(below & set(UNDESCRIBED_PATHS.get(resource, ())))
