"""The admin API under /_sim: no token, never counted, clear 400s on bad input."""

from __future__ import annotations

import pytest

from simulator import Simulator
from tests.simulator.http.wire import admin_client, api_client


def test_counters_are_read_and_reset_without_counting_admin_calls(simulator: Simulator) -> None:
    with api_client(simulator) as client, admin_client(simulator) as admin:
        client.get("/organization")
        client.get("/contacts", params={"pageSize": 0})
        counters = admin.get("/counters").json()
        reset = admin.post("/counters/reset").json()
        assert admin.get("/counters").json() == reset
    assert counters["total_requests"] == 2
    assert counters["by_status"] == {"200": 1, "400": 1}
    assert reset["total_requests"] == 0 and reset["by_operation"] == {}


def test_ground_truth_is_served_as_json(simulator: Simulator) -> None:
    with admin_client(simulator) as admin:
        truth = admin.get("/ground-truth").json()
    assert truth.keys() == simulator.ground_truth().keys()
    assert all(isinstance(rows, list) for rows in truth.values())


def test_faults_switch_on_and_off(simulator: Simulator) -> None:
    schedule = {"schedules": [{"fault": "502", "count": 1, "operation": "Organization"}]}
    with api_client(simulator) as client, admin_client(simulator) as admin:
        assert admin.put("/faults", json=schedule).status_code == 200
        assert client.get("/organization").status_code == 502
        admin.put("/faults", json={"probabilities": {"*": {"500": 1.0}}})
        assert client.get("/organization").status_code == 500
        admin.put("/faults", json={})
        assert client.get("/organization").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/faults", {"schedules": [{"fault": "418"}]}, ["unknown fault '418'", "503"]),
        ("/faults", {"latency": 1}, ["no field latency", "latency_seconds"]),
        ("/faults", [1, 2], ["must be a JSON object"]),
        ("/rate-limit", {"limit": 5, "exhausted_status": 500}, ["429 or 503"]),
        ("/rate-limit", {"windows": 5}, ["no field windows", "window_seconds"]),
        ("/rate-limit", {"limit": "ten"}, ["limit must be int", "'ten'"]),
        ("/rate-limit", {"limit": 0}, ["limit must be at least 1"]),
        ("/faults", {"latency_seconds": -1}, ["must not be negative"]),
        ("/rate-limit", {"retry_after": 1}, ["retry_after must be bool"]),
        ("/faults", {"probabilities": {"*": {"503": "often"}}}, ["probability of 503"]),
        ("/faults", {"probabilities": {"*": 0.5}}, ["must be a JSON object"]),
        ("/faults", {"revoke_after": 2.5}, ["revoke_after must be int | None"]),
    ],
)
def test_bad_settings_are_refused_with_the_reason(
    simulator: Simulator, path: str, body: object, words: list[str]
) -> None:
    with admin_client(simulator) as admin:
        response = admin.put(path, json=body)
    assert response.status_code == 400
    for word in words:
        assert word in response.json()["message"]


def test_a_body_that_is_not_json_is_refused(simulator: Simulator) -> None:
    with admin_client(simulator) as admin:
        response = admin.put("/faults", content=b"{not json")
    assert response.status_code == 400
    assert "not JSON" in response.json()["message"]


def test_advance_changes_what_the_api_lists(simulator: Simulator) -> None:
    with api_client(simulator) as client, admin_client(simulator) as admin:
        before = client.get("/contacts", params={"pageSize": 1}).json()["totalCount"]
        summary = admin.post("/advance", json={"new_contacts": 3, "deleted_contacts": 1})
        after = client.get("/contacts", params={"pageSize": 1}).json()["totalCount"]
        created = summary.json()["contacts"]["created"]
        fetched = client.get(f"/contacts/{created[0]}")
    assert summary.status_code == 200 and len(created) == 3
    assert after == before + 2
    assert fetched.status_code == 200


def test_a_bad_change_is_refused_with_the_reason(simulator: Simulator) -> None:
    with admin_client(simulator) as admin:
        response = admin.post("/advance", json={"new_patients": 3})
    assert response.status_code == 400
    assert "new_patients" in response.json()["message"]
