"""Changes to contacts: new, edited, deleted, merged."""

from __future__ import annotations

from collections.abc import Callable

from simulator.contract import JsonRecord
from simulator.data.change_context import ChangeRun
from simulator.data.contact_records import display_name, phone_number
from simulator.data.text import FAMILY_NAMES, FIELD_VALUES, PRONOUNS
from simulator.data.weighted import pick


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
    """One realistic edit, chosen at random: a name, a tag, a phone number or fields."""
    edit = EDITS[run.rng.randrange(len(EDITS))]
    if not record.get("familyName"):
        edit = _rename
    edit(run, record)
    record["displayName"] = display_name(record)
    return record


def _rename(run: ChangeRun, record: JsonRecord) -> None:
    # A double-barrelled family name after a marriage: the commonest edit.
    record["familyName"] = f"{pick(run.rng, FAMILY_NAMES)}-{pick(run.rng, FAMILY_NAMES)}"


def _retag(run: ChangeRun, record: JsonRecord) -> None:
    tags = run.world.reference.contact_tags
    if tags:
        tag = pick(run.rng, tags)
        others = [other for other in record["tags"] if other["id"] != tag["id"]]
        record["tags"] = sorted([*others, tag], key=lambda entry: str(entry["id"]))


def _refield(run: ChangeRun, record: JsonRecord) -> None:
    record["pronouns"] = pick(run.rng, PRONOUNS)
    record["organizationContactFields"] = [
        {**entry, "value": pick(run.rng, FIELD_VALUES)}
        for entry in record["organizationContactFields"]
    ]


def _renumber(run: ChangeRun, record: JsonRecord) -> None:
    phones = record["phoneNumbers"]
    if not phones:
        _refield(run, record)
        return
    value, display = phone_number(run.rng)
    record["phoneNumbers"] = [{**phones[0], "value": value, "displayValue": display},
                              *phones[1:]]


EDITS: tuple[Callable[[ChangeRun, JsonRecord], None], ...] = (_rename, _retag, _renumber,
                                                              _refield)


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
