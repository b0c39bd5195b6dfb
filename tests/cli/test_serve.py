"""`homeward serve`: the web app, with the protocol's schedule running in the same process."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

from tests.cli.test_cli import run_cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.Popen([sys.executable, "-m", "homeward.cli", "serve", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    return None


def cursor_at(db):
    with sqlite3.connect(db) as con:
        row = con.execute("SELECT at FROM protocol_protocolcursor").fetchone()
    return row[0] if row else None


def test_serve_answers_and_runs_the_protocol_schedule_in_process(tmp_path):
    assert run_cli(["migrate", "-v", "0"], cwd=tmp_path).returncode == 0
    port = free_port()
    server = serve(tmp_path, "--port", str(port), "--every", "5")
    try:
        page = wait_for(lambda: _get(f"http://127.0.0.1:{port}/sign-in/"))
        assert page is not None and page.status == 200
        first = wait_for(lambda: cursor_at(tmp_path / "homeward.db"))
        assert first is not None, "the schedule did not run"
        later = wait_for(lambda: (c := cursor_at(tmp_path / "homeward.db")) != first and c)
        assert later is not None and later > first, "the schedule ran once only"
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=20)
    assert "The protocol's schedule runs every 5 seconds in this process." in out
    assert "Traceback" not in out


def test_serve_without_the_scheduler_does_not_run_it(tmp_path):
    assert run_cli(["migrate", "-v", "0"], cwd=tmp_path).returncode == 0
    port = free_port()
    server = serve(tmp_path, "--port", str(port), "--no-scheduler")
    try:
        assert wait_for(lambda: _get(f"http://127.0.0.1:{port}/sign-in/")) is not None
        time.sleep(2)
        assert cursor_at(tmp_path / "homeward.db") is None
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=20)
    assert "schedule runs" not in out


def test_serve_refuses_a_schedule_too_often(tmp_path):
    assert run_cli(["migrate", "-v", "0"], cwd=tmp_path).returncode == 0
    result = run_cli(["serve", "--every", "1"], cwd=tmp_path)
    assert result.returncode != 0 and "--every: 1 seconds is too often" in result.stderr
    assert "Traceback" not in result.stderr


def _get(url):
    try:
        return urllib.request.urlopen(url, timeout=2)
    except OSError:
        return None
