"""One contact record, generated from (seed, contact index) alone."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from simulator.contract import JsonRecord
from simulator.data.clock import rfc3339, rfc3339_date
from simulator.data.context import OrgContext
from simulator.data.settings import DAY_MS
from simulator.data.text import (
    COMPANIES,
    FIELD_VALUES,
    GENDER_DETAILS,
    MIDDLE_NAMES,
    PRONOUNS,
    ascii_slug,
    person_name,
)
from simulator.data.weighted import Weighted

AREA_CODES = ("206", "425", "503", "415", "212", "305", "512", "773")
CATEGORIES = Weighted(("patient", "professional", "clinic", "unknown"), (80, 12, 4, 4))
GENDERS = Weighted(("female", "male", "other", "unknown"), (46, 44, 4, 6))
PHONE_COUNTS = Weighted((0, 1, 2), (5, 75, 20))
TAG_COUNTS = Weighted((0, 1, 2, 3), (40, 35, 18, 7))
CUSTOM_FIELD_COUNTS = Weighted((0, 1), (85, 15))
INTEGRATION_TYPES = ("elation", "hint", "athena", "custom")
# Contact-level ids (phones, e-mails, faxes, custom fields) per contact index.
SUB_IDS_PER_CONTACT = 16


@dataclass(frozen=True)
class ContactReferences:
    """Organization records a contact points at."""

    contact_tags: list[JsonRecord]
    contact_fields: list[JsonRecord]
    teammate_ids: list[str]


def phone_number(rng: Random) -> tuple[str, str]:
    """(E.164 value, display value) of a fictional 555-01xx number."""
    area = rng.choice(AREA_CODES)
    line = f"01{rng.randrange(100):02d}"
    return f"+1{area}555{line}", f"({area}) 555-{line}"


def generate_contact(
    context: OrgContext, references: ContactReferences, index: int, created_ms: int
) -> JsonRecord:
    """Contact number ``index``; optional fields are absent as often as in real exports."""
    rng = context.rng("contact", index)
    category = CATEGORIES.pick(rng)
    contact_id = context.codecs.contact.make(index)
    record: JsonRecord = {"id": contact_id, "object": "contact", "category": category}
    record.update(_names(rng, category, context.anchor_ms))
    sub_ids = _SubIds(context, index)
    record["phoneNumbers"] = _phones(rng, sub_ids, category)
    record["emailAddresses"] = _emails(rng, sub_ids, record)
    record["faxNumbers"] = _faxes(rng, sub_ids, category)
    record["displayName"] = display_name(record)
    record.update(_fields(rng, references, sub_ids))
    record["integrationLinks"] = _integration_links(rng, contact_id)
    record.update(_flags(rng, references, category))
    record["created"] = rfc3339(created_ms)
    record["apiURL"] = context.api_url(f"contacts/{contact_id}")
    record["appURL"] = context.app_url(f"contact/{contact_id}")
    return record


class _SubIds:
    """Ids of a contact's phones, e-mails and fields, unique across the organization."""

    def __init__(self, context: OrgContext, index: int) -> None:
        self._context = context
        self._next = index * SUB_IDS_PER_CONTACT

    def entity_contact(self) -> str:
        self._next += 1
        return self._context.codecs.entity_contact.make(self._next)

    def custom_field(self) -> str:
        self._next += 1
        return self._context.codecs.custom_field.make(self._next)


def _names(rng: Random, category: str, anchor_ms: int) -> JsonRecord:
    given, family = person_name(rng)
    if category == "clinic":
        return {"companyName": rng.choice(COMPANIES), "gender": "unknown"}
    if category == "unknown":
        return {"gender": "unknown"}
    names: JsonRecord = {"givenName": given, "familyName": family}
    if rng.random() < 0.3:
        names["middleName"] = rng.choice(MIDDLE_NAMES)
    if category == "professional":
        names["companyName"] = rng.choice(COMPANIES)
    names.update(_gender(rng))
    if category == "patient" and rng.random() < 0.9:
        age_days = rng.randrange(1, 95 * 365)
        names["dateOfBirth"] = rfc3339_date(anchor_ms - age_days * DAY_MS)
    return names


