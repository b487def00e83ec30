"""Changes to contacts: new, edited, deleted, merged."""

from __future__ import annotations

from simulator.contract import JsonRecord
from simulator.data.change_context import ChangeRun
from simulator.data.contact_records import display_name, phone_number
from simulator.data.text import FAMILY_NAMES, FIELD_VALUES, PRONOUNS


def new_contacts(run: ChangeRun, count: int) -> None:
    contacts = run.world.contacts
    for _ in range(count):
        index = contacts.append(run.now_ms)
        run.note("contacts", "created", contacts.new_id(index))
        run.emit("contact.created", contacts.record(index))


def edited_contacts(run: ChangeRun, count: int) -> None:
    for _ in range(count):
        index = run.live_contact()
        if index is None:
            return
        run.world.contacts.replace(index, _edited(run, dict(run.world.contacts.stored(index))))
        run.note("contacts", "edited", run.world.contacts.new_id(index))
        run.emit("contact.updated", run.world.contacts.record(index))


def _edited(run: ChangeRun, record: JsonRecord) -> JsonRecord:
    """One realistic edit: a name, a tag, a phone number or a field value."""
    reference = run.world.reference
    edit = run.rng.randrange(4)
    if edit == 0 or not record.get("familyName"):
        record["familyName"] = run.rng.choice(FAMILY_NAMES) + "-" + run.rng.choice(FAMILY_NAMES)
    elif edit == 1 and reference.contact_tags:
        tag = run.rng.choice(reference.contact_tags)
        others = [other for other in record["tags"] if other["id"] != tag["id"]]
        record["tags"] = sorted([*others, tag], key=lambda entry: str(entry["id"]))
    elif edit == 2 and record["phoneNumbers"]:
        value, display = phone_number(run.rng)
        record["phoneNumbers"] = [{**record["phoneNumbers"][0], "value": value,
                                   "displayValue": display}, *record["phoneNumbers"][1:]]
    else:
        record["pronouns"] = run.rng.choice(PRONOUNS)
        record["organizationContactFields"] = [
            {**entry, "value": run.rng.choice(FIELD_VALUES)}
            for entry in record["organizationContactFields"]
        ]
    record["displayName"] = display_name(record)
    return record


def deleted_contacts(run: ChangeRun, count: int) -> None:
    for _ in range(count):
        index = run.live_contact()
        if index is None:
            return
        record = run.world.contacts.record(index)
        run.world.contacts.delete(index)
        run.note("contacts", "deleted", record["id"])
        run.emit("contact.deleted", record)


def merged_contacts(run: ChangeRun, count: int) -> None:
    """Merge a contact (the loser, which disappears) into another (the winner)."""
    contacts = run.world.contacts
    for _ in range(count):
        loser, winner = run.live_contact(), run.live_contact()
        if loser is None or winner is None or loser == winner:
            continue
        merged = dict(contacts.stored(winner))
        gone = contacts.stored(loser)
        for key in ("phoneNumbers", "emailAddresses", "faxNumbers"):
            merged[key] = [*merged[key], *gone[key]]
        contacts.replace(winner, merged)
        contacts.delete(loser)
        run.note("contacts", "merged", {"from": gone["id"], "into": merged["id"]})
        run.emit("contact.merged", contacts.record(winner), mergedContactIds=[gone["id"]])
