"""`homeward export annex-a-missing` and `export ssd-missing`: one row per
episode of the authority in the period, reconciling with `report kpis` for
the same authority and period; the command's options, file, audit and
refusals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from homeward.access.models import AuditEvent
from homeward.cli import main
from homeward.episodes.models import Episode
from homeward.interviews.models import Interview
from homeward.interviews.services import interview_record_completed, interview_record_offer, interviews_sync
from homeward.people.models import Child, ChildFlag, ChildIdentifier
from homeward.placements.models import Authority
from homeward.reporting import annex_a, rules, ssd

from .helpers import figures, make_child, place, report

LONDON = ZoneInfo("Europe/London")
YEAR = ("2024-04-01", "2025-04-01")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def annex(authority, start=YEAR[0], end=YEAR[1]) -> list[dict[str, str]]:
    text, n = annex_a.export(actor=None, authority=authority, start=dt.date.fromisoformat(start),
                             end=dt.date.fromisoformat(end))
    rows = parse(text)
    assert len(rows) == n
    return rows


def ssd_table(authority, start=YEAR[0], end=YEAR[1]) -> list[dict[str, str]]:
    text, n = ssd.export(actor=None, authority=authority, start=dt.date.fromisoformat(start),
                         end=dt.date.fromisoformat(end))
    rows = parse(text)
    assert len(rows) == n
    return rows


@pytest.fixture
def year(world):
    """Kent's and Southwark's episodes of 2024-25, and some that are not theirs
    or not of the year:

    - Ellie (Kent, at home): missing twice, once absent; a protection plan;
      an episode that started on 31 March 2024 (the year before);
    - Cal (Kent's, in a Kent children's home since 2023): at 23:30 on 31
      March 2025 (in the year, ended after it), again at 00:30 on 1 April
      2025 (the next year, and before the first one's interview was due);
      offered and completed an interview for an earlier episode;
    - Jo (Southwark's, placed in Kent): missing in Kent (Kent's area,
      Southwark's child);
    - Kai (Kent's, placed in Southwark): missing there twice (Kent's own
      child), the second time 40 hours after the first return;
    - Mia (Kent, at home): missing in Southwark's area, still missing;
    - Noor and a duplicate record of her (Kent, at home), merged: one child,
      her identifier on the duplicate;
    - Zoe (Nottinghamshire, at home): missing there: nobody's here.
    """
    w = world
    notts = Authority.objects.get(code="891")
    since = dt.date(2023, 1, 1)
    cal = make_child(first="Cal", responsible=w.kent)
    Child.objects.filter(pk=cal.pk).update(sex="M", ethnicity="WBRI")
    place(cal, responsible=w.kent, host=w.kent, start=since)
    jo = make_child(first="Jo", responsible=w.southwark)
    place(jo, responsible=w.southwark, host=w.kent, start=since)
    kai = make_child(first="Kai", responsible=w.kent)
    place(kai, responsible=w.kent, host=w.southwark, start=since)
    mia = make_child(first="Mia", home=w.kent)
    noor = make_child(first="Noor", home=w.kent)
    noor2 = make_child(first="Nour", home=w.kent)
    zoe = make_child(first="Zoe", home=notts)
    ChildIdentifier.objects.create(child=cal, kind=ChildIdentifier.Kind.LA_CHILD, authority=w.kent, value="K1001")
    ChildIdentifier.objects.create(child=noor2, kind=ChildIdentifier.Kind.LA_CHILD, authority=w.kent, value="K2002")
    ChildFlag.objects.create(child=w.ellie, flag="child_protection_plan", source="la:886", start_date=dt.date(2024, 5, 1))

    report(w.ellie, w.kent, "2024-03-31T23:00", "2024-04-01T01:00")  # the year before
    e1 = report(w.ellie, w.kent, "2024-06-01T18:00", "2024-06-02T08:00")  # 14 h
    report(w.ellie, w.kent, "2024-06-20T18:00", "2024-06-22T20:00", category="absent")  # 50 h
    c1 = report(cal, w.kent, "2024-09-10T21:00", "2024-09-14T21:00", responsible=w.kent)  # 96 h
    report(cal, w.kent, "2025-03-31T23:30", "2025-04-01T00:15", responsible=w.kent)  # ends after the year
    report(cal, w.kent, "2025-04-01T00:30", "2025-04-01T02:00", responsible=w.kent)  # the next year
    report(jo, w.kent, "2024-10-05T20:00", "2024-10-15T20:00", responsible=w.southwark)  # 240 h
    report(kai, w.southwark, "2024-11-01T10:00", "2024-11-01T16:00", responsible=w.kent)
    report(kai, w.southwark, "2024-11-03T08:00", "2024-11-03T09:00", responsible=w.kent)  # 40 h after: no interview
    report(mia, w.southwark, "2025-02-01T10:00", missing_from="home")  # still missing
    report(noor, w.kent, "2024-12-01T10:00", "2024-12-01T12:00")
    report(noor2, w.kent, "2024-12-20T10:00", "2024-12-20T12:00")
    Child.objects.filter(pk=noor2.pk).update(merged_into=noor)
    report(zoe, notts, "2024-07-01T10:00", "2024-07-01T12:00")

    interviews_sync(episode_ids=list(Episode.objects.values_list("pk", flat=True)), now=at("2025-04-02T12:00"))
    officer, now = w.kent_missing_officer, at("2025-04-02T12:00")
    i1 = Interview.objects.get(episode=c1)
    interview_record_offer(actor=officer, interview=i1, answer="accepted", offered_at=at("2024-09-15T10:00"), now=now)
    interview_record_completed(actor=officer, interview=Interview.objects.get(pk=i1.pk),
                               completed_at=at("2024-09-16T10:00"), venue="School", interviewer_name="A. Worker",
                               now=now)
    interview_record_offer(actor=officer, interview=Interview.objects.get(episode=e1), answer="declined_by_child",
                           offered_at=at("2024-06-03T10:00"), now=now)
    w.cal, w.jo, w.kai, w.mia, w.noor, w.notts = cal, jo, kai, mia, noor, notts
    return w


def reconcile(rows: list[dict[str, str]], f: dict) -> None:
    """Every figure of `report kpis` that the Annex A list holds, counted from its rows."""
    t1 = rules.start_of_day(dt.date.fromisoformat(f["to"]))
    assert len(rows) == f["episodes"]["total"]
    assert sum(r["Missing or absent"] == "b) Absent" for r in rows) == f["episodes"]["absent"]
    assert sum(r["Looked after child"] == "a) Yes" for r in rows) == f["episodes"]["from_care"]
    assert sum(r["Looked after child"] == "b) No" for r in rows) == f["episodes"]["from_home"]

    def still_open(r):
        returned = r["Date and time returned"]
        return not returned or dt.datetime.strptime(returned, "%d/%m/%Y %H:%M").replace(tzinfo=LONDON) >= t1

    assert sum(still_open(r) for r in rows) == f["episodes"]["open_at_end"]
    assert len({r["Child Unique ID"] for r in rows}) == f["children"]["total"]
    assert len({r["Child Unique ID"] for r in rows if r["Looked after child"] == "a) Yes"}) == f["children"]["from_care"]
    assert len({r["Child Unique ID"] for r in rows if r["Looked after child"] == "b) No"}) == f["children"]["from_home"]
    per_child = Counter(Counter(r["Child Unique ID"] for r in rows).values())
    assert {k: per_child.get(int(k), 0) for k in f["children_by_episode_count"]} == f["children_by_episode_count"]
    hours = [float(r["Duration (hours)"]) for r in rows if r["Duration (hours)"]]
    assert rules.duration_buckets(hours) == {k: f["duration_hours"][k] for k in rules.duration_buckets([])}
    months = Counter(dt.datetime.strptime(r["Date and time missing started"], "%d/%m/%Y %H:%M").strftime("%Y-%m")
                     for r in rows)
    assert {m: months.get(m, 0) for m in f["episodes_by_month"]} == f["episodes_by_month"]
    required = [r for r in rows if r["Date and time returned"] and not r["Return interview not required: reason"]]
    ri = f["return_interviews"]
    assert len(required) == ri["required"]
    assert sum(bool(r["Return interview not required: reason"]) for r in rows) == ri["not_required"]
    assert sum(r["Return interview offered"] == "a) Yes" for r in required) == ri["offered"]
    assert sum(r["Return interview completed"] == "a) Yes" for r in required) == ri["completed"]


def test_kents_list_reconciles_with_its_key_figures(year):
    rows = annex(year.kent)
    f = figures(year.kent, *YEAR)
    reconcile(rows, f)
    # and by hand: Ellie 2, Callum 2, Jade, Kai 2, Mia, Noor 2; not Zoe, nor the years before and after
    assert len(rows) == 10 and f["episodes"]["open_at_end"] == 2
    assert f["children"]["total"] == 6 and f["episodes"]["absent"] == 1
    assert f["return_interviews"]["offered"] == 2 and f["return_interviews"]["completed"] == 1
    reasons = Counter(r["Return interview not required: reason"][:20] for r in rows if r["Date and time returned"])
    assert reasons == {"": 6, "Placed in the area b": 1, "Missing again before": 2}  # Jo; Kai's first, Cal's last


def test_southwarks_list_reconciles_with_its_key_figures(year):
    rows = annex(year.southwark)
    reconcile(rows, figures(year.southwark, *YEAR))
    # Jo (its own child, placed in Kent), Kai twice and Mia (missing in its area)
    assert len(rows) == 4


def test_a_list_with_no_episodes_has_only_its_header(year):
    text, n = annex_a.export(actor=None, authority=year.kent, start=dt.date(2030, 1, 1), end=dt.date(2030, 2, 1))
    assert n == 0 and text == ",".join(annex_a.HEADER) + "\n"


def test_the_rows_say_what_homeward_knows(year):
    rows = {r["Homeward episode"]: r for r in annex(year.kent)}
    by_child = {}
    for r in rows.values():
        by_child.setdefault(r["Child Unique ID"], []).append(r)
    cal = by_child["K1001"]
    assert [r["Date and time missing started"] for r in cal] == ["10/09/2024 21:00", "31/03/2025 23:30"]
    assert [(r["Return interview offered"], r["Date return interview offered"], r["Return interview completed"],
             r["Date return interview completed"]) for r in cal] == [
        ("a) Yes", "15/09/2024", "a) Yes", "16/09/2024"), ("b) No", "", "b) No", "")]
    assert cal[1]["Return interview not required: reason"].startswith("Missing again before the offer was due")
    assert {(r["Looked after child"], r["Gender"], r["Ethnicity"]) for r in cal} == {("a) Yes", "a) Male", "a) WBRI")}
    noor = by_child["K2002"]  # the merged duplicate's identifier, for both records' episodes
    assert len(noor) == 2 and {r["Gender"] for r in noor} == {"b) Female"}
    ellie = by_child[f"HW{year.ellie.pk}"]
    assert [(r["Missing or absent"], r["Child protection plan"], r["Duration (hours)"]) for r in ellie] == [
        ("a) Missing", "a) Yes", "14.0"), ("b) Absent", "a) Yes", "50.0")]
    assert ellie[0]["Return interview offered"] == "a) Yes" and ellie[0]["Return interview completed"] == "b) No"
    jo = by_child[f"HW{year.jo.pk}"]
    assert jo[0]["Looked after child"] == "a) Yes"
    assert jo[0]["Return interview not required: reason"].startswith("Placed in the area by another authority")
    mia = by_child[f"HW{year.mia.pk}"]
    assert (mia[0]["Date and time returned"], mia[0]["Return interview offered"]) == ("", "")


def test_the_ssd_table_has_the_same_episodes(year):
    table = ssd_table(year.kent)
    rows = annex(year.kent)
    assert [t["miss_table_id"] for t in table] == [r["Homeward episode"] for r in rows]
    assert [t["miss_person_id"] for t in table] == [r["Child Unique ID"] for r in rows]
    f = figures(year.kent, *YEAR)
    assert len(table) == f["episodes"]["total"]
    assert sum(t["miss_missing_episode_type"] == "A" for t in table) == f["episodes"]["absent"]
    assert len({t["miss_person_id"] for t in table}) == f["children"]["total"]
    assert sum(t["miss_missing_episode_end_date"] == "" for t in table) == 1  # Mia
    cal = [t for t in table if t["miss_person_id"] == "K1001"]
    assert [(t["miss_missing_episode_start_date"], t["miss_missing_episode_end_date"], t["miss_missing_rhi_offered"],
             t["miss_missing_rhi_accepted"]) for t in cal] == [
        ("2024-09-10T21:00:00", "2024-09-14T21:00:00", "Y", "Y"),
        ("2025-03-31T23:30:00", "2025-04-01T00:15:00", "", "")]  # no interview required: missing again
    ellie = [t for t in table if t["miss_person_id"] == f"HW{year.ellie.pk}"]
    assert [(t["miss_missing_episode_type"], t["miss_missing_rhi_offered"], t["miss_missing_rhi_accepted"])
            for t in ellie] == [("M", "Y", "N"), ("A", "N", "")]


# --- the command ----------------------------------------------------------------------------------


def test_the_command_prints_the_list_and_reconciles_with_report_kpis(year, capsys):
    assert main(["report", "kpis", "--authority", "886", "--from", YEAR[0], "--to", YEAR[1]]) == 0
    f = json.loads(capsys.readouterr().out)
    assert main(["export", "annex-a-missing", "--authority", "886", "--from", YEAR[0], "--to", YEAR[1]]) == 0
    rows = parse(capsys.readouterr().out)
    reconcile(rows, f)
    assert main(["export", "ssd-missing", "--authority", "886", "--from", YEAR[0], "--to", YEAR[1]]) == 0
    table = parse(capsys.readouterr().out)
    assert len(table) == f["episodes"]["total"] == 10


@pytest.mark.parametrize("kind,object_type", [("annex-a-missing", "annex_a_missing"), ("ssd-missing", "ssd_missing")])
def test_the_command_writes_the_file_and_audits_the_export(year, tmp_path, capsys, kind, object_type):
    out = tmp_path / "list.csv"
    before = AuditEvent.objects.filter(action="export", object_type=object_type).count()
    assert main(["export", kind, "--authority", "886", "--from", YEAR[0], "--to", YEAR[1], "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"10 rows written to {out}"
    assert len(parse(out.read_text(encoding="utf-8"))) == 10
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left
    events = AuditEvent.objects.filter(action="export", object_type=object_type)
    assert events.count() == before + 1
    event = events.order_by("-pk").first()
    assert event.payload == {"authority": "886", "from": YEAR[0], "to": YEAR[1], "rows": 10, "out": str(out)}
    assert event.object_id == "886/2024-04-01/2025-04-01"


@pytest.mark.parametrize("args,message", [
    (["--authority", "999", "--from", "2024-04-01", "--to", "2025-04-01"], "--authority: '999' is not a known local authority code"),
    (["--authority", "all", "--from", "2024-04-01", "--to", "2025-04-01"], "is for one authority"),
    (["--authority", "886", "--from", "2024-13-01", "--to", "2025-04-01"], "--from: '2024-13-01' is not a date"),
    (["--authority", "886", "--from", "1/4/2024", "--to", "2025-04-01"], "--from: '1/4/2024' is not a date"),
    (["--authority", "886", "--from", "2024-04-01", "--to", "2024-04-01"], "--to (2024-04-01) must be after --from"),
    (["--authority", "886", "--from", "2024-04-01", "--to", "2025-04-01", "--out", "/nonexistent/x.csv"],
     "--out: /nonexistent/x.csv: the folder /nonexistent does not exist"),
])
@pytest.mark.parametrize("kind", ["annex-a-missing", "ssd-missing"])
def test_bad_options_are_refused_with_a_message_and_nothing_exported(world, capsys, kind, args, message):
    assert main(["export", kind, *args]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err and captured.out == ""
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_out_path_that_is_a_folder_is_refused(world, tmp_path, capsys):
    assert main(["export", "ssd-missing", "--authority", "886", "--from", YEAR[0], "--to", YEAR[1],
                 "--out", str(tmp_path)]) == 1
    assert "is a folder, not a file" in capsys.readouterr().err


def test_a_missing_option_is_refused(world, capsys):
    assert main(["export", "annex-a-missing", "--authority", "886", "--from", YEAR[0]]) == 2
    assert "the following arguments are required: --to" in capsys.readouterr().err
