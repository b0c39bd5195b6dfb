"""The key figures as JSON, CSV and HTML, each figure with its definition, and
small-number suppression for published output."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest

from homeward.reporting.definitions import DEFINITIONS
from homeward.reporting.render import apply_suppression, figure_rows, render, render_csv, render_html, render_json


def sample() -> dict:
    return {
        "authority": "886", "from": "2024-04-01", "to": "2025-04-01",
        "episodes": {"total": 12, "from_home": 7, "from_care": 5, "absent": 1, "open_at_end": 0},
        "children": {"total": 6, "from_home": 4, "from_care": 2},
        "children_by_episode_count": {"1": 3, "2": 1, "3": 0, "7": 1},
        "duration_hours": {"median": 4.5, "under_24": 9, "24_to_72": 2, "72_to_168": 1, "over_168": 0},
        "episodes_by_month": {"2024-04": 0, "2024-05": 12},
        "return_interviews": {"required": 10, "offered": 0, "offered_in_time": 0, "completed": 0,
                              "completed_in_time": 0, "declined": 0, "not_required": 2},
        "repeat": {"three_in_ninety_children": 1, "monthly_multiple_children": 0},
        "placements": {"placed_in_episodes": 3, "placed_in_children": 2, "own_placed_out_episodes": 0,
                       "own_placed_out_children": 0},
        "looked_after": {"children": 40, "went_missing": 2, "went_missing_percent": 5.0, "episodes": 5,
                         "episodes_per_child": 0.12},
        "notes": ["A note."],
        "definitions": dict(DEFINITIONS),
    }


# --- suppression ----------------------------------------------------------------------


def test_suppression_replaces_counts_from_1_to_n_minus_1_and_keeps_0_and_n_or_more():
    out = apply_suppression(sample(), 5)
    assert out["episodes"] == {"total": 12, "from_home": 7, "from_care": 5, "absent": "<5", "open_at_end": 0}
    assert out["children"] == {"total": 6, "from_home": "<5", "from_care": "<5"}
    assert out["children_by_episode_count"] == {"1": "<5", "2": "<5", "3": 0, "7": "<5"}
    assert out["episodes_by_month"] == {"2024-04": 0, "2024-05": 12}
    assert out["return_interviews"]["required"] == 10 and out["return_interviews"]["not_required"] == "<5"


def test_suppression_keeps_the_period_and_the_median_and_says_so():
    out = apply_suppression(sample(), 5)
    assert (out["authority"], out["from"], out["to"]) == ("886", "2024-04-01", "2025-04-01")
    assert out["duration_hours"]["median"] == 4.5
    assert out["suppression"]["threshold"] == 5
    assert '"<5"' in out["suppression"]["rule"] and "1 to 4" in out["suppression"]["rule"]


def test_rates_computed_from_a_suppressed_count_are_withheld_with_a_note():
    out = apply_suppression(sample(), 5)
    # went_missing 2 is withheld, so its percentage is; episodes 5 and children 40 are not
    assert out["looked_after"]["went_missing"] == "<5"
    assert out["looked_after"]["went_missing_percent"] is None
    assert out["looked_after"]["episodes_per_child"] == 0.12
    assert any("looked_after.went_missing_percent" in note for note in out["notes"])


def test_suppression_does_not_change_the_figures_it_was_given():
    figures = sample()
    before = copy.deepcopy(figures)
    apply_suppression(figures, 10)
    assert figures == before


def test_suppression_threshold_of_1_is_refused():
    with pytest.raises(ValueError):
        apply_suppression(sample(), 1)


def test_suppressed_output_renders_the_marker_in_every_format():
    out = apply_suppression(sample(), 5)
    assert json.loads(render_json(out))["children"]["from_care"] == "<5"
    rows = {r["figure"]: r for r in csv.DictReader(io.StringIO(render_csv(out)))}
    assert rows["children.from_care"]["value"] == "<5"
    assert rows["suppression.threshold"]["value"] == "5"
    assert "&lt;5" in render_html(out, authority_name="Kent") and "Small numbers suppressed" in render_html(out)


# --- formats --------------------------------------------------------------------------


def test_json_is_the_figures_dict():
    assert json.loads(render(sample(), "json")) == sample()


def test_csv_has_one_row_per_figure_with_its_definition():
    text = render(sample(), "csv")
    assert text.splitlines()[0] == "figure,value,definition"
    rows = list(csv.DictReader(io.StringIO(text)))
    by_figure = {r["figure"]: r for r in rows}
    for key, value in figure_rows(sample()):
        row = by_figure[key]
        assert row["value"] == ("" if value is None else str(value))
        assert row["definition"]
    assert by_figure["episodes.total"]["definition"] == DEFINITIONS["episodes.total"]
    assert by_figure["episodes_by_month.2024-05"]["definition"] == DEFINITIONS["episodes_by_month"]
    assert by_figure["children_by_episode_count.7"]["value"] == "1"
    assert by_figure["duration_hours.median"]["value"] == "4.5"
    assert (by_figure["authority"]["value"], by_figure["from"]["value"], by_figure["to"]["value"]) == (
        "886", "2024-04-01", "2025-04-01")
    assert [r["value"] for r in rows if r["figure"] == "note"] == ["A note."]


def test_csv_leaves_an_empty_rate_empty():
    figures = sample()
    figures["duration_hours"]["median"] = None
    rows = {r["figure"]: r for r in csv.DictReader(io.StringIO(render_csv(figures)))}
    assert rows["duration_hours.median"]["value"] == ""


def test_html_is_a_standalone_page_with_a_table_per_group_and_definitions_beside_figures():
    page = render(sample(), "html", authority_name="Kent")
    assert page.lstrip().startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<link" not in page and "<script" not in page  # nothing to fetch
    assert "Key figures: Kent (886)" in page and "1 April 2024 to 31 March 2025" in page
    for group in ("episodes", "children", "children_by_episode_count", "duration_hours", "episodes_by_month",
                  "return_interviews", "repeat", "placements", "looked_after"):
        assert f'<table id="{group}">' in page
    row = page[page.index('data-figure="episodes.total"'):]
    row = row[: row.index("</tr>")]
    assert ">12<" in row and "several reports of one episode count once" in row
    assert "May 2024" in page and "A note." in page


def test_html_escapes_what_it_prints():
    figures = sample()
    figures["notes"] = ["<script>alert(1)</script>"]
    page = render_html(figures, authority_name="<b>Kent</b>")
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "&lt;b&gt;Kent" in page


def test_html_for_all_authorities_says_so():
    figures = sample()
    figures["authority"] = "all"
    assert "Key figures: All authorities" in render_html(figures)


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        render(sample(), "xml")
