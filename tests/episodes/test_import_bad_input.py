"""Bad rows are rejected one by one, with their line and reason; the rest are imported
and nothing stored is lost or changed."""

import json

import pytest

from homeward.episodes.importing import import_notifications
from homeward.episodes.models import Episode, Notification
from homeward.placements.models import Authority
from homeward.problems import Refused

HEADER = "source,source_ref,child_ref,first_name,last_name,dob,sex,missing_from,category,last_seen_at,reported_at,risk_level,postcode,provider_urn,responsible_authority,returned_at,found_postcode,flags,notes"
GOOD = "police:kent,K-{n},,Amy,Stone{n},2010-01-0{n},F,home,missing,2024-05-0{n}T20:00,,low,CT1 1AA,,,,,,"


@pytest.fixture
def kent(db):
    return Authority.objects.get(code="886")


def write(tmp_path, text, name="feed.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def run(kent, path):
    summary, _ = import_notifications(actor=None, authority=kent, path=path)
    return summary


def reasons(summary):
    return {e.line: e.reason for e in summary.rejected}


def test_each_bad_row_is_rejected_with_its_line_and_the_rest_imported(kent, tmp_path):
    rows = [
        HEADER,
        GOOD.format(n=1),
        "police:kent,K-bad1,,Bo,Lee,2010-02-30,M,home,missing,2024-05-01T20:00,,,,,,,,,",  # impossible dob
        "police:kent,K-bad2,,,Lee,2010-02-03,M,home,missing,2024-05-01T20:00,,,,,,,,,",  # no first name
        "police:kent,K-bad3,,Bo,Lee,2010-02-03,M,home,missing,2024-05-01T20:00,,,,,,2024-05-01T19:00,,,",  # return before seen
        "police:kent,K-bad4,,Bo,Lee,2010-02-03,M,home,missing,2024-05-01T20:00,,,,,999,,,,",  # unknown authority
        "police:kent,K-bad5,,Bo,Lee,2010-02-03,M,home,missing,yesterday,,,,,,,,,",  # bad date-time
        "police:kent,K-bad6,,Bo,Lee,2010-02-03,X,home,missing,2024-05-01T20:00,,,,,,,,,",  # bad sex
        GOOD.format(n=2),
    ]
    summary = run(kent, write(tmp_path, "\n".join(rows) + "\n"))
    assert summary.created == 2
    got = reasons(summary)
    assert sorted(got) == [3, 4, 5, 6, 7, 8]
    assert "dob" in got[3] and "2010-02-30" in got[3]
    assert got[4].startswith("first_name: is required")
    assert "returned_at" in got[5] and "before last_seen_at" in got[5]
    assert "'999' is not a known local authority code" in got[6]
    assert "last_seen_at" in got[7] and "ISO 8601" in got[7]
    assert "sex" in got[8]
    assert Notification.objects.count() == 2


def test_a_future_return_is_rejected(kent, tmp_path):
    row = "police:kent,K-9,,Amy,Stone,2010-01-01,F,home,missing,2024-05-01T20:00,,,,,,2099-01-01T00:00,,,"
    summary = run(kent, write(tmp_path, HEADER + "\n" + row + "\n"))
    assert "returned_at: The return time cannot be in the future" in reasons(summary)[2]
    assert Episode.objects.count() == 0


def test_truncated_last_row_is_rejected_and_earlier_rows_kept(kent, tmp_path):
    text = HEADER + "\n" + GOOD.format(n=1) + "\n" + "police:kent,K-2,,Amy,Sto"
    summary = run(kent, write(tmp_path, text))
    assert summary.created == 1
    assert "truncated" in reasons(summary)[3]


def test_unterminated_quote_at_end_is_reported_as_truncated(kent, tmp_path):
    text = HEADER + "\n" + GOOD.format(n=1) + "\n" + 'police:kent,K-2,,Amy,Stone,2010-01-01,F,home,missing,2024-05-01T20:00,,,,,,,,,"no end'
    summary = run(kent, write(tmp_path, text))
    assert summary.created == 1
    assert "truncated" in reasons(summary)[3]


def test_a_row_with_thousands_of_columns_is_rejected(kent, tmp_path):
    wide = GOOD.format(n=3) + "," * 5000
    summary = run(kent, write(tmp_path, "\n".join([HEADER, GOOD.format(n=1), wide, GOOD.format(n=2)])))
    assert summary.created == 2
    assert "5019 columns but the header has 19" in reasons(summary)[3]


def test_a_line_in_another_encoding_is_rejected_and_the_rest_imported(kent, tmp_path):
    latin = "police:kent,K-7,,Zoë,Stone,2010-01-07,F,home,missing,2024-05-07T20:00,,,,,,,,,".encode("latin-1")
    data = (HEADER + "\n" + GOOD.format(n=1) + "\n").encode() + latin + b"\n" + (GOOD.format(n=2) + "\n").encode()
    summary = run(kent, write(tmp_path, data))
    assert summary.created == 2
    assert "not UTF-8" in reasons(summary)[3]


def test_byte_order_mark_and_crlf_are_accepted(kent, tmp_path):
    data = "\ufeff" + HEADER + "\r\n" + GOOD.format(n=1) + "\r\n"
    summary = run(kent, write(tmp_path, data))
    assert (summary.created, summary.rejected) == (1, [])


def test_unknown_columns_are_kept_with_the_notification(kent, tmp_path):
    summary = run(kent, write(tmp_path, HEADER + ",force_incident\n" + GOOD.format(n=1) + ",INC-55\n"))
    assert summary.created == 1
    assert Notification.objects.get().raw["force_incident"] == "INC-55"


def test_a_file_without_the_required_columns_is_refused_whole(kent, tmp_path):
    with pytest.raises(Refused) as refused:
        run(kent, write(tmp_path, "source,source_ref,first_name\npolice:kent,K-1,Amy\n"))
    assert "last_name, dob, last_seen_at" in str(refused.value)
    assert Notification.objects.count() == 0


def test_empty_file_is_refused(kent, tmp_path):
    with pytest.raises(Refused, match="empty"):
        run(kent, write(tmp_path, ""))


def test_json_lines_with_a_broken_line_and_a_non_object(kent, tmp_path):
    good = {"source": "police:kent", "source_ref": "J-1", "first_name": "Amy", "last_name": "Stone",
            "dob": "2010-01-01", "last_seen_at": "2024-05-01T20:00", "extra": "kept"}
    text = json.dumps(good) + "\n[1, 2]\n" + '{"source": "police:kent", "source_ref": "J-2"'
    summary = run(kent, write(tmp_path, text, name="feed.jsonl"))
    assert summary.created == 1
    got = reasons(summary)
    assert "not a JSON object" in got[2]
    assert "JSON" in got[3]
    assert Notification.objects.get().raw["extra"] == "kept"


def test_a_bad_update_row_leaves_the_stored_episode_as_it_was(kent, tmp_path):
    run(kent, write(tmp_path, HEADER + "\n" + GOOD.format(n=1) + "\n"))
    episode = Episode.objects.get()
    bad_update = "police:kent,K-1,,Amy,Stone1,2010-01-01,F,home,missing,2024-05-01T20:00,,low,CT1 1AA,,,2024-04-30T00:00,,,"
    summary = run(kent, write(tmp_path, HEADER + "\n" + bad_update + "\n", name="update.csv"))
    assert len(summary.rejected) == 1
    again = Episode.objects.get()
    assert (again.returned_at, again.started_at, again.updated_at) == (None, episode.started_at, episode.updated_at)


def test_an_earlier_closed_report_for_a_child_missing_now_is_a_separate_episode(kent, tmp_path):
    open_now = "police:kent,K-1,,Amy,Stone,2010-01-01,F,home,missing,2024-05-10T20:00,,low,CT1 1AA,,,,,,"
    earlier = "police:kent,K-2,,Amy,Stone,2010-01-01,F,home,missing,2024-05-01T20:00,,low,CT1 1AA,,,2024-05-02T08:00,,,"
    summary = run(kent, write(tmp_path, "\n".join([HEADER, open_now, earlier]) + "\n"))
    assert (summary.created, summary.rejected) == (2, [])
    assert Episode.objects.filter(returned_at__isnull=True).count() == 1