def _gender(rng: Random) -> JsonRecord:
    gender = GENDERS.pick(rng)
    details: JsonRecord = {"gender": gender}
    if gender == "other":
        details["genderDetail"] = rng.choice(GENDER_DETAILS)
    if rng.random() < 0.3:
        details["pronouns"] = rng.choice(PRONOUNS)
    return details


def _phones(rng: Random, sub_ids: _SubIds, category: str) -> list[JsonRecord]:
    count = 1 if category == "unknown" else PHONE_COUNTS.pick(rng)
    phones = []
    for label in ("Cell", "Home")[:count]:
        value, display = phone_number(rng)
        phone: JsonRecord = {"id": sub_ids.entity_contact(), "value": value,
                             "displayValue": display}
        if rng.random() < 0.8:
            phone["label"] = label
        phones.append(phone)
    return phones


def _emails(rng: Random, sub_ids: _SubIds, record: JsonRecord) -> list[JsonRecord]:
    if record["category"] == "unknown" or rng.random() < 0.4:
        return []
    local = ascii_slug(str(record.get("givenName") or record.get("companyName", "")))
    domain = rng.choice(("example.com", "mail.example.org", "clinic.example.net"))
    email: JsonRecord = {"id": sub_ids.entity_contact(),
                         "value": f"{local}{rng.randrange(1000)}@{domain}"}
    if rng.random() < 0.5:
        email["label"] = rng.choice(("Personal", "Work"))
    return [email]


def _faxes(rng: Random, sub_ids: _SubIds, category: str) -> list[JsonRecord]:
    if category not in ("professional", "clinic") or rng.random() < 0.3:
        return []
    value, display = phone_number(rng)
    return [{"id": sub_ids.entity_contact(), "value": value, "displayValue": display,
             "label": "Fax"}]


def display_name(record: JsonRecord) -> str:
    # Spruce: names if any, else the company, else the phone number or the e-mail.
    parts = [record.get(key) for key in ("givenName", "middleName", "familyName")]
    name = " ".join(str(part) for part in parts if part)
    if name:
        return name
    if record.get("companyName"):
        return str(record["companyName"])
    if record["phoneNumbers"]:
        return str(record["phoneNumbers"][0]["displayValue"])
    if record["emailAddresses"]:
        return str(record["emailAddresses"][0]["value"])
    return "Unknown contact"


def _fields(rng: Random, references: ContactReferences, sub_ids: _SubIds) -> JsonRecord:
    tags = rng.sample(references.contact_tags, TAG_COUNTS.pick(rng))
    custom = [
        {"id": sub_ids.custom_field(), "name": "Notes", "value": rng.choice(FIELD_VALUES)}
        for _ in range(CUSTOM_FIELD_COUNTS.pick(rng))
    ]
    organization_fields = [
        {"id": field["id"], "name": field["name"], "value": rng.choice(FIELD_VALUES)}
        for field in references.contact_fields
        if rng.random() < 0.35
    ]
    return {
        "tags": sorted(tags, key=lambda tag: str(tag["id"])),
        "customContactFields": custom,
        # Required by the schema but not described; it mirrors customContactFields.
        "customFields": [dict(field) for field in custom],
        "organizationContactFields": organization_fields,
    }


def _integration_links(rng: Random, contact_id: str) -> list[JsonRecord]:
    if rng.random() < 0.7:
        return []
    kind = rng.choice(INTEGRATION_TYPES)
    external_id = f"{kind}_{rng.randrange(10**11, 10**12)}"
    link: JsonRecord = {"type": kind, "externalId": external_id, "contactId": contact_id}
    if kind == "custom":
        link["url"] = f"https://ehr.example.com/patients/{external_id}"
    return [link]


def _flags(rng: Random, references: ContactReferences, category: str) -> JsonRecord:
    has_account = category == "patient" and rng.random() < 0.4
    members = rng.sample(references.teammate_ids, 1) if rng.random() < 0.1 else []
    return {
        "hasAccount": has_account,
        "hasPendingInvite": not has_account and category == "patient" and rng.random() < 0.1,
        "canDelete": True,
        "canEdit": True,
        "internalMemberIds": members,
    }
