"""The organization, its teammates and its teams (the members union, told apart by type)."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.contract import JsonRecord
from simulator.data.context import OrgContext
from simulator.data.settings import ORGANIZATION_NAME
from simulator.data.text import PROFESSIONAL_TITLES, TEAM_NAMES, ascii_slug, person_name


@dataclass(frozen=True)
class People:
    """Everyone inside the organization. ``team_members`` maps a team id to teammate ids."""

    organization: JsonRecord
    teammates: list[JsonRecord]
    teams: list[JsonRecord]
    team_members: dict[str, list[str]]

    @property
    def members(self) -> list[JsonRecord]:
        """The members listing: the organization, then teammates and teams, by id."""
        return sorted([self.organization, *self.teammates, *self.teams], key=_by_id)

    @property
    def teammate_ids(self) -> list[str]:
        return [teammate["id"] for teammate in self.teammates]


def _by_id(record: JsonRecord) -> str:
    return str(record["id"])


def generate_people(context: OrgContext) -> People:
    """The organization with the scale's teammates and teams."""
    organization = {
        "id": context.organization_id,
        "name": ORGANIZATION_NAME,
        "type": "organization",
        "object": "organization",
    }
    teammates = [_teammate(context, index) for index in range(context.scale.teammates)]
    teams = [_team(context, index) for index in range(context.scale.teams)]
    return People(organization, teammates, teams, _team_members(context, teams, teammates))


def _teammate(context: OrgContext, index: int) -> JsonRecord:
    rng = context.rng("teammate", index)
    given, family = person_name(rng)
    title = rng.choice(PROFESSIONAL_TITLES) if index % 3 == 0 else None
    display = f"{given} {family}" + (f", {title}" if title else "")
    return {
        "id": context.codecs.teammate.make(index),
        "displayName": display,
        "email": f"{ascii_slug(given)}.{ascii_slug(family)}{index}@cedarspruce.example",
        "isAdmin": index == 0,
        # A suspended teammate stays a member; one in twenty.
        "isSuspended": index % 20 == 19,
        "type": "teammate",
        "object": "teammate",
    }


def _team(context: OrgContext, index: int) -> JsonRecord:
    return {
        "id": context.codecs.team.make(index),
        "name": TEAM_NAMES[index % len(TEAM_NAMES)],
        "type": "team",
        "object": "team",
    }


def _team_members(
    context: OrgContext, teams: list[JsonRecord], teammates: list[JsonRecord]
) -> dict[str, list[str]]:
    members = {}
    for index, team in enumerate(teams):
        rng = context.rng("team-members", index)
        count = rng.randint(1, len(teammates))
        chosen = rng.sample([teammate["id"] for teammate in teammates], count)
        members[team["id"]] = sorted(chosen)
    return members
