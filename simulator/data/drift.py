"""Schema drift switched on by ``advance``: new fields and fields whose value type changes."""

from __future__ import annotations

from typing import Any, Literal

from simulator.contract import JsonRecord

Resource = Literal["contacts", "conversations", "conversation_items"]
RESOURCES: tuple[Resource, ...] = ("contacts", "conversations", "conversation_items")


class Drift:
    """New fields (on every record from now on) and type changes (on new/edited records)."""

    def __init__(self) -> None:
        self.new_fields: dict[str, list[str]] = {resource: [] for resource in RESOURCES}
        self.type_changes: dict[str, list[str]] = {resource: [] for resource in RESOURCES}

    def add_field(self, resource: str, name: str) -> None:
        self._check(resource)
        if name not in self.new_fields[resource]:
            self.new_fields[resource].append(name)

    def change_type(self, resource: str, field: str) -> None:
        self._check(resource)
        if field not in self.type_changes[resource]:
            self.type_changes[resource].append(field)

    def with_new_fields(self, resource: str, record: JsonRecord) -> JsonRecord:
        """``record`` plus the resource's new fields (a copy when there are any)."""
        names = self.new_fields[resource]
        if not names:
            return record
        return {**record, **{name: _new_field_value(name, record) for name in names}}

    def active(self, resource: str) -> int:
        """How many type changes a record created or edited now carries."""
        return len(self.type_changes[resource])

    def shaped(self, resource: str, record: JsonRecord, type_changes: int = 0) -> JsonRecord:
        """``record`` as served: its first ``type_changes`` type changes, the new fields.

        Stores keep records in their generated types and remember, per record, how many
        type changes were active when it was last created or edited.
        """
        fields = [field for field in self.type_changes[resource][:type_changes]
                  if field in record]
        if fields:
            record = {**record, **{field: _retyped_value(record[field]) for field in fields}}
        return self.with_new_fields(resource, record)

    @staticmethod
    def _check(resource: str) -> None:
        if resource not in RESOURCES:
            known = ", ".join(RESOURCES)
            raise ValueError(f"drift names resource {resource!r}: choose one of {known}")


def _new_field_value(name: str, record: JsonRecord) -> str:
    return f"{name}-{str(record.get('id', ''))[-4:]}"


def _retyped_value(value: Any) -> Any:
    # A string (or number, list) becomes an object: the commonest real-world type change.
    if isinstance(value, dict):
        return [value]
    return {"value": value, "kind": type(value).__name__}
