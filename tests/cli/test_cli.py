"""The `homeward` command as other systems use it (contract.md, "Command line")."""

import json
import os
import subprocess
import sys

import pytest

from homeward.access.models import ApiToken, User
from homeward.cli import main
from homeward.placements.models import Authority


def run_cli(args, env_extra=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "homeward.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


def test_commands_refuse_a_database_that_is_not_up_to_date_with_advice(tmp_path):
    result = run_cli(["user", "list"], cwd=tmp_path)
    assert result.returncode == 2
    assert "not up to date" in result.stderr and "homeward migrate" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "homeward.db").exists() or (tmp_path / "homeward.db").stat().st_size >= 0


def test_migrate_then_authority_add_and_unknown_code_refused(tmp_path):
    assert run_cli(["migrate", "-v", "0"], cwd=tmp_path).returncode == 0
    assert (tmp_path / "homeward.db").exists()
    added = run_cli(["authority", "add", "998", "Synthetic Shire"], cwd=tmp_path)
    assert added.returncode == 0 and "Synthetic Shire (998)" in added.stdout
    bad = run_cli(["authority", "add", "12", "Nowhere"], cwd=tmp_path)
    assert bad.returncode != 0 and "'12' is not a three-digit DfE authority code" in bad.stderr
    unknown = run_cli(["import", "notifications", "nofile.csv", "--authority", "999"], cwd=tmp_path)
    assert unknown.returncode != 0 and "'999' is not a known local authority code" in unknown.stderr
    assert "Traceback" not in unknown.stderr


@pytest.mark.django_db
def test_shipped_authorities_include_the_contract_examples():
    names = dict(Authority.objects.filter(code__in=["886", "891", "312", "210"]).values_list("code", "name"))
    assert names == {"886": "Kent", "891": "Nottinghamshire", "312": "Hillingdon", "210": "Southwark"}


def test_user_list_json_has_username_organisation_authority_and_role(world, capsys):
    assert main(["user", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    mine = next(r for r in rows if r["username"] == "kent.missing_officer")
    assert mine == {"username": "kent.missing_officer", "organisation": "Kent County Council", "authority": "886",
                    "role": "missing_officer"}
    police = next(r for r in rows if r["username"] == "kent.police")
    assert police["authority"] is None and police["role"] == "police"


def test_user_token_prints_a_working_token_once(world, capsys):
    assert main(["user", "token", "kent.police"]) == 0
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=world.kent_police)
    assert token.key_hash == ApiToken.hash(raw) and raw not in (token.key_hash, token.hint)


def test_user_token_for_unknown_user_fails_cleanly(world, capsys):
    assert main(["user", "token", "nobody"]) == 1
    assert "no user called 'nobody'" in capsys.readouterr().err


def test_import_notifications_prints_summary_and_rejections(world, tmp_path, capsys):
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "source,source_ref,first_name,last_name,dob,last_seen_at,returned_at\n"
        "police:kent,A1,Amy,Stone,2010-01-01,2024-05-01T20:00,2024-05-02T08:00\n"
        "police:kent,A2,Bo,Lee,2010-13-01,2024-05-01T20:00,\n"
    )
    status = main(["import", "notifications", str(feed), "--authority", "886", "--no-progress"])
    out = capsys.readouterr()
    assert status == 1
    assert "2 rows: 1 created, 0 updated, 0 merged, 0 unchanged, 1 rejected" in out.out
    assert "feed.csv:3: dob: '2010-13-01' is not a date as YYYY-MM-DD" in out.out


def test_the_help_lists_every_command_homeward_adds():
    """Each management command in Homeward's own apps is named in `homeward --help`
    (flush only guards Django's own command)."""
    from pathlib import Path

    import homeward
    from homeward.cli import HELP

    listed = {line.split()[0] for line in HELP.splitlines() if line.startswith("  ") and line.strip()}
    root = Path(homeward.__file__).parent
    commands = {p.stem for p in root.glob("*/management/commands/*.py") if not p.stem.startswith("_")}
    assert commands - {"flush"} <= listed, sorted(commands - {"flush"} - listed)


@pytest.mark.parametrize("content, rows", [
    (b"source,source_ref\na,1\nb,2\n", 2),
    (b"\xef\xbb\xbfsource,source_ref\na,1\nb,2", 2),  # a byte-order mark, no last line break
    (b'{"source": "a"}\n{"source": "b"}\n{"source": "c"}\n', 3),  # JSON lines: no header
    (b"source,source_ref\n", 0),
    (b"", 0),
])
def test_the_progress_bar_counts_the_rows_of_a_file_before_it_starts(tmp_path, content, rows):
    import importlib

    command = importlib.import_module("homeward.episodes.management.commands.import")
    path = tmp_path / "feed"
    path.write_bytes(content)
    assert command._rows_in(path) == rows
    assert command._rows_in(tmp_path / "missing") is None
