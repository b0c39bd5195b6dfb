"""The demo data set: two authorities, one hosting children placed by the other,
synthetic children and episodes, and a demo user for every role in each.

Kent (886) hosts children placed by Southwark (210) and places some of its own
in Southwark, so cross-authority scope and rules can be seen.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from homeward.access.models import Organisation, User
from homeward.access.roles import OrganisationKind, Role
from homeward.access.services import user_create
from homeward.placements.models import Authority, Provider

DEMO_PASSWORD = "homeward-demo"


@dataclass(frozen=True)
class DemoAuthority:
    code: str
    slug: str
    council: str
    police: str
    police_slug: str
    children: int
    seed: int


AUTHORITIES = (
    DemoAuthority("886", "kent", "Kent County Council", "Kent Police", "kent", 700, 886),
    DemoAuthority("210", "southwark", "Southwark Council", "Metropolitan Police Service", "met", 350, 210),
)
COUNCIL_ROLES = (
    Role.MISSING_OFFICER, Role.SOCIAL_WORKER, Role.EXPLOITATION_OFFICER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER,
    Role.ANALYST, Role.AUDITOR, Role.ADMIN,
)
PROVIDER_KINDS = {
    "children_home": Provider.Kind.CHILDREN_HOME,
    "semi_independent": Provider.Kind.SEMI_INDEPENDENT,
    "fostering_agency": Provider.Kind.FOSTERING_AGENCY,
    "residential_school": Provider.Kind.RESIDENTIAL_SCHOOL,
    "secure": Provider.Kind.SECURE,
}


def demo_loaded() -> bool:
    return User.objects.filter(username=f"{AUTHORITIES[0].slug}.missing-officer").exists()


def username(a: DemoAuthority, role: str) -> str:
    return f"{a.slug}.{role.replace('_', '-')}"


def load_providers(path: Path) -> int:
    made = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            host = Authority.objects.filter(code=row.get("authority", "")).first()
            _, created = Provider.objects.update_or_create(
                urn=row["urn"],
                defaults={"name": row["name"], "kind": PROVIDER_KINDS.get(row.get("type", ""), Provider.Kind.OTHER),
                          "postcode": row.get("postcode", ""), "host_authority": host},
            )
            made += int(created)
    return made


def create_people(out) -> list[tuple[str, str, str]]:
    """Organisations and a user per role for each demo authority."""
    logins = []
    with transaction.atomic():
        for a in AUTHORITIES:
            authority = Authority.objects.get(code=a.code)
            if not authority.missing_contact_email:
                authority.missing_contact_email = f"missing-children@{a.slug}.example"
                authority.save(update_fields=["missing_contact_email"])
            council, _ = Organisation.objects.get_or_create(
                name=a.council, defaults={"kind": OrganisationKind.COUNCIL, "authority": authority})
            police, _ = Organisation.objects.get_or_create(
                name=a.police, defaults={"kind": OrganisationKind.POLICE, "police_force": a.police_slug})
            police.areas.add(authority)
            rhi, _ = Organisation.objects.get_or_create(
                name=f"{authority.name} Return Interview Service", defaults={"kind": OrganisationKind.RHI_PROVIDER})
            rhi.areas.add(authority)
            care, _ = Organisation.objects.get_or_create(
                name=f"{authority.name} Children's Homes Ltd", defaults={"kind": OrganisationKind.CARE_PROVIDER})
            Provider.objects.filter(host_authority=authority, kind__in=[Provider.Kind.CHILDREN_HOME, Provider.Kind.SEMI_INDEPENDENT],
                                    organisation__isnull=True).update(organisation=care)
            people = [(council, role) for role in COUNCIL_ROLES] + [
                (police, Role.POLICE), (rhi, Role.RHI_WORKER), (care, Role.CARE_STAFF)]
            for org, role in people:
                name = username(a, role)
                if not User.objects.filter(username=name).exists():
                    user_create(actor=None, username=name, password=DEMO_PASSWORD, organisation=org, role=role,
                                first_name=Role(role).label.split(" (")[0], last_name=f"({authority.name})")
                logins.append((name, Role(role).label, org.name))
    return logins


def load(out, *, scale: float = 1.0) -> None:
    """Generate and import the demo data set (idempotent: imports are)."""
    from homeward.episodes.importing import format_summary, import_notifications
    from homeward.placements.ssda903 import ssda903_import
    from homeward.synth.generator import generate

    with tempfile.TemporaryDirectory(prefix="homeward-demo-") as tmp:
        root = Path(tmp)
        for a in AUTHORITIES:
            others = [b.code for b in AUTHORITIES if b.code != a.code]
            out.write(f"Generating synthetic data for {a.council} ({a.code})...")
            generate(authority=a.code, children=max(20, int(a.children * scale)), years=2, seed=a.seed,
                     out_dir=root / a.code, neighbours=others, police_force=a.police_slug)
            load_providers(root / a.code / "providers.csv")
        for a in AUTHORITIES:
            authority = Authority.objects.get(code=a.code)
            ssda903_import(actor=None, authority=authority, header_path=root / a.code / "ssda903_header.csv",
                           episodes_path=root / a.code / "ssda903_episodes.csv")
            for ola in sorted((root / a.code / "ola").glob("*")):
                placing = Authority.objects.get(code=ola.name)
                ssda903_import(actor=None, authority=placing, header_path=ola / "ssda903_header.csv",
                               episodes_path=ola / "ssda903_episodes.csv")
        for a in AUTHORITIES:
            authority = Authority.objects.get(code=a.code)
            out.write(f"Importing {a.council}'s missing notifications...")
            summary, _ = import_notifications(actor=None, authority=authority, path=root / a.code / "notifications.csv")
            out.write("  " + format_summary(summary, f"{a.slug}-notifications.csv").splitlines()[0])
    from homeward.interviews.services import interviews_sync_all

    out.write("Working out the return home interviews due...")
    interviews_sync_all()
    if _installed("homeward.protocol"):
        from django.core.management import call_command

        out.write("Running the protocol's scheduled rules...")
        call_command("protocol", "run")


def _installed(app: str) -> bool:
    from django.apps import apps

    return apps.is_installed(app)
