"""How long the police briefing takes: the panel of what is known, the
briefing, its PDF, and checking a photo.

Builds a database with one looked-after child placed in a children's home,
with a full Philomena profile (every list at its 30-line limit, a photo),
N earlier episodes (each found somewhere: a tenth of them at the same
station) and a completed return interview with shared findings, places and
people after each of the last 20, then an open episode. Then it times, as a
Kent police officer:

* the panel (`known_about`): what the episode page gathers while the child is
  missing;
* the briefing (`briefing_get`): the panel, the profile, the missing details
  and the previous episodes;
* the PDF (`briefing_pdf`): the HTML laid out by WeasyPrint;
* checking and re-encoding a 12-megapixel JPEG photo (`clean_photo`).

Each is run several times and the median (and the slowest) printed, with the
number of database queries of one run.

Run from the repository root::

    .venv/bin/python bench/briefing.py                      # SQLite, a temporary file, N=10 and N=200
    .venv/bin/python bench/briefing.py --episodes 50 --database-url postgres://postgres@127.0.0.1:5432/homeward_briefing

The PostgreSQL database must be empty or one this script made (it is migrated,
and the script's own rows are added under new names each run).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()


def timed(fn, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def pdf_pages(pdf: bytes) -> int:
    """The page count of a PDF WeasyPrint wrote (its page tree is in a
    compressed object stream)."""
    import re
    import zlib

    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        found = re.search(rb"/Type /Pages/Kids \[[^\]]*\]/Count (\d+)", data)
        if found:
            return int(found.group(1))
    return 0


def build(episodes: int, tag: str):
    from django.core.management import call_command
    from django.utils import timezone

    from homeward.access.models import Organisation
    from homeward.access.roles import OrganisationKind, Role
    from homeward.access.services import user_create
    from homeward.briefing.services import philomena_photo_upload, philomena_profile_update
    from homeward.episodes.models import Episode
    from homeward.episodes.services import episode_record_return, episode_report_missing
    from homeward.interviews.models import Interview
    from homeward.interviews.services import (
        Section, interview_add_person, interview_add_place, interview_record_completed, interview_record_findings,
        interview_record_offer, interviews_sync,
    )
    from homeward.people.models import Child
    from homeward.placements.models import Authority, Placement, Provider
    from homeward.placements.services import authorities_load_reference

    call_command("migrate", verbosity=0)
    if not Authority.objects.filter(code="886").exists():
        authorities_load_reference()
    kent = Authority.objects.get(code="886")
    council = Organisation.objects.create(name=f"Kent council {tag}", kind=OrganisationKind.COUNCIL, authority=kent)
    police_org = Organisation.objects.create(name=f"Kent police {tag}", kind=OrganisationKind.POLICE,
                                             police_force="kent")
    police_org.areas.add(kent)
    home_org = Organisation.objects.create(name=f"Home {tag}", kind=OrganisationKind.CARE_PROVIDER)
    provider = Provider.objects.create(name=f"Home {tag}", kind=Provider.Kind.CHILDREN_HOME, postcode="ME15 6AA",
                                       host_authority=kent, organisation=home_org)
    password = "bench-password-1234"
    officer = user_create(actor=None, username=f"mo-{tag}", password=password, organisation=council,
                          role=Role.MISSING_OFFICER)
    police = user_create(actor=None, username=f"police-{tag}", password=password, organisation=police_org,
                         role=Role.POLICE)
    staff = user_create(actor=None, username=f"staff-{tag}", password=password, organisation=home_org,
                        role=Role.CARE_STAFF)
    today = timezone.localdate()
    child = Child.objects.create(first_name="Bench", last_name=f"Child {tag}", dob=today - timedelta(days=15 * 365),
                                 sex="M", responsible_authority=kent)
    Placement.objects.create(child=child, responsible_authority=kent, host_authority=kent, provider=provider,
                             place_code="K2", start_date=today - timedelta(days=3 * 365))
    lines = [f"Line {n}: somewhere they go, a name, a number, ME{n % 20 + 1} {n % 9}AB" for n in range(30)]
    philomena_profile_update(actor=staff, child=child, height_cm=170, build="slim", hair="Short, brown",
                             eyes="Brown", distinguishing_marks="Scar on the chin " * 20,
                             friends_and_associates=lines, addresses=lines, places_frequented=lines,
                             phones_and_social_media=lines, medication="Inhaler " * 50,
                             medical_conditions="Asthma " * 50, transport="Buses " * 50)
    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (900, 1200), (120, 130, 150)).save(photo, format="JPEG")
    philomena_photo_upload(actor=staff, child=child, data=photo.getvalue())

    now = timezone.now().replace(second=0, microsecond=0)
    start = now - timedelta(days=2 * episodes + 5)
    for n in range(episodes):
        seen = start + timedelta(days=2 * n)
        episode = episode_report_missing(actor=officer, child=child, area_authority=kent, last_seen_at=seen,
                                         risk_level="medium", postcode="ME15 6AA")
        where = "Maidstone East station" if n % 10 == 0 else f"A friend's flat, street {n}"
        episode_record_return(actor=officer, episode=episode, returned_at=seen + timedelta(hours=10),
                              found_postcode="ME15 6AA" if n % 10 == 0 else f"ME{n % 20 + 1} {n % 9}XY",
                              found_where=where, found_by="Police")
        if n >= episodes - 20:
            interviews_sync(episode_ids=[episode.pk], now=seen + timedelta(hours=11))
            interview = Interview.objects.get(episode=episode)
            interview_record_offer(actor=officer, interview=interview, answer="accepted",
                                   offered_at=seen + timedelta(hours=12), now=seen + timedelta(hours=13))
            interview_record_completed(actor=officer, interview=interview, completed_at=seen + timedelta(hours=20),
                                       venue="The home", interviewer_name="A worker",
                                       now=seen + timedelta(hours=21))
            interview_record_findings(actor=officer, interview=interview, sections={
                "reasons": Section(codes=["boundaries_rules"], text="Rules"),
                "exploitation": Section(codes=["cce"], text="Older boys give him phones", shared=True),
                "actions": Section(codes=["social_worker"], text="Told", shared=True),
            })
            interview_add_place(actor=officer, interview=interview, text="Bus station", postcode="ME4 4AA",
                                kind="transport", shared=True)
            interview_add_person(actor=officer, interview=interview, name="Rico", approximate_age=19, shared=True)
    current = episode_report_missing(actor=officer, child=child, area_authority=kent,
                                     last_seen_at=now - timedelta(hours=3), risk_level="high", postcode="ME15 6AA")
    assert Episode.objects.filter(child=child).count() == episodes + 1
    return police, child, current


def bench(episodes: int, runs: int) -> dict:
    from homeward.briefing import document
    from homeward.briefing.photos import clean_photo
    from homeward.briefing.selectors import briefing_get, known_about

    tag = f"{episodes}-{int(time.time())}"
    started = time.perf_counter()
    police, child, episode = build(episodes, tag)
    built = time.perf_counter() - started

    panel_ms, panel_max, known = timed(lambda: known_about(police, child, episode=episode), runs)
    briefing_ms, briefing_max, briefing = timed(lambda: briefing_get(actor=police, episode_pk=episode.pk), runs)
    pdf_ms, pdf_max, printed = timed(lambda: document.briefing_pdf(briefing), max(3, runs // 4))

    from PIL import Image

    big = io.BytesIO()
    Image.effect_mandelbrot((4000, 3000), (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB").save(big, format="JPEG",
                                                                                        quality=92)
    photo_ms, photo_max, cleaned = timed(lambda: clean_photo(big.getvalue()), 3)
    return {
        "episodes": episodes,
        "build_seconds": round(built, 1),
        "panel_ms": round(panel_ms, 1), "panel_max_ms": round(panel_max, 1),
        "panel_queries": queries(lambda: known_about(police, child, episode=episode)),
        "panel_items": sum(len(s.items) for s in known.sections),
        "briefing_ms": round(briefing_ms, 1), "briefing_max_ms": round(briefing_max, 1),
        "briefing_queries": queries(lambda: briefing_get(actor=police, episode_pk=episode.pk)),
        "pdf_ms": round(pdf_ms, 1), "pdf_max_ms": round(pdf_max, 1), "pdf_bytes": len(printed.pdf),
        "pdf_pages": pdf_pages(printed.pdf),
        "photo_in_bytes": len(big.getvalue()), "photo_ms": round(photo_ms, 1), "photo_out_bytes": len(cleaned.data),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, action="append",
                        help="earlier episodes of the child (repeatable; default 10 and 200)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="homeward-bench-briefing-") as tmp:
        setup_django(args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        from django.db import connection

        results = [bench(n, args.runs) for n in (args.episodes or [10, 200])]
        if args.json:
            print(json.dumps(results, indent=2))
            return
        print(f"database: {connection.vendor}; runs: {args.runs}; cpus: {os.cpu_count()}")
        for r in results:
            print(f"\nchild with {r['episodes']} earlier episodes (database built in {r['build_seconds']} s)")
            print(f"  panel (known_about)   median {r['panel_ms']:8.1f} ms  max {r['panel_max_ms']:8.1f} ms  "
                  f"{r['panel_queries']} queries, {r['panel_items']} items")
            print(f"  briefing (page data)  median {r['briefing_ms']:8.1f} ms  max {r['briefing_max_ms']:8.1f} ms  "
                  f"{r['briefing_queries']} queries")
            print(f"  PDF (WeasyPrint)      median {r['pdf_ms']:8.1f} ms  max {r['pdf_max_ms']:8.1f} ms  "
                  f"{r['pdf_bytes']:,} bytes, {r['pdf_pages']} pages")
            print(f"  photo check, 12 MP JPEG of {r['photo_in_bytes']:,} bytes: median {r['photo_ms']:.1f} ms "
                  f"-> {r['photo_out_bytes']:,} bytes")


if __name__ == "__main__":
    main()
