"""How well Homeward tells children apart: matching quality on synthetic data.

Generates a synthetic notification feed whose truth is known
(homeward.synth.generator), imports it into a fresh SQLite database exactly as
a council would (``import_notifications``: identifier first, then the matching
rules, uncertain matches to the review queue), and compares the child records
Homeward made with the true children:

* pairwise precision and recall of "these two rows are the same child": two
  rows linked to the same record, against two rows of the same true child;
  the same over *reports* (one per source and reference, i.e. one per
  matching decision), which leaves out the easy pairs of a report and its own
  updates;
* children split over several records (missed matches: duplicates a person
  has to merge), before and after a person works through the review queue
  correctly;
* records holding two or more true children (false merges: must be zero);
* the review queue: its size, and how many of its pairs really are one child.

Run from the repository root::

    .venv/bin/python bench/matching_quality.py --children 3000 --years 2 --seed 7

``--write-docs`` also writes the figures into docs/matching.md between its
``figures`` markers. ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "matching.md"
START_MARK = "<!-- figures:start -->"
END_MARK = "<!-- figures:end -->"


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(units: list[tuple[str, int]]) -> dict:
    """Pairwise precision and recall of (true id, record id) units."""
    cell = Counter(units)
    by_true = Counter(t for t, _ in units)
    by_record = Counter(r for _, r in units)
    same_both = sum(_pairs(n) for n in cell.values())
    same_record = sum(_pairs(n) for n in by_record.values())
    same_true = sum(_pairs(n) for n in by_true.values())
    return {
        "units": len(units),
        "pairs_same_child": same_true,
        "pairs_same_record": same_record,
        "pairs_both": same_both,
        "precision": same_both / same_record if same_record else 1.0,
        "recall": same_both / same_true if same_true else 1.0,
    }


def generate_data(out_dir: Path, *, children: int, years: int, seed: int, authority: str, end: dt.date | None) -> dict:
    from homeward.synth.generator import generate

    return generate(authority=authority, children=children, years=years, seed=seed, out_dir=out_dir, end=end)


def import_and_score(out_dir: Path, *, authority: str) -> dict:
    """Import ``out_dir``/notifications.csv into the configured database (which
    must hold no children yet) and score the records against truth.csv."""
    from homeward.episodes.importing import import_notifications
    from homeward.episodes.models import Notification
    from homeward.people.models import Child, MatchReview
    from homeward.placements.models import Authority

    area = Authority.objects.get(code=authority)
    t0 = time.perf_counter()
    summary, _batch = import_notifications(actor=None, authority=area, path=out_dir / "notifications.csv")
    seconds = time.perf_counter() - t0

    truth: dict[int, tuple[str, str]] = {}
    with open(out_dir / "truth.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            truth[int(row["line"])] = (row["true_child"], row["kind"])
    keys: dict[int, tuple[str, str]] = {}
    with open(out_dir / "notifications.csv", encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):  # no quoted newlines in generated files
            keys[line] = (row["source"], row["source_ref"])

    # Which record each report (source, reference) went to. A row re-sent
    # unchanged stores nothing, but its report is known by its key.
    record_of: dict[tuple[str, str], int] = {}
    for source, ref, child_id in Notification.objects.filter(episode__isnull=False).values_list(
        "source", "source_ref", "episode__child_id"
    ):
        record_of[(source, ref)] = child_id

    rejected = {e.line for e in summary.rejected}
    rejected_good = sorted(line for line in rejected if truth.get(line, ("", "bad"))[1] != "bad")
    rows: list[tuple[str, int]] = []
    reports: dict[tuple[str, str], tuple[str, int]] = {}
    unlinked = 0
    for line, (true_child, kind) in sorted(truth.items()):
        if kind == "bad" or line in rejected:
            continue
        key = keys[line]
        record = record_of.get(key)
        if record is None:
            unlinked += 1
            continue
        rows.append((true_child, record))
        reports.setdefault(key, (true_child, record))

    records_of_child: dict[str, set[int]] = defaultdict(set)
    children_of_record: dict[int, set[str]] = defaultdict(set)
    for true_child, record in rows:
        records_of_child[true_child].add(record)
        children_of_record[record].add(true_child)
    split = sorted(c for c, recs in records_of_child.items() if len(recs) > 1)
    false_merges = sorted(r for r, kids in children_of_record.items() if len(kids) > 1)

    # The review queue, and what a person working through it correctly would leave.
    true_of_record = {r: next(iter(kids)) for r, kids in children_of_record.items() if len(kids) == 1}
    pending = list(MatchReview.objects.filter(state=MatchReview.State.PENDING).values_list("reported_child_id", "candidate_id"))
    right = [(a, b) for a, b in pending if a in true_of_record and true_of_record.get(a) == true_of_record.get(b)]
    parent = {r: r for r in children_of_record}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in right:
        parent[find(a)] = find(b)
    split_after_review = sum(1 for recs in records_of_child.values() if len({find(r) for r in recs}) > 1)

    causes = Counter()
    for true_child in split:
        for record, why in split_causes(sorted(records_of_child[true_child])):
            causes[why] += 1

    return {
        "rows_in_file": len(truth),
        "rows_bad": sum(1 for _, kind in truth.values() if kind == "bad"),
        "rows_rejected": len(rejected),
        "rows_rejected_not_bad": len(rejected_good),
        "rows_unlinked": unlinked,
        "rows_scored": len(rows),
        "reports": len(reports),
        "true_children": len(records_of_child),
        "records": Child.objects.filter(merged_into__isnull=True).count(),
        "rows": pairwise(rows),
        "by_report": pairwise(list(reports.values())),
        "children_split": len(split),
        "extra_records": sum(len(records_of_child[c]) - 1 for c in split),
        "split_causes": dict(causes.most_common()),
        "false_merges": len(false_merges),
        "review_queue": len(pending),
        "review_queue_same_child": len(right),
        "children_split_after_review": split_after_review,
        "import_seconds": round(seconds, 1),
        "summary": {k: v for k, v in summary.as_dict().items() if k != "rejected"},
    }


def split_causes(records: list[int]) -> list[tuple[int, str]]:
    """Why each extra record of one child was made: compared (as Homeward
    holds them now) with the closest of the child's earlier records."""
    from homeward.people import matching
    from homeward.people.models import Child
    from homeward.people.resolve import person_record

    people = {c.pk: person_record(c) for c in Child.objects.filter(pk__in=records).prefetch_related("aliases", "placements__provider")}
    out = []
    for i, record in enumerate(records[1:], start=1):
        best = max((matching.compare(people[record], people[earlier]) for earlier in records[:i]),
                   key=lambda r: (r.decision == "match", r.score))
        out.append((record, _cause(best)))
    return out


