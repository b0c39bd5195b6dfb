"""Synthetic people of concern and links for the demo data set.

`load_demo(out)` adds, for each demo authority (homeward/demo.py), a few
people of concern recorded by its exploitation officer and its police force,
linked to children who went missing together (so that the rules' links and
the people's links show up on the same children), to a place where one of
those children was found, and an alias, a phone number in Ofcom's range for
drama (07700 900000 to 900999, never a real line) and a car. Everything goes
through the services, so it is validated and audited like any other record.

Idempotent: an authority whose officer already recorded people of concern is
left alone. Deterministic: the same demo data gives the same people.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

# Clearly invented names and nicknames.
NAMES = [
    ("Dean Mills", "Deano"), ("Kyle Burrows", "K"), ("Tash Reeve", "Tash"), ("Marcus Doyle", "Big M"),
    ("Lee Sutton", "Sutty"), ("Jordan Vale", "JV"), ("Ryan Ashby", "Ash"), ("Carl Penrose", "Pen"),
]
CARS = ["black Audi A3", "silver Ford Transit van", "white BMW 1 Series", "grey Vauxhall Corsa",
        "red Seat Leon", "blue Ford Fiesta"]
LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # no I, Q or Z
NATURES = ["seen_with", "in_contact", "transported", "stayed_with", "gave_gifts", "suspected_exploitation"]


def _registration(rng: random.Random) -> str:
    return (f"{rng.choice(LETTERS)}{rng.choice(LETTERS)}{rng.choice(['19', '20', '21', '69', '70', '71'])} "
            f"{''.join(rng.choice(LETTERS) for _ in range(3))}")


def _clusters(actor, today: dt.date) -> list[list[tuple[int, dt.date]]]:
    """Children the actor sees who went missing or were found together in the
    last two years, in groups (largest first), each child with the day of a
    linked episode."""
    from homeward.access.scope import episodes_visible_to
    from homeward.episodes.rules import start_of_day

    from . import rules
    from .selectors import FACT_FIELDS, _facts

    since = start_of_day(today - dt.timedelta(days=730))
    facts = _facts(episodes_visible_to(actor).filter(started_at__gte=since).values(*FACT_FIELDS))
    links = rules.episode_links(facts, now=timezone.now())
    parent: dict[int, int] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    day: dict[int, dt.date] = {}
    for link in links:
        a, b = link.a.child_id, link.b.child_id
        parent[find(a)] = find(b)
        for e in (link.a, link.b):
            day.setdefault(e.child_id, timezone.localtime(e.started_at).date())
    groups = defaultdict(list)
    for child_id in day:
        groups[find(child_id)].append((child_id, day[child_id]))
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0][0]))


def load_demo(out=None, *, people_per_authority: int = 4, seed: int = 7) -> int:
    """Add the synthetic people of concern; returns how many were added."""
    from homeward.access.models import User
    from homeward.access.roles import Role
    from homeward.demo import AUTHORITIES, username

    from .models import PersonOfConcern

    write = (lambda text: out.write(text)) if out is not None else (lambda text: None)
    today = timezone.localdate()
    made = 0
    for n, a in enumerate(AUTHORITIES):
        officer = User.objects.filter(username=username(a, Role.EXPLOITATION_OFFICER)).first()
        police = User.objects.filter(username=username(a, Role.POLICE)).first()
        if officer is None or officer.organisation is None:
            continue
        if PersonOfConcern.objects.filter(organisation=officer.organisation).exists():
            continue
        with transaction.atomic():
            added = _authority(n, officer, police, rng=random.Random(seed * 1000 + n), today=today,
                               people=people_per_authority, force=a.police_slug)
        write(f"Added {added} synthetic people of concern for {a.council}." if added else
              f"No children went missing together in {a.council}'s data: no people of concern added.")
        made += added
    return made


def _authority(n: int, officer, police, *, rng: random.Random, today: dt.date, people: int, force: str) -> int:
    from homeward.access.scope import children_visible_to
    from homeward.people.models import Child
    from homeward.places.models import ChildPlace

    from .services import person_link_child, person_link_place, person_of_concern_create

    clusters = [c for c in _clusters(officer, today) if len(c) >= 2]
    births = dict(Child.objects.filter(pk__in={c for g in clusters for c, _ in g}).values_list("pk", "dob"))
    made = 0
    for i, group in enumerate(clusters[:people]):
        name, alias = NAMES[(n * people + i) % len(NAMES)]
        actor = officer
        if i % 2 and police is not None:
            # Every other person is the police's, when the police see the children.
            seen = set(children_visible_to(police).filter(pk__in=[c for c, _ in group])
                       .values_list("pk", flat=True))
            if len(seen) >= 2:
                actor, group = police, [(c, d) for c, d in group if c in seen]
        age = rng.randint(19, 34)
        person = person_of_concern_create(
            actor=actor, name=name, aliases=[alias], age_from=age, age_to=age + rng.choice([0, 3, 5]),
            description=rng.choice(["Tall, short dark hair", "Slim, tattoo on the left hand",
                                    "Stocky, often in a grey tracksuit", "Beard, glasses"]),
            phones=[f"07700 900{rng.randint(0, 999):03d}"],
            vehicles=[(_registration(rng), rng.choice(CARS))],
            notes="Synthetic demo record.",
        )
        chosen = group[:rng.randint(2, min(4, len(group)))]
        for child_id, day in chosen:
            noted = max(min(day + dt.timedelta(days=rng.randint(0, 3)), today), births.get(child_id, day))
            source = f"police:{force.upper()}-{rng.randint(10000, 99999)}" if actor == police else "officer"
            person_link_child(actor=actor, person=person, child=Child.objects.get(pk=child_id),
                              nature=rng.choice(NATURES), source=source, noted_on=noted)
        found = (ChildPlace.objects.filter(child_id__in=[c for c, _ in chosen], role="found")
                 .select_related("place").order_by("-date", "pk").first())
        if found is not None:
            person_link_place(actor=actor, person=person, place=found.place, nature="seen_at", source="officer",
                              noted_on=min(found.date or today, today))
        made += 1
    return made
