"""Where the receiver's secrets come from, one path per organization, and one clear line
(exit code 2) for a configuration it cannot serve."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipelines.webhooks.organizations import parse_secrets
from tests.webhooks.receivers import (
    CLI,
    SIGNING_SECRET,
    START_TIMEOUT_S,
    envelope,
    project_env,
    start_receiver,
)

FLEET_SECRETS = """\
[sources.spruce.organizations.clinic-a]
webhook_signing_secret = "whsec-clinic-a-0000000000"

[sources.spruce.organizations.clinic_b]
webhook_signing_secret = ["whsec-clinic-b-old-000000", "whsec-clinic-b-new-000000"]
"""


def _serve_fails(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "webhooks", "serve", "--port", "0"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False)


def test_a_fleet_gets_one_path_per_organization_each_with_its_own_secrets(project: Path) -> None:
    (project / ".dlt" / "secrets.toml").write_text(FLEET_SECRETS, encoding="utf-8")
    env = project_env(project)
    del env["SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET"]
    receiver = start_receiver(project, env=env)
    try:
        assert sorted(receiver.endpoints) == ["clinic-a", "clinic_b"]
        assert receiver.endpoints["clinic-a"].endswith("/webhooks/spruce/clinic-a")
        body = envelope(resource_id="entity_fleet")
        assert receiver.post(body, slug="clinic-a", secret="whsec-clinic-a-0000000000").is_success
        assert receiver.post(body, slug="clinic_b", secret="whsec-clinic-b-old-000000").is_success
        assert receiver.post(body, slug="clinic_b", secret="whsec-clinic-a-0000000000"
                             ).status_code == 401
        assert receiver.post(body, slug="default", secret=SIGNING_SECRET).status_code == 404
    finally:
        assert receiver.stop() == 0


@pytest.mark.parametrize(
    ("secrets_toml", "extra_env", "message"),
    [("", {}, "no webhook signing secret"),
     ('[sources.spruce]\nwebhook_signing_secret = 42\n', {}, "webhook_signing_secret"),
     ('[sources.spruce.organizations."Bad Slug"]\nwebhook_signing_secret = "x"\n', {}, "slug"),
     ("", {"SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET": SIGNING_SECRET,
           "SPRUCE_SYNC_CONFIG": "policy.yaml"}, "hash key")],
    ids=["no secret", "not a string", "bad slug", "policy hashes without a key"],
)  # fmt: skip
def test_a_configuration_the_receiver_cannot_serve_is_one_line_and_exit_code_2(
    project: Path, secrets_toml: str, extra_env: dict[str, str], message: str
) -> None:
    (project / ".dlt" / "secrets.toml").write_text(secrets_toml, encoding="utf-8")
    (project / "policy.yaml").write_text("profiles:\n  default:\n    phi_policy: deidentified\n",
                                         encoding="utf-8")
    env = {**project_env(project), **extra_env}
    if not extra_env:
        del env["SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET"]
    result = _serve_fails(project, env)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (project / "var").exists()  # nothing opened before the configuration held


@pytest.mark.parametrize(
    ("value", "secrets"),
    [("a-secret", ("a-secret",)), ("old, new", ("old", "new")), (["old", "new"], ("old", "new")),
     ('["old", "new"]', ("old", "new")), ("", ()), (" , ", ())],
)  # fmt: skip
def test_secrets_are_read_from_a_string_a_list_or_json_text(
    value: object, secrets: tuple[str, ...]
) -> None:
    assert parse_secrets(value) == secrets