def _cause(result) -> str:
    reasons = set(result.reasons)
    if result.decision == "match":
        return "the records now match: a report fitted two records of the child equally"
    if "dob_exact" not in reasons:
        return "date of birth differs"
    if "surname_differs" in reasons:
        return "surname differs"
    if "first_name_differs" in reasons:
        return "first name differs (nickname or other name not known)"
    if reasons & {"first_name_fuzzy", "first_name_initial", "first_name_middle_name"}:
        return "first name misspelt, an initial or a middle name (a person confirms)"
    return "other: " + ", ".join(sorted(reasons))


def setup_django(db_path: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "homeward.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def run(*, children: int, years: int, seed: int, authority: str = "886", end: dt.date | None = None,
        keep: Path | None = None) -> dict:
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="homeward-matching-"))
    tmp.mkdir(parents=True, exist_ok=True)
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    meta = generate_data(data, children=children, years=years, seed=seed, authority=authority, end=end)
    setup_django(tmp / "m.db")
    figures = import_and_score(data, authority=authority)
    figures["data"] = {k: meta[k] for k in ("authority", "start", "end", "seed", "children", "notification_rows", "episodes")}
    figures["directory"] = str(tmp)
    return figures


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def report(f: dict, command: str) -> str:
    r, p = f["rows"], f["by_report"]
    lines = [
        f"Command: `{command}`",
        "",
        f"Data: {f['data']['children']} children, authority {f['data']['authority']}, "
        f"{f['data']['start']} to {f['data']['end']} (seed {f['data']['seed']}): "
        f"{f['rows_in_file']} notification rows ({f['rows_bad']} deliberately bad), "
        f"{f['reports']} reports, {f['data']['episodes']} true episodes.",
        "",
        "| Figure | Value |",
        "|---|---|",
        f"| Rows imported and scored | {f['rows_scored']} ({f['rows_rejected']} rejected, of which {f['rows_rejected_not_bad']} not marked bad) |",
        f"| True children / child records made | {f['true_children']} / {f['records']} |",
        f"| Pairwise precision, rows | {_pct(r['precision'])} ({r['pairs_both']} of {r['pairs_same_record']} pairs) |",
        f"| Pairwise recall, rows | {_pct(r['recall'])} ({r['pairs_both']} of {r['pairs_same_child']} pairs) |",
        f"| Pairwise precision, reports | {_pct(p['precision'])} ({p['pairs_both']} of {p['pairs_same_record']} pairs) |",
        f"| Pairwise recall, reports | {_pct(p['recall'])} ({p['pairs_both']} of {p['pairs_same_child']} pairs) |",
        f"| True children split over several records | {f['children_split']} ({f['extra_records']} extra records) |",
        *(f"| &nbsp;&nbsp;extra records because: {why} | {n} |" for why, n in f["split_causes"].items()),
        f"| Records holding two or more true children (false merges) | {f['false_merges']} |",
        f"| Review queue (pending pairs) | {f['review_queue']}, of which {f['review_queue_same_child']} really one child |",
        f"| Children still split after a correct review of the queue | {f['children_split_after_review']} |",
        f"| Import time | {f['import_seconds']} s |",
    ]
    return "\n".join(lines)


def write_docs(text: str) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    start, end = doc.index(START_MARK) + len(START_MARK), doc.index(END_MARK)
    DOCS.write_text(doc[:start] + "\n" + text + "\n" + doc[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--children", type=int, default=3000)
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--authority", default="886")
    ap.add_argument("--end", type=dt.date.fromisoformat, default=None,
                    help="last day of the data, exclusive (YYYY-MM-DD; default today)")
    ap.add_argument("--keep", type=Path, default=None, help="work in this directory and keep it")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--write-docs", action="store_true", help="write the figures into docs/matching.md")
    args = ap.parse_args(argv)
    figures = run(children=args.children, years=args.years, seed=args.seed, authority=args.authority,
                  end=args.end, keep=args.keep)
    command = (f".venv/bin/python bench/matching_quality.py --children {args.children} --years {args.years} "
               f"--seed {args.seed} --end {figures['data']['end']}")
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
    else:
        print(report(figures, command))
    if args.write_docs:
        write_docs(report(figures, command))
    return 1 if figures["false_merges"] else 0


if __name__ == "__main__":
    sys.exit(main())
