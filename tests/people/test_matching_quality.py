"""Matching quality on a small synthetic data set whose truth is known
(bench/matching_quality.py, run in-process on the test database)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "matching_quality.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("matching_quality", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_importing_a_synthetic_authority_never_puts_two_children_in_one_record(db, tmp_path):
    bench = load_bench()
    bench.generate_data(tmp_path, children=150, years=1, seed=7, authority="886", end=dt.date(2025, 4, 1))

    figures = bench.import_and_score(tmp_path, authority="886")

    assert figures["rows_scored"] > 100
    assert figures["false_merges"] == 0
    assert figures["rows"]["precision"] >= 0.99
    assert figures["by_report"]["precision"] >= 0.99
