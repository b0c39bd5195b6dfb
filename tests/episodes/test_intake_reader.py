"""Reading a file in a second process (importing.ReaderProcess) while the first
matches and writes, and the quick paths of reading a row (parsing.parse_row,
content_hash, raw_json): they give exactly what the one-process, fully checked
reading gives."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward import events
from homeward.access.models import AuditEvent
from homeward.episodes import importing
from homeward.episodes import intake as intake_module
from homeward.episodes import parsing
from homeward.episodes.importing import import_notifications
from homeward.episodes.models import Notification
from homeward.placements.models import Authority
from homeward.problems import Refused

from test_intake_batches import FIELDS, row, snapshot, state_after  # this folder is on the path (pytest)


@pytest.fixture
def kent(db):
    return Authority.objects.get(code="886")


def write_csv(path, rows, extra_lines=()):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = out.getvalue().encode() + b"".join(extra_lines)
    path.write_bytes(data)
    return path


@pytest.fixture
def synthetic_file(tmp_path):
    """A synthetic feed with rows of every kind of trouble added at its end."""
    from homeward.synth.generator import generate

    generate(authority="886", children=150, years=1, seed=11, out_dir=tmp_path / "synth")
    path = tmp_path / "synth" / "notifications.csv"
    with path.open("ab") as fh:
        fh.write(b"police:kent,BAD-1,,Amy,Stone,2010-13-01,F,home,missing,2024-05-01T20:00,,,,,,,,,\n")
        fh.write(b"police:kent,BAD-2,,Amy,Stone,2010-01-01,F,home,missing,2024-05-01T20:00,,,,,,,,gossip,\n")
        fh.write(b"police:kent,BAD-3,,Amy,Stone\xff,2010-01-01,F,home,missing,2024-05-01T20:00,,,,,,,,,\n")
        fh.write(b"police:kent,BAD-4,,Amy,Stone,2010-01-01\n")
        fh.write(b"police:kent,BAD-5,,Amy,Stone,2010-01-01,F,home,missing,2035-05-01T20:00,,,,,,,,,\n")
        fh.write(b'police:kent,Q-1,,"Amy ""Mo""",Stone,2010-01-01,F,home,missing,2024-05-01T20:00,,,,,,,,,"a note\n'
                 b'over two lines"\n')
    return path


def imported(kent, path, **kw):
    """The records, the summary and the chunks' audit events an import leaves (then undone)."""
    out = {}

    def action():
        before = AuditEvent.objects.count()
        summary, _ = import_notifications(actor=None, authority=kent, path=path, **kw)
        out["summary"] = summary.as_dict()
        out["audit"] = [(e.summary, {k: v for k, v in e.payload.items() if k != "batch"})
                        for e in AuditEvent.objects.order_by("pk")[before:]]
        out["stored"] = sorted(Notification.objects.values_list("source", "source_ref", "content_hash", "raw", "line"))

    out["state"] = state_after(action)
    return out


def test_a_file_read_in_a_second_process_gives_the_same_records_summary_and_audit(kent, synthetic_file):
    in_process = imported(kent, synthetic_file, reader=False, chunk_rows=37)
    assert len(in_process["summary"]["rejected"]) >= 5 and in_process["state"]["episodes"]
    assert in_process["state"]["reviews"] and in_process["state"]["aliases"]
    assert imported(kent, synthetic_file, reader=True, chunk_rows=37) == in_process
    assert imported(kent, synthetic_file, reader=True, chunk_rows=100_000) == imported(
        kent, synthetic_file, reader=False, chunk_rows=100_000)


