"""What every generator shares: the seed, the scale, the anchor and the id codecs."""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from simulator.data.ids import IdCodec, ItemIdCodec
from simulator.data.scales import Scale
from simulator.data.settings import API_BASE_URL, APP_BASE_URL


@dataclass(frozen=True)
class Codecs:
    """One id codec per kind of record. Entity kinds differ by their first index digit."""

    seed: int
    organization: IdCodec = field(init=False)
    teammate: IdCodec = field(init=False)
    team: IdCodec = field(init=False)
    contact: IdCodec = field(init=False)
    conversation: IdCodec = field(init=False)
    item: ItemIdCodec = field(init=False)
    transcription: ItemIdCodec = field(init=False)
    request: ItemIdCodec = field(init=False)
    entity_contact: IdCodec = field(init=False)
    contact_tag: IdCodec = field(init=False)
    conversation_tag: IdCodec = field(init=False)
    contact_field: IdCodec = field(init=False)
    custom_field: IdCodec = field(init=False)
    phone_line: IdCodec = field(init=False)
    endpoint: IdCodec = field(init=False)
    saved_message: IdCodec = field(init=False)
    scheduled_message: IdCodec = field(init=False)
    webhook_endpoint: IdCodec = field(init=False)
    signing_secret: IdCodec = field(init=False)
    event: IdCodec = field(init=False)

    def __post_init__(self) -> None:
        plain = {
            "organization": "entity_0", "teammate": "entity_1", "team": "entity_2",
            "contact": "entity_3", "conversation": "t_", "entity_contact": "entityContact_",
            "contact_tag": "tag_", "conversation_tag": "tag_C", "contact_field":
            "managedCustomField_", "custom_field": "entityCustomField_", "phone_line": "pd_",
            "endpoint": "ep_", "saved_message": "sm_", "scheduled_message": "scm_",
            "webhook_endpoint": "wde_", "signing_secret": "wss_", "event": "wev_",
        }
        for name, prefix in plain.items():
            object.__setattr__(self, name, IdCodec(prefix, self.seed))
        for name, prefix in (("item", "ti_"), ("transcription", "tr_"),
                             ("request", "asyncRequest_")):
            object.__setattr__(self, name, ItemIdCodec(prefix, self.seed))


@dataclass(frozen=True)
class OrgContext:
    """The organization-wide facts generators need; ``anchor_ms`` ends all history."""

    seed: int
    scale: Scale
    anchor_ms: int
    codecs: Codecs
    organization_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "organization_id", self.codecs.organization.make(0))

    def rng(self, stream: str, index: int = 0) -> Random:
        """A generator private to (seed, stream, index): records never share randomness."""
        return Random(f"{self.seed}/{stream}/{index}")

    def api_url(self, path: str) -> str:
        return f"{API_BASE_URL}/{path}"

    def app_url(self, path: str) -> str:
        return f"{APP_BASE_URL}/org/{self.organization_id}/{path}"
