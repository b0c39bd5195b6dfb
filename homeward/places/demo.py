"""The places part of `homeward demo`: the SYNTHETIC postcode directory and
the places of the demo's episodes.

Call after the demo's notifications are imported:

    from homeward.places.demo import load_demo_places
    load_demo_places(out)

`out` is anything with a `write(str)` method (the demo's output). Loading
is idempotent: the postcode file is an upsert, and the places are rebuilt
(`places_sync`).
"""

from __future__ import annotations

from pathlib import Path

SYNTHETIC_POSTCODES = Path(__file__).resolve().parent / "data" / "synthetic-postcodes.csv"


def load_demo_places(out=None) -> None:
    from django.utils import timezone

    from .directory import postcodes_load
    from .freshness import mark
    from .services import places_sync

    def say(text: str) -> None:
        if out is not None:
            out.write(text)

    say("Loading the synthetic postcode directory (not real ONS data)...")
    summary = postcodes_load(SYNTHETIC_POSTCODES, relocate=False)
    say(f"  {summary.loaded:,} postcodes in {summary.districts:,} districts")
    say("Recording the places children went missing from and were found...")
    started = timezone.now()
    result = places_sync()
    mark(started)
    say(f"  {result.places:,} places from {result.episodes:,} episodes")