def test_a_json_lines_file_read_in_a_second_process_gives_the_same(kent, tmp_path):
    lines = [
        json.dumps(row("J-1", notes="café ☕ \u2028 \"quoted\"")),
        json.dumps(row("J-2", first_name="Bo", dob="2011-02-02") | {"extra": 7, "score": 1.5}),
        json.dumps(row("J-1", returned_at="2024-05-02T08:00")),
        "[1, 2]",
        json.dumps(row("J-3", sex="X")),
        json.dumps(row("J-4", source_ref=12345, first_name="Cy")),
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    in_process = imported(kent, path, reader=False, chunk_rows=2)
    assert [e["line"] for e in in_process["summary"]["rejected"]] == [4, 5]
    assert in_process["summary"]["created"] == 3
    assert imported(kent, path, reader=True, chunk_rows=2) == in_process


def test_a_file_the_reader_refuses_as_a_whole_is_refused_as_in_one_process(kent, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("source,source_ref,first_name\npolice:kent,K-1,Amy\n", encoding="utf-8")
    messages = []
    for reader in (False, True):
        with pytest.raises(Refused) as refused:
            import_notifications(actor=None, authority=kent, path=path, reader=reader)
        messages.append([(p.field, p.message) for p in refused.value.problems])
    assert messages[0] == messages[1]
    assert "lacks the required column(s) last_name, dob, last_seen_at" in messages[0][0][1]


def test_a_large_file_is_read_in_a_second_process_which_is_gone_after_the_import(kent, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "feed.csv", [row("K-1"), row("K-2", first_name="Bo", dob="2011-02-02")])
    readers = []
    real = importing.ReaderProcess

    class Watched(real):
        def __init__(self, *args):
            super().__init__(*args)
            readers.append(self)

    monkeypatch.setattr(importing, "ReaderProcess", Watched)
    monkeypatch.setattr(importing, "READER_MIN_BYTES", path.stat().st_size + 1)
    import_notifications(actor=None, authority=kent, path=path)
    assert readers == []  # a small file is read in this process
    monkeypatch.setattr(importing, "READER_MIN_BYTES", path.stat().st_size)
    summary, _ = import_notifications(actor=None, authority=kent, path=path)
    assert len(readers) == 1 and readers[0].proc.returncode is not None
    assert summary.unchanged == 2  # the same rows again: stored already


def test_an_import_stopped_half_way_stops_its_reader(kent, synthetic_file, monkeypatch):
    readers = []
    real = importing.ReaderProcess

    class Watched(real):
        def __init__(self, *args):
            super().__init__(*args)
            readers.append(self)

    apply = intake_module.Intake.apply
    calls = []

    def crashing(self, items):
        calls.append(len(items))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return apply(self, items)

    monkeypatch.setattr(importing, "ReaderProcess", Watched)
    monkeypatch.setattr(intake_module.Intake, "apply", crashing)
    with pytest.raises(KeyboardInterrupt):
        import_notifications(actor=None, authority=kent, path=synthetic_file, reader=True, chunk_rows=10)
    assert readers[0].proc.returncode is not None
    assert 0 < Notification.objects.count() <= 10


def test_a_reader_that_fails_stops_the_import_with_its_reason(kent, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "feed.csv", [row("K-1")])
    monkeypatch.setattr(importing.sys, "executable", "/bin/false")  # a reader that exits at once, saying nothing
    with pytest.raises(RuntimeError, match="the notification reader stopped: exit status 1"):
        import_notifications(actor=None, authority=kent, path=path, reader=True)
    assert Notification.objects.count() == 0


# --- a chunk's episode events ------------------------------------------------------


def test_a_bulk_chunk_is_left_whole_to_the_scheduled_catch_up(kent, tmp_path, monkeypatch):
    heard = []
    monkeypatch.setattr(intake_module, "PUBLISH_EVENTS", True)
    monkeypatch.setattr(events, "publish", lambda name, *, episode_ids, actor=None: heard.append((name, episode_ids)))
    monkeypatch.setattr(events, "BULK", 2)
    rows = [row("K-1", returned_at="2024-05-02T08:00"), row("K-2", first_name="Bo", dob="2011-02-02"),
            row("K-3", first_name="Cy", dob="2012-03-03")]
    import_notifications(actor=None, authority=kent, path=write_csv(tmp_path / "a.csv", rows), chunk_rows=10)
    assert heard == []  # three episodes started: more than BULK
    import_notifications(actor=None, authority=kent, path=write_csv(tmp_path / "b.csv", [
        row("K-2", first_name="Bo", dob="2011-02-02", returned_at="2024-05-02T09:00"),
        row("K-4", first_name="Di", dob="2013-04-04")]), chunk_rows=10)
    assert [name for name, ids in heard] == ["episode.started", "episode.updated", "episode.returned"]
    assert [len(ids) for name, ids in heard] == [1, 1, 1]


# --- the quick paths of reading a row -------------------------------------------------


def _canonical_json_hash(row):
    canonical = json.dumps({k: ("" if v is None else v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _outcome(parse, values):
    try:
        return parse(values)
    except Refused as exc:
        return [(p.field, p.message) for p in exc.problems]


TEXTS = {
    "source": st.sampled_from(["police:kent", " police:kent ", "", "x" * 201]),
    "source_ref": st.sampled_from(["K-1", "", "  ", "K-\u00e9"]),
    "first_name": st.sampled_from(["Amy", " Zo\u00eb ", "", "A" * 200, "A" * 201]),
    "last_name": st.sampled_from(["Stone", "O'Brien-Smith", ""]),
    "dob": st.sampled_from(["2010-01-01", " 2010-01-01", "2010-1-01", "2010-13-01", "2010-02-30",
                            "\u0662\u0660\u0661\u0660-01-01", "20100101", "", "2030-01-01"]),
    "sex": st.sampled_from(["", "M", "f", "X", " m "]),
    "missing_from": st.sampled_from(["", "home", "CARE", "school"]),
    "category": st.sampled_from(["", "missing", "Absent", "away"]),
    "last_seen_at": st.sampled_from(["2024-05-01T20:00", "2024-05-01T20:00Z", "2024-03-31T01:30",
                                     "2024-10-27T01:30", "2024-05-01T20:00:00.5+02:00", "2009-12-31T23:00",
                                     "2024-05-01 20:00", "1 May 2024", "", "2024-05-01T25:00"]),
    "reported_at": st.sampled_from(["", "2024-05-01T21:00", "2024-05-01T19:00", "nonsense"]),
    "returned_at": st.sampled_from(["", "2024-05-02T08:00", "2024-05-01T19:59", "2024-05-02"]),
    "risk_level": st.sampled_from(["", "high", "Medium", "no_apparent_risk", "extreme"]),
    "postcode": st.sampled_from(["", "ct1 1aa", "CT11AA", " SW1A 1AA ", "NFA", "CT1"]),
    "found_postcode": st.sampled_from(["", "ME4 4QU", "12345"]),
    "provider_urn": st.sampled_from(["", "sc123456", " SC1 "]),
    "responsible_authority": st.sampled_from(["", "886", "88", "\u0668\u0668\u0666", "abc"]),
    "flags": st.sampled_from(["", "cse", "CSE; cce", "cse;cse", "cse;gossip", ";;"]),
    "notes": st.sampled_from(["", "n" * 4000, "n" * 4001, "line\nbreak"]),
    "child_ref": st.sampled_from(["", "K298758"]),
}
ODD_VALUES = st.one_of(st.none(), st.integers(-5, 5), st.floats(allow_nan=False, width=16), st.booleans(),
                       st.lists(st.integers(), max_size=2), st.text(max_size=5))


@st.composite
def rows(draw):
    values = {name: draw(texts) for name, texts in TEXTS.items() if draw(st.booleans()) or name in parsing.REQUIRED}
    if draw(st.integers(0, 4)) == 0:  # a value of another type, or a column the contract does not know
        values[draw(st.sampled_from([*TEXTS, "extra"]))] = draw(ODD_VALUES)
    return values


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=rows())
def test_the_quick_reading_of_a_row_gives_what_the_full_checks_give(values):
    assert _outcome(parsing.parse_row, values) == _outcome(parsing.parse_row_checked, values)
    assert parsing.content_hash(values) == _canonical_json_hash(values)
    assert parsing.raw_json(values) == json.dumps(values)


def test_the_quick_reading_of_the_synthetic_feed_gives_what_the_full_checks_give(synthetic_file):
    with synthetic_file.open("rb") as stream:
        for _, values in parsing.read_rows(stream, "csv"):
            if isinstance(values, parsing.RowError):
                continue
            assert _outcome(parsing.parse_row, values) == _outcome(parsing.parse_row_checked, values)
            assert parsing.content_hash(values) == _canonical_json_hash(values)
            assert parsing.raw_json(values) == json.dumps(values)


def test_a_row_prepared_by_the_reader_is_the_row_parse_row_reads():
    values = row("K-1", flags="cse;cce", returned_at="2024-05-02T08:00", postcode="ct1 1aa")
    fields, digest, stored = parsing.prepare(values)
    assert parsing.parsed_from(fields, values) == parsing.parse_row(values)
    assert (digest, json.loads(stored)) == (_canonical_json_hash(values), values)
    assert parsing.prepare(row("K-2", sex="X")) == [("sex", "'X' must be M, F or blank")]


def test_records_read_by_the_second_process_are_stored_as_in_one(kent, tmp_path):
    """The raw JSON the reader makes is what the database layer would write."""
    path = write_csv(tmp_path / "feed.csv", [row("K-1", notes="Zoë said \"bye\"\\ \u2028")])
    stored = {}
    for reader in (False, True):
        stored[reader] = state_after(lambda: (
            import_notifications(actor=None, authority=kent, path=path, reader=reader),
            stored.setdefault(f"raw{reader}", list(Notification.objects.values_list("raw", flat=True)))))
    assert stored[True] == stored[False]
    assert stored["rawTrue"] == stored["rawFalse"]
    assert stored["rawTrue"][0]["notes"] == "Zoë said \"bye\"\\ \u2028"
