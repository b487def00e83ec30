"""Handlers that fetch one record by id, bare or wrapped as the schema says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.contract import GetOperation
from simulator.routes.call import ApiCall, organization_errors


@dataclass(frozen=True)
class GetRecord:
    """``GET /things/{id}``; ``envelope`` None means the record is the whole body."""

    operation: GetOperation
    id_param: str
    envelope: str | None = None

    def __call__(self, call: ApiCall) -> dict[str, Any]:
        record_id = call.path_params[self.id_param]
        with call.data_lock, organization_errors(f"{self.operation} {record_id}"):
            record = call.organization.get(self.operation, record_id, call.now)
        return {self.envelope: record} if self.envelope else record


@dataclass(frozen=True)
class OrganizationRecord:
    """``GET /organization``: the organization is also the member of type organization."""

    operation: str = "Organization"

    def __call__(self, call: ApiCall) -> dict[str, Any]:
        organization = call.organization
        with call.data_lock, organization_errors("organization"):
            record = organization.get("OrganizationMember", organization.organization_id, call.now)
        return {"organization": record}
